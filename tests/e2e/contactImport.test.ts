import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { newId } from '../../server/lib/ids';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';

const FILE = [
  'phone,name,country,labels,tier',
  '+33 6 12 34 56 78,Ann,FR,VIP,gold',
  '06 12 34 56 79,Bob,,VIP,silver',
  '+33612345680,Cat,FR,,gold',
  'not a phone,Dan,FR,,gold',
  '+33612345678,Ann again,FR,,gold',
].join('\n');

describe('end to end in Chromium: contact import and segments', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all' });
    const db = app.runtime.services.db;
    await db('labels').insert({ id: newId(), name: 'VIP' });
    await db('contact_attributes').insert({ key: 'tier', name: 'Tier', type: 'choice', options: ['gold', 'silver'] });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function signIn(email: string, width = 1280): Promise<Page> {
    return signInAt(await (await browser.newContext({ viewport: { width, height: 900 } })).newPage(), app.url, email, TEST_PASSWORD);
  }

  it('an administrator uploads a CSV, maps its columns, dry-runs, imports, watches it finish, and builds a segment with its live count', async () => {
    const admin = await app.userWithRoles(['admin']);
    const page = await signIn(admin.email);
    await page.goto(`${app.url}/#/contact-imports`);
    await page.setInputFiles('#import-file', { name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });
    await page.click('[data-button="imports.upload"]');
    await page.waitForSelector('#import-mapping');
    // Guessed from the header, and changed by hand where the guess cannot know.
    expect(await page.inputValue('#import-mapping select[data-column="0"]')).to.equal('phone');
    await page.selectOption('#import-mapping select[data-column="4"]', 'attribute:tier');
    await page.fill('#import-country', 'FR');

    await page.click('[data-button="imports.dryRun"]');
    await page.waitForSelector('#import-progress[data-status="done"][data-dry-run="true"]');
    await page.waitForSelector('#import-decisions');
    expect(await page.getAttribute('#import-decisions tr[data-row="5"]', 'data-decision')).to.equal('reject');
    expect(await page.getAttribute('#import-decisions tr[data-row="2"]', 'data-decision')).to.equal('create');
    expect(await app.runtime.services.db('contacts').count({ n: '*' }).first()).to.deep.equal({ n: 0 });

    await page.click('[data-button="imports.run"]');
    await page.waitForSelector('#import-progress[data-status="done"][data-dry-run="false"]');
    expect(await page.textContent('#import-progress [role="status"]')).to.contain('3 new').and.contain('2 rejected');
    expect(await page.getAttribute('[data-button="imports.report"]', 'href')).to.match(/\/report\.csv\?only=rejected$/);

    await page.click('[data-button="nav.segments"]');
    await page.waitForSelector('#segment-count[data-count="3"]');
    const vip = await page.locator('#segment-labels-all option', { hasText: 'VIP' }).getAttribute('value');
    await page.selectOption('#segment-labels-all', [vip!]);
    await page.waitForSelector('#segment-count[data-count="2"]');
    await page.click('[data-ui="segments.addCondition"]');
    await page.selectOption('.segment-condition select[aria-label="Condition"]', 'equals');
    await page.selectOption('.segment-condition select[aria-label="Value"]', 'silver');
    await page.waitForSelector('#segment-count[data-count="1"]');
    await page.fill('#segment-name', 'VIP silver');
    await page.click('[data-button="segments.save"]');
    await page.waitForSelector('#segment-list li[data-name="VIP silver"]');
    await page.context().close();
  });

  it('fits a phone screen (390 px): the import and segment pages scroll only vertically', async () => {
    const admin = await app.userWithRoles(['admin']);
    const page = await signIn(admin.email, 390);
    for (const route of ['contact-imports', 'segments']) {
      await page.goto(`${app.url}/#/${route}`);
      await page.waitForSelector('h1');
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      expect(overflow, route).to.be.at.most(0);
    }
    await page.context().close();
  });
});
