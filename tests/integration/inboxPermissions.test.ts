import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { SseClient } from '../support/sse';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('inbox permissions: views, claiming, row refusals, eligible assignees, previews and statuses', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let phoneNumberId: string;
  let waCounter = 0;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    phoneNumberId = (await admin.get('/api/v1/channels')).body.items[0].phoneNumberId;
  });
  after(async () => app.stop());

  const eventsOf = async (query: string) => (await admin.get(`/api/v1/audit/events?${query}`)).body.items as Array<Record<string, any>>;

  async function customerWrites(text: string, waId = `3371300${String(++waCounter).padStart(4, '0')}`) {
    await sandbox.customerSends({ phoneNumberId, from: waId, profileName: 'Lou', message: { type: 'text', body: text } });
    return eventually('the conversation', async () => {
      const list = await admin.get(`/api/v1/conversations?q=${waId}`);
      return list.body.items.find((c: any) => c.lastMessagePreview === text);
    });
  }

  // WhatsApp stamps a customer's message in whole seconds, and the list orders by those times: a
  // customer answering within the second of a reply would sort before it. Wait for the next second.
  async function nextSecondAfter(iso: string) {
    const second = Math.floor(Date.parse(iso) / 1000);
    await eventually('the next second', async () => Math.floor(Date.now() / 1000) > second);
  }

  async function customRole(key: string, rules: unknown[]): Promise<string> {
    const res = await admin.post('/api/v1/roles', { key, name: key, rules });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.role.id as string;
  }

  it('a read-all role without assign lists every conversation, and reading one never assigns it', async () => {
    await customRole('read-all-supervisor', [{ action: 'read', subject: 'Conversation' }]);
    const watcher = await app.userWithRoles(['read-all-supervisor']);
    const agent = await app.userWithRoles(['agent']);
    const conv = await customerWrites('Allô ?');
    await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.id });
    const all = await watcher.client.get('/api/v1/conversations?view=all');
    expect(all.body.items.map((c: any) => c.id)).to.include(conv.id);
    expect((await watcher.client.get(`/api/v1/conversations/${conv.id}`)).status).to.equal(200);
    expect((await watcher.client.post(`/api/v1/conversations/${conv.id}/read`)).status).to.equal(204);
    const queued = await customerWrites('Personne ?');
    expect((await watcher.client.post(`/api/v1/conversations/${queued.id}/read`)).status).to.equal(204);
    expect((await admin.get(`/api/v1/conversations/${queued.id}`)).body.conversation.assignee).to.equal(null);
    const mine = await watcher.client.get('/api/v1/conversations?view=mine');
    expect(mine.body.items).to.deep.equal([]);
  });

  it('an agent must claim a queued conversation before replying; the claim is audited and wins once', async () => {
    const agent = await app.userWithRoles(['agent']);
    const other = await app.userWithRoles(['agent']);
    const conv = await customerWrites('Bonjour, une question');
    const refused = await agent.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Je regarde' });
    expect(refused.status).to.equal(403);
    expect(refused.body.error.id).to.equal('claim_required');
    const deniedSend = await eventsOf(`action=access.denied&actorId=${agent.id}`);
    expect(deniedSend[0]).to.deep.include({ subjectType: 'Conversation', subjectId: conv.id });
    expect(deniedSend[0]!.details).to.include({ permission: 'Conversation:claim', row: true, method: 'POST' });
    expect((await admin.get(`/api/v1/conversations/${conv.id}`)).body.conversation.assignee).to.equal(null);

    const claimed = await agent.client.post(`/api/v1/conversations/${conv.id}/claim`);
    expect(claimed.status).to.equal(200);
    expect(claimed.body.conversation.assignee.id).to.equal(agent.id);
    const events = await eventsOf(`action=conversation.claimed&subjectId=${conv.id}`);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({ actorId: agent.id, subjectType: 'Conversation' });
    // Taken: the other agent no longer sees it; an admin claiming it finds it taken.
    expect((await other.client.post(`/api/v1/conversations/${conv.id}/claim`)).status).to.equal(404);
    const late = await admin.post(`/api/v1/conversations/${conv.id}/claim`);
    expect(late.status).to.equal(409);
    expect(late.body.error.id).to.equal('conflict');
    // Claiming one's own conversation again is a refusal on a row the agent sees.
    const again = await agent.client.post(`/api/v1/conversations/${conv.id}/claim`);
    expect(again.status).to.equal(403);
    expect(again.body.error.id).to.equal('row_action_denied');

    expect((await agent.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Je regarde' })).status).to.equal(201);
  });

  it('a reply by someone who hands work out (assign) leaves the conversation in the queue', async () => {
    const supervisor = await app.userWithRoles(['supervisor']);
    const conv = await customerWrites('Allô le superviseur');
    expect((await supervisor.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'On arrive' })).status).to.equal(201);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Et moi aussi' })).status).to.equal(201);
    expect((await admin.get(`/api/v1/conversations/${conv.id}`)).body.conversation.assignee).to.equal(null);
    expect((await supervisor.client.post(`/api/v1/conversations/${conv.id}/claim`)).status).to.equal(403);
  });

  it('refuses an action on a row the user sees with 403 row_action_denied (audited), and hides rows they cannot see with 404', async () => {
    const agent = await app.userWithRoles(['agent']);
    const other = await app.userWithRoles(['agent']);
    const queued = await customerWrites('Pas encore pris');
    const refused = await agent.client.post(`/api/v1/conversations/${queued.id}/resolve`);
    expect(refused.status).to.equal(403);
    expect(refused.body.error).to.deep.include({ id: 'row_action_denied' });
    expect(refused.body.error.message).to.match(/resolve/);
    const denied = await eventsOf(`action=access.denied&actorId=${agent.id}`);
    expect(denied[0]).to.deep.include({ subjectType: 'Conversation', subjectId: queued.id });
    expect(denied[0]!.details).to.include({ permission: 'Conversation:resolve', row: true });

    const theirs = await customerWrites('À quelqu’un d’autre');
    await admin.post(`/api/v1/conversations/${theirs.id}/assign`, { assigneeId: other.id });
    const hidden = await agent.client.post(`/api/v1/conversations/${theirs.id}/resolve`);
    expect(hidden.status).to.equal(404);
    expect(hidden.body.error.id).to.equal('not_found');

    // The same split on another module's rows: a team lead may edit one team and see all.
    const teamA = (await admin.post('/api/v1/teams', { name: `Alpha ${Date.now()}` })).body.team;
    const teamB = (await admin.post('/api/v1/teams', { name: `Beta ${Date.now()}` })).body.team;
    await customRole('alpha-lead', [
      { action: 'read', subject: 'Team' },
      { action: 'update', subject: 'Team', conditions: { id: teamA.id } },
    ]);
    const lead = await app.userWithRoles(['alpha-lead']);
    expect((await lead.client.request('PATCH', `/api/v1/teams/${teamA.id}`, { name: `Alpha renamed ${Date.now()}` })).status).to.equal(200);
    const notThat = await lead.client.request('PATCH', `/api/v1/teams/${teamB.id}`, { name: 'Nope' });
    expect(notThat.status).to.equal(403);
    expect(notThat.body.error.id).to.equal('row_action_denied');
  });

  it('lists as assignees only active users who could work the conversation, and refuses the others', async () => {
    const team = (await admin.post('/api/v1/teams', { name: `Billing ${Date.now()}` })).body.team;
    const elsewhere = (await admin.post('/api/v1/teams', { name: `Sales ${Date.now()}` })).body.team;
    await customRole('team-agent', [
      { action: 'read', subject: 'Conversation', conditions: { teamId: { $in: '${user.teamIds}' } } },
      { action: 'create', subject: 'Message' },
    ]);
    const agent = await app.userWithRoles(['agent']);
    const officer = await app.userWithRoles(['compliance-officer']);
    const billing = await app.userWithRoles(['team-agent'], { teamIds: [team.id] });
    const sales = await app.userWithRoles(['team-agent'], { teamIds: [elsewhere.id] });
    const disabled = await app.userWithRoles(['agent']);
    expect((await admin.post(`/api/v1/users/${disabled.id}/disable`)).status).to.equal(200);

    const conv = await customerWrites('Facture');
    await admin.post(`/api/v1/conversations/${conv.id}/transfer`, { teamId: team.id });
    const ids = (await admin.get(`/api/v1/conversations/${conv.id}/assignees`)).body.items.map((u: any) => u.id);
    expect(ids).to.include.members([agent.id, billing.id]);
    expect(ids).not.to.include.members([officer.id]);
    expect(ids).not.to.include(sales.id);
    expect(ids).not.to.include(disabled.id);
    // Moving it to the other team changes who could work it.
    const toSales = (await admin.get(`/api/v1/conversations/${conv.id}/assignees?for=transfer&teamId=${elsewhere.id}`)).body.items.map((u: any) => u.id);
    expect(toSales).to.include(sales.id);
    expect(toSales).not.to.include(billing.id);

    const wrong = await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: officer.id });
    expect(wrong.status).to.equal(400);
    expect(wrong.body.error.details.fields[0].path).to.equal('body.assigneeId');
    expect((await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: sales.id })).status).to.equal(400);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: billing.id })).status).to.equal(200);

    // An agent may not ask who a conversation could be assigned to: they may not assign.
    const mine = await customerWrites('Pour l’agent');
    await admin.post(`/api/v1/conversations/${mine.id}/assign`, { assigneeId: agent.id });
    expect((await agent.client.get(`/api/v1/conversations/${mine.id}/assignees`)).status).to.equal(403);
  });

  it('refuses a transfer to a team the actor may not see, like a missing one', async () => {
    const visible = (await admin.post('/api/v1/teams', { name: `Visible ${Date.now()}` })).body.team;
    const hidden = (await admin.post('/api/v1/teams', { name: `Hidden ${Date.now()}` })).body.team;
    await customRole('narrow-dispatcher', [
      { action: ['read', 'transfer'], subject: 'Conversation' },
      { action: 'read', subject: 'Team', conditions: { id: visible.id } },
    ]);
    const dispatcher = await app.userWithRoles(['narrow-dispatcher']);
    const conv = await customerWrites('Transférez-moi');
    const refused = await dispatcher.client.post(`/api/v1/conversations/${conv.id}/transfer`, { teamId: hidden.id });
    expect(refused.status).to.equal(400);
    expect(refused.body.error.details.fields[0].path).to.equal('body.teamId');
    expect((await dispatcher.client.post(`/api/v1/conversations/${conv.id}/transfer`, { teamId: visible.id })).status).to.equal(200);
  });

  it("names the author of the last outbound message in the list, and nobody after the customer's", async () => {
    const agent = await app.userWithRoles(['agent']);
    const waId = '33713999001';
    const conv = await customerWrites('Premier message', waId);
    expect(conv.lastMessageAuthor).to.equal(null);
    await agent.client.post(`/api/v1/conversations/${conv.id}/claim`);
    const reply = await agent.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Réponse' });
    const listed = (await agent.client.get('/api/v1/conversations?view=mine')).body.items.find((c: any) => c.id === conv.id);
    expect(listed.lastMessageDirection).to.equal('out');
    expect(listed.lastMessageAuthor).to.deep.equal({ id: agent.id, name: 'Test agent' });
    await nextSecondAfter(reply.body.message.createdAt);
    const after = await customerWrites('Merci', waId);
    expect(after.lastMessageAuthor).to.equal(null);
  });

  it('sending on a resolved conversation reopens it (audited); pending waits on the customer, whose message opens it', async () => {
    const waId = '33713999002';
    const conv = await customerWrites('Une question', waId);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/resolve`)).body.conversation.status).to.equal('resolved');
    const sse = await SseClient.connect(app.url, admin);
    try {
      expect((await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Encore une chose' })).status).to.equal(201);
      // The lists learn it live.
      await sse.waitFor('conversation.updated', (d: any) => d.conversation.id === conv.id && d.conversation.status === 'open');
    } finally {
      sse.close();
    }
    expect((await admin.get(`/api/v1/conversations/${conv.id}`)).body.conversation.status).to.equal('open');
    expect((await eventsOf(`action=conversation.reopened&subjectId=${conv.id}`)).length).to.equal(1);

    const pending = await admin.post(`/api/v1/conversations/${conv.id}/pending`);
    expect(pending.body.conversation.status).to.equal('pending');
    expect((await eventsOf(`action=conversation.pending&subjectId=${conv.id}`)).length).to.equal(1);
    const listed = await admin.get('/api/v1/conversations?status=pending');
    expect(listed.body.items.map((c: any) => c.id)).to.include(conv.id);
    // A reply while pending keeps it pending: still waiting on the customer.
    const asked = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Vous avez reçu le lien ?' });
    expect((await admin.get(`/api/v1/conversations/${conv.id}`)).body.conversation.status).to.equal('pending');
    await nextSecondAfter(asked.body.message.createdAt);
    const back = await customerWrites('Oui, merci', waId);
    expect(back.status).to.equal('open');

    // An agent may set pending only what they may resolve: their own.
    const agent = await app.userWithRoles(['agent']);
    const queued = await customerWrites('En attente ?');
    expect((await agent.client.post(`/api/v1/conversations/${queued.id}/pending`)).body.error.id).to.equal('row_action_denied');
  });
});
