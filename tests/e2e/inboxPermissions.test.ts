import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium, signIn as signInAt } from '../support/ui';
import { addChannel, inbound, postWebhook, type TestChannel } from '../support/whatsapp';

// What a role may do is what its screen offers: the inbox's views, its header buttons (checked
// against the conversation's own fields), claiming, and who the assign list offers, for the
// built-in agent, supervisor and compliance officer roles and a custom read-only role.
describe('end to end in Chromium: the inbox offers each role what it may do on each conversation', function () {
  this.timeout(180_000);
  let app: TestApp;
  let admin: ApiClient;
  let browser: Browser;
  let channel: TestChannel;
  let counter = 0;

  before(async () => {
    ensureUiBuilt();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all' });
    admin = await app.adminClient();
    channel = await addChannel(admin);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A customer writes: a new conversation in the queue. */
  async function queued(name: string): Promise<string> {
    counter += 1;
    const from = `3361400${String(counter).padStart(4, '0')}`;
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, from, { type: 'text', text: { body: `Bonjour de ${name}` } }, name))).to.equal(200);
    return eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${from}`)).body.items[0]?.id as string | undefined);
  }

  async function signIn(email: string): Promise<Page> {
    const page = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    return signInAt(page, app.url, email, TEST_PASSWORD);
  }

  const views = (page: Page) => page.$$eval('#inbox-view option', (options) => options.map((o) => o.getAttribute('value')));
  const buttons = (page: Page) => page.$$eval('.conversation-actions [data-button]', (els) => els.map((el) => el.getAttribute('data-button')));

  async function openFromList(page: Page, view: string, conversationId: string): Promise<void> {
    await page.selectOption('#inbox-view', view);
    await page.locator(`[data-conversation-id="${conversationId}"]`).click();
    await page.locator(`.conversation[data-conversation="${conversationId}"] [data-direction="in"]`).waitFor();
  }

  it('agent: Mine and Unassigned only; a queued conversation offers Claim, not Resolve; claimed, it offers Resolve and Pending', async () => {
    const agent = await app.userWithRoles(['agent']);
    const id = await queued('Agathe');
    const page = await signIn(agent.email);
    await page.click('[data-button="nav.inbox"]');
    await page.waitForSelector('#inbox-view');
    expect(await views(page)).to.deep.equal(['mine', 'unassigned']);

    await openFromList(page, 'unassigned', id);
    expect(await buttons(page)).to.deep.equal(['inbox.claim']);
    // Replying needs the conversation to be theirs: the composer is replaced by the way to take it.
    await page.locator('#composer-claim [data-button="inbox.claimToReply"]').waitFor();
    expect(await page.locator('#composer-text').count()).to.equal(0);

    await page.click('[data-button="inbox.claimToReply"]');
    await page.locator('#conversation-assignee', { hasText: 'Test agent' }).waitFor();
    await page.locator('#composer-text').waitFor();
    expect(await buttons(page)).to.deep.equal(['inbox.pending', 'inbox.resolve']);
    const claimed = await admin.get(`/api/v1/conversations/${id}`);
    expect(claimed.body.conversation.assignee.id).to.equal(agent.id);

    // Pending: waiting on the customer; the status shows it and Pending is no longer offered.
    await page.click('[data-button="inbox.pending"]');
    await page.locator(`.conversation[data-status="pending"]`).waitFor();
    expect(await buttons(page)).to.deep.equal(['inbox.resolve']);
    await page.context().close();
  });

  it('supervisor: All; no Claim; the assign list offers only users who could work the conversation', async () => {
    const supervisor = await app.userWithRoles(['supervisor']);
    const agent = await app.userWithRoles(['agent']);
    const officer = await app.userWithRoles(['compliance-officer']);
    const gone = await app.userWithRoles(['agent']);
    expect((await admin.post(`/api/v1/users/${gone.id}/disable`)).status).to.equal(200);
    const id = await queued('Bérénice');

    const page = await signIn(supervisor.email);
    await page.click('[data-button="nav.inbox"]');
    await page.waitForSelector('#inbox-view');
    expect(await views(page)).to.deep.equal(['mine', 'unassigned', 'all']);
    await openFromList(page, 'all', id);
    expect(await buttons(page)).to.deep.equal(['inbox.assign', 'inbox.transfer', 'inbox.pending', 'inbox.resolve']);
    // A supervisor may answer without taking the conversation: the composer is there.
    await page.locator('#composer-text').waitFor();

    await page.click('[data-button="inbox.assign"]');
    await page.locator(`#assign-user option[value="${agent.id}"]`).waitFor({ state: 'attached' });
    const offered = await page.$$eval('#assign-user option', (options) => options.map((o) => o.getAttribute('value')));
    expect(offered).to.include.members(['', supervisor.id, agent.id]);
    expect(offered).not.to.include(officer.id);
    expect(offered).not.to.include(gone.id);
    await page.selectOption('#assign-user', agent.id);
    await page.click('[data-button="inbox.confirmAssign"]');
    await page.locator('#conversation-assignee', { hasText: 'Test agent' }).waitFor();
    await page.context().close();
  });

  it('custom read-only role: All is offered without assign, and opening a conversation by its link never makes it theirs', async () => {
    const created = await admin.post('/api/v1/roles', { key: 'inbox-watcher', name: 'Inbox watcher', rules: [{ action: 'read', subject: 'Conversation' }] });
    expect(created.status).to.equal(201);
    const watcher = await app.userWithRoles(['inbox-watcher']);
    const id = await queued('Capucine');

    const page = await signIn(watcher.email);
    await page.click('[data-button="nav.inbox"]');
    await page.waitForSelector('#inbox-view');
    expect(await views(page)).to.deep.equal(['mine', 'unassigned', 'all']);
    await page.selectOption('#inbox-view', 'mine');
    await page.locator('.inbox-list-status', { hasText: 'No conversations match.' }).waitFor();

    // By its link, with "Mine" chosen: the conversation opens, and Mine stays empty.
    await page.evaluate((target) => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = `#/inbox/${target}`;
    }, id);
    await page.locator(`.conversation[data-conversation="${id}"] [data-direction="in"]`).waitFor();
    await page.locator('#conversation-assignee', { hasText: 'Unassigned' }).waitFor();
    expect(await page.locator(`[data-conversation-id="${id}"]`).count()).to.equal(0);
    expect(await buttons(page)).to.deep.equal([]);
    await page.locator('.composer-readonly').waitFor();
    expect((await admin.get(`/api/v1/conversations/${id}`)).body.conversation.assignee).to.equal(null);
    await page.context().close();
  });

  it('list pages show a row button only on the rows its conditions allow (teams, users)', async () => {
    const alpha = (await admin.post('/api/v1/teams', { name: `Alpha ${counter}` })).body.team;
    const beta = (await admin.post('/api/v1/teams', { name: `Beta ${counter}` })).body.team;
    const created = await admin.post('/api/v1/roles', {
      key: 'alpha-helpdesk',
      name: 'Alpha helpdesk',
      rules: [
        { action: 'read', subject: ['Team', 'User'] },
        { action: 'update', subject: 'Team', conditions: { id: { $in: '${user.teamIds}' } } },
        { action: 'resetPassword', subject: 'User', conditions: { teamIds: { $in: '${user.teamIds}' } } },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const helpdesk = await app.userWithRoles(['alpha-helpdesk'], { teamIds: [alpha.id] });
    const inAlpha = await app.userWithRoles(['agent'], { teamIds: [alpha.id] });
    const inBeta = await app.userWithRoles(['agent'], { teamIds: [beta.id] });

    const page = await signIn(helpdesk.email);
    await page.click('[data-button="nav.teams"]');
    await page.locator(`#teams-table tr[data-id="${beta.id}"]`).waitFor();
    expect(await page.locator(`#teams-table tr[data-id="${alpha.id}"] [data-button="teams.edit"]`).count()).to.equal(1);
    expect(await page.locator(`#teams-table tr[data-id="${beta.id}"] [data-button="teams.edit"]`).count()).to.equal(0);

    await page.click('[data-button="nav.users"]');
    await page.fill('#users-search', inAlpha.email);
    await page.locator(`#users-table tr[data-id="${inAlpha.id}"]`).waitFor();
    expect(await page.locator(`#users-table tr[data-id="${inAlpha.id}"] [data-button="users.resetPassword"]`).count()).to.equal(1);
    await page.fill('#users-search', inBeta.email);
    await page.locator(`#users-table tr[data-id="${inBeta.id}"]`).waitFor();
    expect(await page.locator(`#users-table tr[data-id="${inBeta.id}"] [data-button="users.resetPassword"]`).count()).to.equal(0);
    await page.context().close();

    // What the server says about the row the button was hidden on: visible, so 403, not 404.
    const refused = await helpdesk.client.request('PATCH', `/api/v1/teams/${beta.id}`, { name: 'Renamed' });
    expect(refused.status).to.equal(403);
    expect(refused.body.error.id).to.equal('row_action_denied');
  });

  it('compliance officer: no inbox at all', async () => {
    const officer = await app.userWithRoles(['compliance-officer']);
    const page = await signIn(officer.email);
    await page.locator('[data-button="nav.audit"]').waitFor();
    expect(await page.locator('[data-button="nav.inbox"]').count()).to.equal(0);
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/inbox';
    });
    await page.locator('text=Your role does not allow you to open this page.').waitFor();
    expect(await page.locator('#inbox-view').count()).to.equal(0);
    await page.context().close();
  });
});
