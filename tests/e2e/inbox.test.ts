import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { ensureUiBuilt, launchChromium } from '../support/ui';
import { addChannel, inbound, postWebhook } from '../support/whatsapp';

describe('end to end in Chromium: a customer writes in the simulator, an agent answers live', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    await app.adminClient();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('links to the simulator only for those holding Sandbox:use', async () => {
    const agent = await app.userWithRoles(['agent']);
    const page = await (await browser.newContext()).newPage();
    await page.goto(app.url);
    await page.fill('#login-email', agent.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.locator('[data-button="nav.inbox"]').waitFor();
    expect(await page.locator('[data-button="nav.simulator"]').count()).to.equal(0);
    // Nor may the agent open it by its address.
    const res = await page.goto(`${app.url}/sandbox/simulator`);
    expect(res?.status()).to.equal(403);
    await page.context().close();
  });

  it('Bonjour: live in the inbox, reply in the simulator, ticks to read', async () => {
    const agentPage = await (await browser.newContext()).newPage();
    await agentPage.goto(app.url);
    await agentPage.fill('#login-email', app.admin.email);
    await agentPage.fill('#login-password', TEST_PASSWORD);
    await agentPage.click('[data-button="auth.login"]');
    await agentPage.click('[data-button="nav.inbox"]');
    await agentPage.waitForSelector('#inbox-view');

    // The trainer playing the customer signs in too (the simulator needs Sandbox:use) and opens
    // the simulator from the panel's menu.
    const customer = await (await browser.newContext()).newPage();
    await customer.goto(`${app.url}/sandbox/simulator`);
    await customer.waitForURL(/#\/login$/);
    await customer.fill('#login-email', app.admin.email);
    await customer.fill('#login-password', TEST_PASSWORD);
    await customer.click('[data-button="auth.login"]');
    const simulatorLink = customer.locator('[data-button="nav.simulator"]');
    await simulatorLink.waitFor();
    await customer.goto(`${app.url}${await simulatorLink.getAttribute('href')}`);
    await customer.waitForSelector('#sim-number option', { state: 'attached' });
    await customer.fill('#sim-wa-id', '33611223344');
    await customer.fill('#sim-name', 'Claire Martin');
    await customer.fill('#sim-text', 'Bonjour');
    await customer.click('#sim-send');

    // 2. It appears live in the inbox, with no refresh.
    const item = agentPage.locator('[data-conversation-id]', { hasText: 'Claire Martin' });
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    await agentPage.locator('[data-direction="in"]', { hasText: 'Bonjour' }).waitFor();

    // 3. The agent takes the conversation (a reply never assigns by itself), then replies: the
    // header says so without a refresh, whichever of the claim's response and the live update came first.
    const me = (await app.runtime.services.db('users').where({ email: app.admin.email }).first('name')) as { name: string };
    await agentPage.click('[data-button="inbox.claim"]');
    await agentPage.locator('#conversation-assignee', { hasText: me.name }).waitFor({ timeout: 5_000 });
    expect(await agentPage.locator('[data-button="inbox.claim"]').count()).to.equal(0);
    await agentPage.fill('#composer-text', 'Bonjour Claire, que puis-je faire pour vous ?');
    await agentPage.click('[data-button="inbox.send"]');

    // 4. The simulator shows the reply.
    await customer.locator('#sim-messages [data-direction="out"]', { hasText: 'que puis-je faire pour vous' }).waitFor({ timeout: 10_000 });

    // 5. The ticks reach "read".
    const outbound = agentPage.locator('[data-direction="out"]', { hasText: 'que puis-je faire pour vous' });
    // The page's CSP forbids eval, so the predicate is a function, not a string.
    await agentPage.waitForFunction(
      () => (globalThis as any).document.querySelector('[data-direction="out"][data-status]')?.getAttribute('data-status') === 'read',
      undefined,
      { timeout: 15_000 },
    );
    expect(await outbound.getAttribute('data-status')).to.equal('read');

    // The list names the reply's author: "You:" for one's own.
    await agentPage.locator('[data-conversation-id] .preview-you').first().waitFor({ timeout: 5_000 });

    // Signing in again in the trainer's browser starts a new session with a new CSRF token: the
    // simulator's next write reads it and goes through.
    const relogin = await customer.request.post(`${app.url}/api/v1/auth/login`, { data: { email: app.admin.email, password: TEST_PASSWORD } });
    expect(relogin.status()).to.equal(200);
    await customer.fill('#sim-text', 'Encore moi');
    await customer.click('#sim-send');
    await agentPage.locator('[data-direction="in"]', { hasText: 'Encore moi' }).waitFor({ timeout: 10_000 });
    await agentPage.screenshot({ path: 'test-results/e2e-inbox.png' }).catch(() => undefined);
    await customer.screenshot({ path: 'test-results/e2e-simulator.png' }).catch(() => undefined);
  });

  it("shows a customer's message at the customer's time of sending, with the time received in its tooltip", async () => {
    const channel = await addChannel(await app.adminClient());
    const sentAt = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 5 * 3600_000);
    const payload = inbound(channel, '33655443322', { type: 'text', text: { body: 'written on the train' }, timestamp: String(sentAt.getTime() / 1000) }, 'Hugo Petit');
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);

    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await page.goto(app.url);
    await page.fill('#login-email', app.admin.email);
    await page.fill('#login-password', TEST_PASSWORD);
    await page.click('[data-button="auth.login"]');
    await page.click('[data-button="nav.inbox"]');
    await page.locator('[data-conversation-id]', { hasText: 'Hugo Petit' }).click();
    const time = page.locator('[data-direction="in"]', { hasText: 'written on the train' }).locator('time');
    await time.waitFor();
    expect(await time.getAttribute('datetime')).to.equal(sentAt.toISOString());
    expect(await time.getAttribute('data-received-at')).to.not.equal(sentAt.toISOString());
    expect(await time.getAttribute('title')).to.match(/^Sent by the customer .+ · received .+$/);
  });
});
