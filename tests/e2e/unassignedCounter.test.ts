import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium } from '../support/ui';
import { addChannel, inbound, postWebhook, type TestChannel } from '../support/whatsapp';

/** What the browser does to a tab the user leaves for another (text, as RECORD_NOTIFICATIONS). */
const HIDE_TAB = `Object.defineProperty(document, 'visibilityState', { configurable: true, get() { return 'hidden'; } });
document.dispatchEvent(new Event('visibilitychange'));`;

/** Records each notification the page shows in `window.__notifications`; the browser's own still shows it. */
const RECORD_NOTIFICATIONS = `(() => {
  const Real = window.Notification;
  const seen = [];
  window.__notifications = seen;
  function Recording(title, options) {
    seen.push({ title, body: options && options.body });
    return new Real(title, options);
  }
  Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
  Recording.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recording;
})();`;

describe('end to end in Chromium: agents notice new customers', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;
  let admin: ApiClient;
  let adminId: string;
  let channel: TestChannel;
  let nextCustomer = 0;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all' });
    admin = await app.adminClient();
    adminId = (await admin.get('/api/v1/me')).body.user.id;
    channel = await addChannel(admin);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A customer nobody has written to before writes in; resolves with the conversation's id. */
  async function newCustomer(name: string): Promise<string> {
    return customerWrites(`3361000${String(++nextCustomer).padStart(4, '0')}`, name);
  }

  /** The customer `waId` writes in; resolves with their conversation's id. */
  async function customerWrites(waId: string, name: string): Promise<string> {
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, waId, { type: 'text', text: { body: 'Bonjour' } }, name))).to.equal(200);
    const row = (await app.runtime.services.db('conversations as v').join('contacts as c', 'c.id', 'v.contact_id').where('c.wa_id', waId).first('v.id')) as { id: string };
    return row.id;
  }

  /** Everyone else's waiting conversations are taken, so each test starts from none. */
  async function takeAllWaiting(): Promise<void> {
    const rows = (await app.runtime.services.db('conversations').whereNull('assignee_id').where({ status: 'open' }).select('id')) as Array<{ id: string }>;
    for (const { id } of rows) {
      expect((await admin.post(`/api/v1/conversations/${id}/assign`, { assigneeId: adminId })).status).to.equal(200);
    }
  }

  async function signIn(context: BrowserContext, email: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(app.url);
    await page.fill('#login-email', email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    return page;
  }

  async function titleIs(page: Page, title: string): Promise<void> {
    await page.waitForFunction((expected) => (globalThis as any).document.title === expected, title);
  }

  it('an agent on "Mine" sees a new customer at once: the counter and the tab title go up, and down when it is taken', async () => {
    await takeAllWaiting();
    const agent = await app.userWithRoles(['agent']);
    const page = await signIn(await browser.newContext(), agent.email);
    await page.click('[data-button="nav.inbox"]');
    await page.waitForSelector('#inbox-view');
    expect(await page.inputValue('#inbox-view')).to.equal('mine');
    await titleIs(page, 'Inbox · Switchboard');
    expect(await page.locator('#nav-unassigned-count').count()).to.equal(0);

    // A new customer writes: the agent, still on "Mine", sees the counter and the title go up.
    const first = await newCustomer('Claire Martin');
    const badge = page.locator('[data-button="nav.inbox"] #nav-unassigned-count');
    await page.locator('#nav-unassigned-count[data-count="1"]').waitFor();
    expect(await badge.innerText()).to.contain('1');
    await titleIs(page, '(1) Inbox · Switchboard');
    expect(await page.locator('#inbox-view option[value="unassigned"]').innerText()).to.equal('Unassigned (1)');

    const second = await newCustomer('Hugo Petit');
    await page.locator('#nav-unassigned-count[data-count="2"]').waitFor();
    await titleIs(page, '(2) Inbox · Switchboard');

    // A supervisor assigns the first to someone else: the agent may no longer see it, yet the count drops.
    expect((await admin.post(`/api/v1/conversations/${first}/assign`, { assigneeId: adminId })).status).to.equal(200);
    await page.locator('#nav-unassigned-count[data-count="1"]').waitFor();
    await titleIs(page, '(1) Inbox · Switchboard');

    // The agent claims the second (from another tab, here the API): none waits any more.
    const claim = await agent.client.post(`/api/v1/conversations/${second}/claim`);
    expect(claim.status, JSON.stringify(claim.body)).to.equal(200);
    await page.locator('#nav-unassigned-count').waitFor({ state: 'detached' });
    await titleIs(page, 'Inbox · Switchboard');
    expect(await page.locator('#inbox-view option[value="unassigned"]').innerText()).to.equal('Unassigned');
    await page.context().close();
  });

  it('asks once per user to alert of new customers, stores the answer on the server, then notifies with a desktop notification', async () => {
    await takeAllWaiting();
    const agent = await app.userWithRoles(['agent']);
    const context = await browser.newContext({ permissions: ['notifications'] });
    // Records each notification the page shows; the browser's own Notification still shows it.
    // (A script as text: the test's compiler would add helpers the page does not have.)
    await context.addInitScript({ content: RECORD_NOTIFICATIONS });
    const page = await signIn(context, agent.email);
    await page.click('[data-button="nav.inbox"]');
    await page.locator('#notice-prompt', { hasText: 'Get notified of new customers?' }).waitFor();
    await page.click('[data-ui="notice.enable"]');
    await page.locator('#notice-alerts').waitFor();
    expect(await page.isChecked('#notice-alerts')).to.equal(true);
    expect(await page.isChecked('#notice-sound')).to.equal(true);
    expect(await page.locator('#notice-prompt').count()).to.equal(0);
    expect((await agent.client.get('/api/v1/me/preferences')).body.preferences).to.deep.equal({ newCustomerAlerts: 'enabled', sound: true });

    // A new customer: a desktop notification says one waits.
    await newCustomer('Léa Bernard');
    await page.locator('#nav-unassigned-count[data-count="1"]').waitFor();
    const notified = (await page.waitForFunction(() => (globalThis as any).__notifications.length > 0 && (globalThis as any).__notifications)).jsonValue();
    expect(await notified).to.deep.equal([{ title: 'A new customer is waiting', body: 'Waiting for an agent: 1' }]);

    // Assigned to the agent, who then looks at another tab: the customer's next message is notified.
    const lea = (await app.runtime.services.db('contacts').where({ profile_name: 'Léa Bernard' }).first('wa_id')) as { wa_id: string };
    const conversationId = await customerWrites(lea.wa_id, 'Léa Bernard');
    expect((await admin.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: agent.id })).status).to.equal(200);
    await page.locator('#nav-unassigned-count').waitFor({ state: 'detached' });
    const item = page.locator(`[data-conversation-id="${conversationId}"]`);
    await item.waitFor();
    const unread = Number(await item.getAttribute('data-unread'));
    // While the agent looks at the inbox, the list is notice enough.
    await customerWrites(lea.wa_id, 'Léa Bernard');
    await page.locator(`[data-conversation-id="${conversationId}"][data-unread="${unread + 1}"]`).waitFor();
    expect(await page.evaluate(() => (globalThis as any).__notifications.length)).to.equal(1);
    // Headless Chromium never hides a page, so the tab is made to say it is hidden, as a browser does
    // when the agent switches to another tab.
    await page.evaluate(HIDE_TAB);
    await customerWrites(lea.wa_id, 'Léa Bernard');
    await page.waitForFunction(() => (globalThis as any).__notifications.length > 1);
    expect(await page.evaluate(() => (globalThis as any).__notifications[1])).to.deep.equal({ title: 'New message from Léa Bernard', body: 'In one of your conversations on Switchboard.' });

    // Another browser: the answer followed the user, so no prompt, and the switches say so.
    const elsewhere = await signIn(await browser.newContext(), agent.email);
    await elsewhere.click('[data-button="nav.inbox"]');
    await elsewhere.locator('#notice-alerts').waitFor();
    expect(await elsewhere.isChecked('#notice-alerts')).to.equal(true);
    expect(await elsewhere.locator('#notice-prompt').count()).to.equal(0);
    // Turning the sound off there is stored for the user.
    await elsewhere.click('#notice-sound');
    await eventuallyPreference(agent.client, (p) => p.sound === false);
    await context.close();
    await elsewhere.context().close();
  });

  it('"Not now" dismisses the prompt for good, in French too', async () => {
    const agent = await app.userWithRoles(['agent']);
    const page = await signIn(await browser.newContext({ locale: 'fr-FR' }), agent.email);
    await page.click('[data-button="nav.inbox"]');
    await page.locator('#notice-prompt', { hasText: 'Être prévenu des nouveaux clients ?' }).waitFor();
    await page.click('[data-ui="notice.notNow"]');
    await page.locator('#notice-alerts').waitFor();
    expect(await page.isChecked('#notice-alerts')).to.equal(false);
    expect((await agent.client.get('/api/v1/me/preferences')).body.preferences.newCustomerAlerts).to.equal('declined');
    await page.reload();
    await page.locator('#notice-alerts').waitFor();
    expect(await page.locator('#notice-prompt').count()).to.equal(0);
    await page.context().close();
  });

  it('shows no counter, and asks for no count, to a user who may read no conversation', async () => {
    await newCustomer('Jade Roux');
    expect((await admin.get('/api/v1/conversations/unassigned/count')).body.count).to.be.greaterThan(0);
    const auditor = await app.userWithRoles(['auditor']);
    const context = await browser.newContext();
    const asked: string[] = [];
    context.on('request', (request) => {
      if (/\/api\/v1\/(conversations|me\/preferences)/.test(request.url())) {
        asked.push(request.url());
      }
    });
    const page = await signIn(context, auditor.email);
    await page.click('[data-button="nav.audit"]');
    await page.waitForSelector('h1');
    await page.waitForFunction(() => (globalThis as any).document.title.endsWith('· Switchboard'));
    expect(await page.title()).not.to.match(/^\(/);
    expect(await page.locator('#nav-unassigned-count').count()).to.equal(0);
    expect(await page.locator('[data-button="nav.inbox"]').count()).to.equal(0);
    expect(asked).to.deep.equal([]);
    await context.close();
  });
});

/** Waits until the user's stored preferences satisfy `ok`. */
async function eventuallyPreference(client: ApiClient, ok: (p: { newCustomerAlerts: string; sound: boolean }) => boolean): Promise<void> {
  await eventually('the preference is stored', async () => ok((await client.get('/api/v1/me/preferences')).body.preferences));
}
