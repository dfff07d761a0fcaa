import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { insertMessage, makeThread } from '../support/retention';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';
import { addChannel } from '../support/whatsapp';

// The compliance pages as their users meet them: a compliance officer places a legal hold on a
// customer (by WhatsApp number) and releases it, and locks a retention period; an agent sees
// neither page.
describe('end to end in Chromium: legal holds and retention', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;

  async function signIn(email: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    return signInAt(page, app.url, email, TEST_PASSWORD);
  }

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    browser = await launchChromium();
    const channel = await addChannel(await app.adminClient());
    const thread = await makeThread(app.runtime.services.db, channel.id, '33699990001');
    await insertMessage(app.runtime.services.db, thread, new Date(Date.now() - 86_400_000));
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('a compliance officer places a hold on a customer, sees what it covers, and releases it with a reason', async () => {
    const officer = await app.userWithRoles(['compliance-officer']);
    const page = await signIn(officer.email);
    await page.click('[data-button="nav.legalHolds"]');
    await page.waitForSelector('#holds-table td.empty >> text=No legal holds.');

    await page.click('[data-button="holds.create"]');
    await page.fill('#hold-case', 'CASE-42');
    await page.fill('#hold-reason', 'Regulator inquiry');
    await page.fill('#hold-phones', '+33699990001');
    await page.click('[data-button="holds.submitCreate"]');
    const row = page.locator('#holds-table tr[data-case="CASE-42"]');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).to.equal('active');
    expect(await row.innerText()).to.contain('Customers: Customer 0001 (+33699990001)');
    expect(await row.locator('td.numeric').innerText()).to.equal('1');
    const placed = (await officer.client.get('/api/v1/legal-holds')).body.items;
    expect(placed).to.have.length(1);
    expect(placed[0].coveredMessages).to.equal(1);

    await row.locator('[data-button="holds.release"]').click();
    await page.fill('#release-reason', 'Inquiry closed');
    await page.click('#release-dialog [data-button="holds.confirmRelease"]');
    await page.waitForSelector('#holds-table tr[data-case="CASE-42"][data-state="released"]');
    expect(await page.locator('#holds-table [data-button="holds.release"]').count()).to.equal(0);
    const audited = await app.runtime.services.db('audit_events').whereIn('action', ['legal_hold.placed', 'legal_hold.released']).orderBy('seq');
    expect(audited.map((e) => e.action)).to.deep.equal(['legal_hold.placed', 'legal_hold.released']);
    expect(JSON.stringify(audited.map((e) => e.details))).not.to.contain('33699990001');
  });

  it('a compliance officer locks a period after confirming; it then offers no lock and only lengthens', async () => {
    const officer = await app.userWithRoles(['compliance-officer']);
    const page = await signIn(officer.email);
    await page.click('[data-button="nav.retention"]');
    const row = page.locator('#retention-policies tr[data-class="media"][data-channel="all"]');
    await row.waitFor();
    await row.locator('[data-button="retention.lock"]').click();
    await page.click('#confirm-dialog [data-button="retention.confirmLock"]');
    await page.waitForSelector('#retention-policies tr[data-class="media"][data-channel="all"][data-locked="true"]');
    expect(await row.locator('[data-button="retention.lock"]').count()).to.equal(0);

    await row.locator('[data-button="retention.edit"]').click();
    await page.fill('#retention-days', '1000');
    await page.click('#retention-dialog [data-button="retention.submitEdit"]');
    await page.waitForSelector('#retention-policies tr[data-class="media"][data-channel="all"] >> text=1000 days');
  });

  it('an agent sees neither page: no menu entry, and the pages say it is not allowed', async () => {
    const agent = await app.userWithRoles(['agent']);
    const page = await signIn(agent.email);
    expect(await page.locator('[data-button="nav.retention"], [data-button="nav.legalHolds"]').count()).to.equal(0);
    for (const route of ['retention', 'legal-holds']) {
      await page.goto(`${app.url}/#/${route}`);
      await page.waitForSelector('main h1 >> text=Access denied');
      expect(await page.locator('[data-button^="holds."], [data-button^="retention."]').count()).to.equal(0);
    }
    expect((await agent.client.get('/api/v1/legal-holds')).status).to.equal(403);
  });
});
