import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { unzip } from '../support/gdpr';
import { insertMessage, makeThread } from '../support/retention';
import { ensureUiBuilt, launchChromium, signIn as signInAt, trackRequests } from '../support/ui';
import { addChannel } from '../support/whatsapp';

// The Data requests page as its users meet it: a compliance officer logs an access request for a
// customer found by phone number, builds the archive and downloads it (its manifest checks out);
// an agent has no such page, menu entry or button.
describe('end to end in Chromium: GDPR data requests', function () {
  this.timeout(120_000);
  let app: TestApp;
  let browser: Browser;

  async function signIn(email: string): Promise<Page> {
    const page = await (await browser.newContext({ acceptDownloads: true })).newPage();
    return signInAt(page, app.url, email, TEST_PASSWORD);
  }

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp();
    browser = await launchChromium();
    const channel = await addChannel(await app.adminClient());
    const thread = await makeThread(app.runtime.services.db, channel.id, '33677770001');
    await insertMessage(app.runtime.services.db, thread, new Date(Date.now() - 86_400_000), { text: 'Bonjour, mes données svp' });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('a compliance officer logs an access request by phone number, builds the archive and downloads it', async () => {
    const officer = await app.userWithRoles(['compliance-officer']);
    const page = await signIn(officer.email);
    const inFlight = trackRequests(page);
    await page.click('[data-button="nav.gdpr"]');
    await page.waitForSelector('#gdpr-table td.empty >> text=No requests.');

    await page.click('[data-button="gdpr.create"]');
    await page.selectOption('#gdpr-type', 'access');
    await page.fill('#gdpr-phone', '77770001');
    await page.click('[data-button="gdpr.searchContact"]');
    await page.waitForSelector('#gdpr-create-dialog >> text=Customer 0001 (+33677770001)');
    await page.click('#gdpr-create-dialog [data-button="gdpr.submitCreate"]');
    const row = page.locator('#gdpr-table tr[data-type="access"]');
    await row.waitFor();
    expect(await row.getAttribute('data-state')).to.equal('open');
    expect(await row.innerText()).to.contain('+33677770001');

    await row.locator('[data-button="gdpr.export"]').click();
    await page.waitForSelector('text=The access archive is ready to download.');
    await page.selectOption('#gdpr-state', 'all');
    const done = page.locator('#gdpr-table tr[data-type="access"][data-state="completed"]');
    await done.waitFor();
    // The list the filter asked for, not the one before it: on a loaded machine the row could
    // still be re-rendered by that answer under the click.
    await eventually('the list settles', async () => inFlight() === 0, 15_000);
    const [download] = await Promise.all([page.waitForEvent('download'), done.locator('[data-button="gdpr.download"]').click()]);
    const bytes = await readFile((await download.path())!);
    const files = await unzip(bytes);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as { files: Array<{ path: string; sha256: string }> };
    expect(manifest.files.map((f) => f.path)).to.include.members(['contact.json', 'messages.json', 'media.json', 'transcript.html']);
    for (const f of manifest.files) {
      expect(createHash('sha256').update(files.get(f.path)!).digest('hex'), f.path).to.equal(f.sha256);
    }
    expect(files.get('messages.json')!.toString('utf8')).to.contain('Bonjour, mes données svp');
    const audited = await app.runtime.services.db('audit_events').whereIn('action', ['gdpr.request_created', 'gdpr.access_exported', 'gdpr.archive_downloaded']).orderBy('seq');
    expect(audited.map((e) => e.action)).to.deep.equal(['gdpr.request_created', 'gdpr.access_exported', 'gdpr.archive_downloaded']);

    // At phone width the page does not scroll sideways (row actions fold into the row's menu).
    await page.setViewportSize({ width: 390, height: 844 });
    await eventually('the page fits 390 px', async () => page.evaluate(() => {
      const el = (globalThis as unknown as { document: { scrollingElement: { scrollWidth: number; clientWidth: number } } }).document.scrollingElement;
      return el.scrollWidth <= el.clientWidth;
    }));
  });

  it('an agent sees no Data requests page, menu entry or button', async () => {
    const agent = await app.userWithRoles(['agent']);
    const page = await signIn(agent.email);
    expect(await page.locator('[data-button="nav.gdpr"]').count()).to.equal(0);
    await page.goto(`${app.url}/#/gdpr`);
    // The route falls back to a page the agent may open: the inbox.
    await page.waitForSelector('[data-button="nav.inbox"]');
    await page.waitForLoadState('networkidle');
    expect(await page.locator('#gdpr-table').count()).to.equal(0);
    expect(await page.locator('[data-button^="gdpr."]').count()).to.equal(0);
  });
});
