import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { ensureUiBuilt, launchChromium, signIn } from '../support/ui';

describe('end to end in Chromium: routing a customer to the right agent, the keyword auto-reply, and on when they go offline', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    // No offline grace, a quick sweeper: the hand-over is waited for, never slept through.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', REASSIGN_GRACE_SECONDS: '0', ROUTING_SWEEP_SECONDS: '0.5' });
    await app.adminClient();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** An agent's panel, signed in, status switched online in the header. */
  async function agentOnline(email: string): Promise<Page> {
    const page = await signIn(await (await browser.newContext()).newPage(), app.url, email, TEST_PASSWORD);
    await page.selectOption('#status-select', 'online');
    await page.locator('#status-select[data-state="online"]').waitFor();
    await page.click('[data-button="nav.inbox"]');
    await page.waitForSelector('#inbox-view');
    return page;
  }

  it('a billing question goes to the billing agent with the most room and gets the keyword auto-reply; when she goes offline, it goes to the other one', async () => {
    const db = app.runtime.services.db;
    const admin = await app.adminClient();
    const team = (await admin.post('/api/v1/teams', { name: 'Billing' })).body.team as { id: string };
    const alice = await app.userWithRoles(['agent'], { teamIds: [team.id] });
    const bruno = await app.userWithRoles(['agent'], { teamIds: [team.id] });
    await db('users').where({ id: alice.id }).update({ name: 'Alice Billing' });
    await db('users').where({ id: bruno.id }).update({ name: 'Bruno Billing' });
    // The sandbox number routes "facture" to Billing; Billing balances load; Alice has the most room.
    const sandboxNumber = (await db('channels').first('id')) as { id: string };
    const policy = await admin.put(`/api/v1/routing/policies/channel/${sandboxNumber.id}`, {
      kind: 'skills', rules: [{ field: 'keyword', value: 'facture', teamId: team.id, choice: 'load_balance' }],
    });
    expect(policy.status, JSON.stringify(policy.body)).to.equal(200);
    expect((await admin.put(`/api/v1/availability/${alice.id}/capacity`, { capacity: 6 })).status).to.equal(200);
    expect((await admin.put(`/api/v1/availability/${bruno.id}/capacity`, { capacity: 2 })).status).to.equal(200);
    // A keyword rule answers billing questions at once, while the agent reads.
    const rule = await admin.post('/api/v1/autoreply/rules', {
      name: 'Billing', mode: 'word', keywords: ['facture'], cooldownSeconds: 3600, channelIds: [], answer: { kind: 'text', text: 'Nous vérifions votre facture.' },
    });
    expect(rule.status, JSON.stringify(rule.body)).to.equal(201);

    const alicePage = await agentOnline(alice.email);
    const brunoPage = await agentOnline(bruno.email);

    // The customer writes in the simulator (a trainer holding Sandbox:use plays them).
    const customer = await signIn(await (await browser.newContext()).newPage(), app.url, app.admin.email, TEST_PASSWORD);
    const simulatorLink = customer.locator('[data-button="nav.simulator"]');
    await simulatorLink.waitFor();
    await customer.goto(`${app.url}${await simulatorLink.getAttribute('href')}`);
    await customer.waitForSelector('#sim-number option', { state: 'attached' });
    await customer.fill('#sim-wa-id', '33677889900');
    await customer.fill('#sim-name', 'Chloé Client');
    await customer.fill('#sim-text', 'Ma facture de novembre est fausse');
    await customer.click('#sim-send');

    // Assigned to Alice (load balance in Billing): it shows in her inbox as hers.
    const inAlice = alicePage.locator('[data-conversation-id]', { hasText: 'Chloé Client' });
    await inAlice.waitFor({ timeout: 15_000 });
    await inAlice.click();
    await alicePage.locator('#conversation-assignee', { hasText: 'Alice Billing' }).waitFor({ timeout: 10_000 });
    const conversationId = await inAlice.getAttribute('data-conversation-id');
    // The keyword got the auto-reply: in Alice's conversation, and back in the simulator.
    await alicePage.getByText('Nous vérifions votre facture.').first().waitFor({ timeout: 15_000 });
    await customer.getByText('Nous vérifions votre facture.').first().waitFor({ timeout: 15_000 });
    const answered = await db('messages').where({ conversation_id: conversationId, direction: 'out' }).select('author_type', 'text');
    expect(answered).to.deep.equal([{ author_type: 'bot', text: 'Nous vérifions votre facture.' }]);
    const owner = (await db('conversations').where({ id: conversationId }).first('assignee_id')) as { assignee_id: string };
    expect(owner.assignee_id).to.equal(alice.id);

    // Alice goes offline from her header: the conversation moves to Bruno, live in his inbox.
    await alicePage.selectOption('#status-select', 'offline');
    const inBruno = brunoPage.locator('[data-conversation-id]', { hasText: 'Chloé Client' });
    await inBruno.waitFor({ timeout: 15_000 });
    await inBruno.click();
    await brunoPage.locator('#conversation-assignee', { hasText: 'Bruno Billing' }).waitFor({ timeout: 10_000 });
    await eventually('the hand-over recorded', async () => {
      const events = await db('audit_events').where({ subject_id: conversationId }).whereIn('action', ['routing.assigned', 'routing.unassigned']).orderBy('seq').select('action', 'details');
      return events.length === 3 && events;
    });
    const events = await db('audit_events').where({ subject_id: conversationId }).whereIn('action', ['routing.assigned', 'routing.unassigned']).orderBy('seq').select('action', 'details');
    expect(events.map((e) => [e.action, e.details.reason, e.details.toAssigneeId ?? e.details.fromAssigneeId])).to.deep.equal([
      ['routing.assigned', 'new_conversation', alice.id],
      ['routing.unassigned', 'agent_offline', alice.id],
      ['routing.assigned', 'queued', bruno.id],
    ]);
    // The conversation tells who held it and why.
    await brunoPage.click('#assignment-history summary');
    await brunoPage.locator('#assignment-history li[data-reason="agent_offline"]').waitFor({ timeout: 10_000 });
    expect(await brunoPage.locator('#assignment-history li').count()).to.equal(3);
    await brunoPage.screenshot({ path: 'test-results/e2e-routing.png' }).catch(() => undefined);
  });

  it('a supervisor sees the agents’ states on the Availability page, and the Routing page lists the policies, at phone width', async () => {
    const sup = await app.userWithRoles(['supervisor']);
    const context = await browser.newContext({ viewport: { width: 390, height: 800 } });
    const page = await signIn(await context.newPage(), app.url, sup.email, TEST_PASSWORD);
    await page.goto(`${app.url}/#/availability`);
    await page.locator('#availability-table [data-button="availability.override"]').first().waitFor();
    const overflow = await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth - (globalThis as any).document.documentElement.clientWidth);
    expect(overflow).to.be.at.most(0);
    await page.goto(`${app.url}/#/routing`);
    await page.locator('#routing-table [data-kind="skills"]').waitFor();
    // A supervisor reads policies but may not edit them.
    expect(await page.locator('[data-button="routing.edit"]').count()).to.equal(0);
    await context.close();
  });
});

