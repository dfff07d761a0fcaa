import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { insertMessage, makeThread } from '../support/retention';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';
import { addChannel } from '../support/whatsapp';

// E-discovery as its users meet it: a compliance officer searches the archive (accents ignored),
// sees the words found marked (and a message's markup shown as text), exports the results,
// watches the export finish and downloads the signed bundle; an agent sees no page, link or button.
describe('end to end in Chromium: e-discovery search and export', function () {
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

  it('a compliance officer searches, sees the highlights, exports, waits for the progress to finish and downloads', async () => {
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

    // At a phone's width the page, its results and its exports do not scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await page.evaluate(() => {
      const el = (globalThis as any).document.scrollingElement;
      return { scroll: el.scrollWidth as number, client: el.clientWidth as number };
    });
    expect(width.scroll).to.be.at.most(width.client);
  });

  it('an agent sees no e-discovery page, link or button', async () => {
    const agent = await app.userWithRoles(['agent']);
    const page = await signIn(agent.email);
    expect(await page.locator('[data-button="nav.discovery"]').count()).to.equal(0);
    await page.goto(`${app.url}/#/discovery`);
    await page.waitForSelector('main');
    expect(await page.locator('#discovery-form').count()).to.equal(0);
    expect(await page.locator('[data-button^="discovery."]').count()).to.equal(0);
  });
});
