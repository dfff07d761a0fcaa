import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { unzip } from '../support/gdpr';
import { insertMessage, makeThread } from '../support/retention';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';
import { addChannel } from '../support/whatsapp';

// The compliance officer's work as they meet it, in one sitting: they search the archive (accents
// ignored) and see the words found marked (a message's markup shown as text), place a legal hold
// on the results, export them and download the signed bundle once its progress is done, then
// answer the customer's access request, and see the customer's erasure request refused because
// of the hold. An agent sees none of these pages, links or buttons.
describe('end to end in Chromium: hold, search, export and a data request (the compliance officer)', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;

  async function signIn(email: string): Promise<Page> {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    return signInAt(page, app.url, email, TEST_PASSWORD);
  }

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all' });
    browser = await launchChromium();
    const channel = await addChannel(await app.adminClient());
    const thread = await makeThread(app.runtime.services.db, channel.id, '33699980001');
    const db = app.runtime.services.db;
    await insertMessage(db, thread, new Date(Date.now() - 2 * 86_400_000), { text: 'Rendez-vous au Café <b>Riviera</b> demain' });
    await insertMessage(db, thread, new Date(Date.now() - 86_400_000), { text: 'le cafe était froid' });
    await insertMessage(db, thread, new Date(), { text: 'rien à voir' });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('a compliance officer searches, places a hold on the results, exports and downloads the bundle, answers an access request and sees the erasure refused', async () => {
    const officer = await app.userWithRoles(['compliance-officer']);
    const page = await signIn(officer.email);
    await page.click('[data-button="nav.discovery"]');
    await page.fill('#discovery-query', 'CAFE');
    await page.click('[data-button="discovery.search"]');
    await page.waitForSelector('#discovery-results-title >> text=2 messages found');
    const marks = await page.locator('#discovery-results mark').allInnerTexts();
    expect(marks).to.have.members(['Café', 'cafe']);
    // The message's own markup is text on the page, not elements.
    expect(await page.locator('#discovery-results b').count()).to.equal(0);
    expect(await page.locator('#discovery-results').innerText()).to.contain('<b>Riviera</b>');

    // A hold on these results: the hold form opens with the search's words, and covers what it found.
    await page.click('[data-button="discovery.placeHold"]');
    expect(await page.inputValue('#hold-query')).to.equal('CAFE');
    await page.fill('#hold-case', 'DISC-1');
    await page.fill('#hold-reason', 'From an e-discovery search');
    await page.click('#hold-dialog [data-button="holds.submitCreate"]');
    await page.waitForSelector('#discovery-notice');
    const holds = (await officer.client.get('/api/v1/legal-holds')).body.items;
    expect(holds.map((h: { caseRef: string; coveredMessages: number }) => [h.caseRef, h.coveredMessages])).to.deep.equal([['DISC-1', 2]]);

    await page.click('[data-button="discovery.export"]');
    await page.waitForSelector('#discovery-notice >> text=Export requested');
    const ready = page.locator('#discovery-exports li[data-state="done"]');
    await ready.waitFor({ timeout: 30_000 });
    expect(await ready.innerText()).to.contain('2 of 2 messages');
    const [download] = await Promise.all([page.waitForEvent('download'), ready.locator('[data-button="discovery.download"]').click()]);
    const bytes = await readFile((await download.path())!);
    const exportId = await ready.getAttribute('data-id');
    const row = await app.runtime.services.db('discovery_exports').where({ id: exportId }).first();
    expect(createHash('sha256').update(bytes).digest('hex')).to.equal(row.sha256);
    expect(download.suggestedFilename()).to.equal(`switchboard-discovery-${exportId}.zip`);

    // The customer asks for their data: the officer logs the request, builds and downloads the archive.
    await page.click('[data-button="nav.gdpr"]');
    await page.click('[data-button="gdpr.create"]');
    await page.selectOption('#gdpr-type', 'access');
    await page.fill('#gdpr-phone', '99980001');
    await page.click('[data-button="gdpr.searchContact"]');
    await page.waitForSelector('#gdpr-create-dialog >> text=+33699980001');
    await page.click('#gdpr-create-dialog [data-button="gdpr.submitCreate"]');
    const request = page.locator('#gdpr-table tr[data-type="access"][data-state="open"]');
    await request.locator('[data-button="gdpr.export"]').click();
    await page.waitForSelector('text=The access archive is ready to download.');
    await page.selectOption('#gdpr-state', 'all');
    const answered = page.locator('#gdpr-table tr[data-type="access"][data-state="completed"]');
    const [archive] = await Promise.all([page.waitForEvent('download'), answered.locator('[data-button="gdpr.download"]').click()]);
    const files = await unzip(await readFile((await archive.path())!));
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { files: Array<{ path: string; sha256: string }> };
    for (const f of manifest.files) {
      expect(createHash('sha256').update(files.get(f.path)!).digest('hex'), f.path).to.equal(f.sha256);
    }
    expect(files.get('messages.json')!.toString('utf8')).to.contain('le cafe était froid');

    // Then they ask to be erased: the hold placed above refuses it, with its case reference.
    await page.click('[data-button="gdpr.create"]');
    await page.selectOption('#gdpr-type', 'erasure');
    await page.fill('#gdpr-phone', '99980001');
    await page.click('[data-button="gdpr.searchContact"]');
    await page.waitForSelector('#gdpr-create-dialog >> text=+33699980001');
    await page.click('#gdpr-create-dialog [data-button="gdpr.submitCreate"]');
    await page.locator('#gdpr-table tr[data-type="erasure"][data-state="open"] [data-button="gdpr.erase"]').click();
    await page.click('[data-button="gdpr.confirmErase"]');
    const outcome = page.locator('#gdpr-erase-result [role="status"]');
    expect(await outcome.getAttribute('data-outcome')).to.equal('refused');
    expect(await outcome.innerText()).to.contain('DISC-1');
    expect(await app.runtime.services.db('messages').where({ text: 'le cafe était froid' }).count('* as n').first()).to.deep.equal({ n: 1 });
    await page.click('#gdpr-erase-result [data-ui="dialog.cancel"]');
    await page.click('[data-button="nav.discovery"]');

    // At a phone's width the page, its results and its exports do not scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await page.evaluate(() => {
      const el = (globalThis as any).document.scrollingElement;
      return { scroll: el.scrollWidth as number, client: el.clientWidth as number };
    });
    expect(width.scroll).to.be.at.most(width.client);
  });

  it('an agent sees no legal holds, e-discovery or data requests page, link or button', async () => {
    const agent = await app.userWithRoles(['agent']);
    const page = await signIn(agent.email);
    await page.waitForSelector('[data-button="nav.inbox"]');
    for (const nav of ['nav.legalHolds', 'nav.discovery', 'nav.gdpr', 'nav.review', 'nav.retention']) {
      expect(await page.locator(`[data-button="${nav}"]`).count(), nav).to.equal(0);
    }
    for (const route of ['discovery', 'legal-holds', 'gdpr']) {
      await page.goto(`${app.url}/#/${route}`);
      await page.waitForSelector('main');
      await page.waitForLoadState('networkidle');
      expect(await page.locator('#discovery-form, #gdpr-table, #hold-dialog').count(), route).to.equal(0);
      expect(await page.locator('[data-button^="discovery."], [data-button^="gdpr."], [data-button^="holds."]').count(), route).to.equal(0);
    }
  });
});
