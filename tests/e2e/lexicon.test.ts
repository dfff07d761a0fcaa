import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium } from '../support/ui';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('end to end in Chromium: the outbound lexicon', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let sandbox: Sandbox;
  let phoneNumberId: string;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    const admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    phoneNumberId = (await admin.get('/api/v1/channels')).body.items[0].phoneNumberId;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function signIn(email: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await page.goto(app.url);
    await page.fill('#login-email', email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.locator('[data-button="auth.logout"]').waitFor();
    return page;
  }

  it('a compliance officer adds a term, finds it with its statistics, and tests a message', async () => {
    const officer = await app.userWithRoles(['compliance-officer']);
    const page = await signIn(officer.email);
    await page.click('[data-button="nav.lexicon"]');
    await page.waitForSelector('#lexicon-table');

    await page.click('[data-button="lexicon.add"]');
    await page.waitForSelector('#lexicon-add-dialog');
    await page.fill('#lexicon-term', 'Placement  Garanti');
    await page.fill('#lexicon-term-locale', 'fr');
    await page.selectOption('#lexicon-term-action', 'block');
    await page.click('[data-button="lexicon.submitAdd"]');
    await page.locator('#lexicon-add-dialog').waitFor({ state: 'detached' });

    await page.fill('#lexicon-search', 'placement garanti');
    await page.click('[data-button="lexicon.search"]');
    const row = page.locator('#lexicon-table tr[data-term="placement garanti"]');
    await row.waitFor();
    expect(await row.locator('[data-hits]').getAttribute('data-hits')).to.equal('0');

    // The test box shows how the lexicon reads a disguised message, and what it found.
    await page.fill('#lexicon-test-text', 'Un PL4CEMENT g.a.r.a.n.t.i, vraiment !');
    await page.click('[data-button="lexicon.test"]');
    const result = page.locator('#lexicon-test-result');
    await result.waitFor();
    expect(await result.getAttribute('data-verdict')).to.equal('block');
    expect(await page.textContent('#lexicon-test-normalized')).to.equal('un placement garanti vraiment');
    expect(await page.locator('#lexicon-test-matches li').first().getAttribute('data-term')).to.equal('Placement  Garanti');
    await page.context().close();
  });

  it('an agent’s blocked message shows the term beside the message box and is not sent; the agent has no lexicon page', async () => {
    const agent = await app.userWithRoles(['agent']);
    await sandbox.customerSends({ phoneNumberId, from: '33600000201', profileName: 'Lucie Bernard', message: { type: 'text', body: 'Bonjour, un conseil ?' } });
    const admin = await app.adminClient();
    const conv = await eventually('the conversation', async () => (await admin.get('/api/v1/conversations?q=33600000201')).body.items[0]);
    await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.id });

    const page = await signIn(agent.email);
    expect(await page.locator('[data-button="nav.lexicon"]').count()).to.equal(0);
    await page.click('[data-button="nav.inbox"]');
    const item = page.locator('[data-conversation-id]', { hasText: 'Lucie Bernard' });
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    await page.fill('#composer-text', 'C’est un placement GARANTI, sans souci');
    await page.click('[data-button="inbox.send"]');
    const blocked = page.locator('#composer-lexicon-blocked');
    await blocked.waitFor();
    expect(await blocked.getAttribute('data-terms')).to.equal('Placement  Garanti');
    expect(await blocked.textContent()).to.contain('Placement  Garanti');
    // The text stays in the box to be rephrased, and nothing went out.
    expect(await page.inputValue('#composer-text')).to.contain('GARANTI');
    expect(await page.locator('[data-direction="out"]').count()).to.equal(0);

    // Typed by hand, the address shows the not-allowed page.
    await page.goto(`${app.url}/#/lexicon`);
    await page.locator('main').waitFor();
    expect(await page.locator('#lexicon-table').count()).to.equal(0);
    await page.context().close();
  });
});