describe('end to end in Chromium: a supervisor is alerted of a customer waiting past the first-response target', function () {
  this.timeout(180_000);
  let app: TestApp;
  let browser: Browser;

  before(async () => {
    ensureUiBuilt();
    // A one-second target and a quick sweeper: the alert comes within the test, waited for.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', FIRST_RESPONSE_TARGET_SECONDS: '1', ROUTING_SWEEP_SECONDS: '0.3' });
    await app.adminClient();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('the Availability entry shows the alert; the page lists the customer with their agent, live; an answer clears it; an agent sees no list', async () => {
    const db = app.runtime.services.db;
    const agent = await app.userWithRoles(['agent']);
    await db('users').where({ id: agent.id }).update({ name: 'Chloé Desk' });
    expect((await agent.client.put(`/api/v1/availability/${agent.id}/state`, { state: 'online' })).status).to.equal(200);
    const sup = await app.userWithRoles(['supervisor']);
    const page = await signIn(await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage(), app.url, sup.email, TEST_PASSWORD);
    await page.click('[data-button="nav.inbox"]');
    await page.waitForSelector('#inbox-view');

    const sandbox = app.runtime.sandbox!.sandbox;
    const phoneNumberId = ((await db('channels').first('phone_number_id')) as { phone_number_id: string }).phone_number_id;
    await sandbox.customerSends({ phoneNumberId, from: '33600000777', profileName: 'Marc Attente', message: { type: 'text', body: 'Allô ? Personne ?' } });
    const conversation = await eventually('assigned to the agent', async () =>
      (await db('conversations as v').join('contacts as c', 'c.id', 'v.contact_id').where('c.wa_id', '33600000777').whereNotNull('v.assignee_id').first('v.id')) as { id: string } | undefined);

    // Nobody else can take it: the router alerts supervisors, and the menu says so.
    const badge = page.locator('#overdue-alerts');
    await badge.waitFor({ timeout: 15_000 });
    expect(await badge.getAttribute('data-count')).to.equal('1');
    await page.click('[data-button="nav.availability"]');
    const row = page.locator(`#overdue-list li[data-conversation-id="${conversation.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).to.contain('Marc Attente').and.to.contain('Chloé Desk');
    expect(await page.locator('#overdue-alerts').count()).to.equal(0);
    expect(await row.locator('[data-button="availability.openOverdue"]').getAttribute('href')).to.equal(`#/inbox/${conversation.id}`);

    // The agent answers: the customer no longer waits, and the list says so without a reload.
    expect((await agent.client.post(`/api/v1/conversations/${conversation.id}/messages`, { type: 'text', text: 'Bonjour, je suis là.' })).status).to.equal(201);
    await page.locator('#overdue-empty').waitFor({ timeout: 15_000 });

    // An agent may not assign: no list on their Availability page.
    const agentPage = await signIn(await (await browser.newContext()).newPage(), app.url, agent.email, TEST_PASSWORD);
    await agentPage.goto(`${app.url}/#/availability`);
    await agentPage.locator('#availability-table').waitFor();
    expect(await agentPage.locator('#overdue').count()).to.equal(0);
    await page.context().close();
    await agentPage.context().close();
  });
});
