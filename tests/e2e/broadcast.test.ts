import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { newId } from '../../server/lib/ids';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';

const FILE = ['phone,name,labels', '+33 6 12 34 50 01,Ann,Spring', '+33 6 12 34 50 02,,Spring', '+33 6 12 34 50 03,Cat,Spring', '+33 6 12 34 50 04,Dan,'].join('\n');

describe('end to end in Chromium: a template broadcast from a CSV import to completion', function () {
  this.timeout(240_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '100' });
    await app.runtime.services.db('labels').insert({ id: newId(), name: 'Spring' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function signIn(email: string, width = 1280): Promise<Page> {
    return signInAt(await (await browser.newContext({ viewport: { width, height: 900 } })).newPage(), app.url, email, TEST_PASSWORD);
  }

  it('imports contacts, saves a segment, previews and estimates, sends, and watches the progress reach completion', async () => {
    const admin = await app.userWithRoles(['admin']);
    // The sandbox submits its starter template (welcome_back, "Hello {{1}}, ...") and approves it.
    const channelId = (await admin.client.get('/api/v1/channels')).body.items[0].id as string;
    await eventually('the starter template approved', async () =>
      ((await admin.client.get(`/api/v1/templates?channelId=${channelId}`)).body.items as Array<{ name: string; status: string }>).some((t) => t.name === 'welcome_back' && t.status === 'APPROVED'), 30_000);

    const page = await signIn(admin.email);
    await page.goto(`${app.url}/#/contact-imports`);
    await page.setInputFiles('#import-file', { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });
    await page.click('[data-button="imports.upload"]');
    await page.waitForSelector('#import-mapping');
    await page.click('[data-button="imports.run"]');
    await page.waitForSelector('#import-progress[data-status="done"][data-dry-run="false"]', { timeout: 60_000 });

    await page.click('[data-button="nav.segments"]');
    const spring = await page.locator('#segment-labels-all option', { hasText: 'Spring' }).getAttribute('value');
    await page.selectOption('#segment-labels-all', [spring!]);
    await page.waitForSelector('#segment-count[data-count="3"]');
    await page.fill('#segment-name', 'Spring customers');
    await page.click('[data-button="segments.save"]');
    await page.waitForSelector('#segment-list li[data-name="Spring customers"]');

    await page.click('[data-button="nav.broadcasts"]');
    await page.click('[data-button="broadcasts.new"]');
    await page.fill('#broadcast-name', 'Spring hello');
    await page.waitForSelector('#broadcast-channels option', { state: 'attached' });
    await page.selectOption('#broadcast-channels', [channelId]);
    await page.waitForSelector('#broadcast-template option:has-text("welcome_back")', { state: 'attached' });
    await page.selectOption('#broadcast-template', { label: (await page.locator('#broadcast-template option', { hasText: 'welcome_back' }).textContent())! });
    await page.selectOption('#broadcast-segment', { label: 'Spring customers' });
    await page.waitForSelector('[data-variable="body:1"]');
    await page.selectOption('#broadcast-var-body-1', 'field:name');
    await page.fill('#broadcast-var-body-1-fallback', 'friend');
    // Send waits for the estimate of this draft.
    expect(await page.isDisabled('[data-button="broadcasts.send"]')).to.equal(true);
    await page.click('[data-button="broadcasts.estimate"]');
    await page.waitForSelector('[data-ui="broadcast.estimate"]');
    expect(await page.textContent('[data-ui="broadcast.recipients"]')).to.contain('3');
    expect(await page.textContent('[data-ui="broadcast.tier"]')).to.match(/\d/);
    const samples = await page.locator('.broadcast-preview article').allTextContents();
    expect(samples).to.have.length(3);
    expect(samples.join(' ')).to.contain('Hello Ann').and.contain('Hello friend');

    await page.click('[data-button="broadcasts.send"]');
    await page.waitForSelector('.broadcast-detail[data-status="completed"]', { timeout: 90_000 });
    await page.waitForSelector('[data-counter="read"] dd:text("3")', { timeout: 60_000 });
    await page.click('#broadcast-detail [data-ui="dialog.close"]');
    await page.waitForSelector('#broadcasts-table tr[data-name="Spring hello"][data-status="completed"]');
    await page.context().close();
  });

  it('fits a phone screen (390 px): the broadcasts page and its form scroll only vertically', async () => {
    const admin = await app.userWithRoles(['admin']);
    const page = await signIn(admin.email, 390);
    await page.goto(`${app.url}/#/broadcasts`);
    await page.waitForSelector('h1');
    await page.click('[data-button="broadcasts.new"]');
    await page.waitForSelector('#broadcast-name');
    const overflow = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    expect(overflow).to.be.at.most(0);
    await page.context().close();
  });
});
