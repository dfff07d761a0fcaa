import { expect } from 'chai';
import { newId } from '../../server/lib/ids';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { addChannel } from '../support/whatsapp';

describe('macros: one click runs label, team, send and resolve through the inbox commands, all or nothing', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let supervisor: { id: string; client: ApiClient };
  let agent: { id: string; client: ApiClient };
  let otherAgent: { id: string; client: ApiClient };
  let channelId: string;
  let vip: string;
  let billing: string;

  const db = () => app.runtime.services.db;

  /** A contact and its conversation, written straight to the tables (the inbox's webhook path is another's). */
  async function conversation(opts: { assigneeId?: string; windowOpen?: boolean; name?: string } = {}) {
    const contactId = newId();
    const id = newId();
    await db()('contacts').insert({ id: contactId, wa_id: `3361300${String(Math.floor(Math.random() * 1e4)).padStart(4, '0')}${Date.now() % 100}`, profile_name: opts.name ?? 'Camille Dupont' });
    await db()('conversations').insert({
      id, contact_id: contactId, channel_id: channelId, assignee_id: opts.assigneeId ?? null,
      last_inbound_at: opts.windowOpen === false ? new Date(Date.now() - 2 * 86_400_000) : new Date(),
    });
    return { id, contactId };
  }
  /** What a run may have changed: the contact's labels, the team, the status, the messages and the step events. */
  async function stateOf(c: { id: string; contactId: string }) {
    const contact = await db()('contacts').where({ id: c.contactId }).first();
    const row = await db()('conversations').where({ id: c.id }).first();
    const messages = await db()('messages').where({ conversation_id: c.id }).select('text', 'author_id');
    const events = await db()('audit_events').whereIn('subject_id', [c.id, c.contactId]).whereNot('action', 'conversation.viewed').orderBy('seq').pluck('action');
    return { labels: contact.label_ids, teamId: row.team_id, status: row.status, assigneeId: row.assignee_id, messages, events };
  }
  async function createMacro(client: ApiClient, body: Record<string, unknown>) {
    const res = await client.post('/api/v1/macros', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.macro;
  }
  const run = (client: ApiClient, conversationId: string, macroId: string) => client.post(`/api/v1/conversations/${conversationId}/macros/${macroId}/run`);

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    supervisor = await app.userWithRoles(['supervisor']);
    agent = await app.userWithRoles(['agent']);
    otherAgent = await app.userWithRoles(['agent']);
    await db()('users').where({ id: supervisor.id }).update({ name: 'Sam Lead' });
    await db()('users').where({ id: agent.id }).update({ name: 'Marie Curie' });
    channelId = (await addChannel(admin)).id;
    vip = (await admin.post('/api/v1/labels', { name: 'VIP' })).body.label.id;
    billing = (await admin.post('/api/v1/teams', { name: 'Billing' })).body.team.id;
  });
  after(async () => app.stop());

  const fullMacro = () => [
    { type: 'add_label', labelId: vip },
    { type: 'assign_team', teamId: billing },
    { type: 'send_text', text: 'Hello {{contact.first_name}}, {{agent.name}} here: Billing has it.' },
    { type: 'resolve' },
  ];

  it('runs label + assign team + send + resolve in order, each through its command and audited', async () => {
    const macro = await createMacro(supervisor.client, { shared: true, name: 'Hand to billing', actions: fullMacro() });
    const c = await conversation();
    const res = await run(supervisor.client, c.id, macro.id);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.conversation).to.include({ id: c.id, status: 'resolved', teamId: billing });
    const after = await stateOf(c);
    expect(after).to.deep.include({ labels: [vip], teamId: billing, status: 'resolved' });
    expect(after.messages).to.deep.equal([{ text: 'Hello Camille, Sam Lead here: Billing has it.', author_id: supervisor.id }]);
    expect(await db()('outbox').where({ channel_id: channelId })).to.have.length(1);
    // The run's event, then each step's own events, in the order the steps ran.
    const runEvent = await db()('audit_events').where({ action: 'macro.run', subject_id: macro.id }).first();
    expect(runEvent.details).to.deep.equal({ conversationId: c.id, steps: ['add_label', 'assign_team', 'send_text', 'resolve'] });
    const steps = await db()('audit_events').where('seq', '>', runEvent.seq).whereIn('subject_id', [c.id, c.contactId]).orderBy('seq').pluck('action');
    expect(steps).to.deep.equal(['contact.updated', 'conversation.transferred', 'message.sent', 'conversation.resolved']);
    expect(JSON.stringify(runEvent.details)).not.to.include('Camille');
  });

  it('refuses the whole macro, with nothing done, when the runner may not do one step (an agent may not transfer)', async () => {
    const macro = await createMacro(supervisor.client, { shared: true, name: 'Billing again', actions: fullMacro() });
    const c = await conversation({ assigneeId: agent.id });
    const before = await stateOf(c);
    const res = await run(agent.client, c.id, macro.id);
    expect(res.status).to.equal(403);
    expect(res.body.error).to.deep.include({ id: 'row_action_denied', details: { permission: 'Conversation:transfer' } });
    // The label step ran before the refused one, and was undone with it; only the refusal is recorded.
    expect(await stateOf(c)).to.deep.equal({ ...before, events: [...before.events, 'access.denied'] });
    expect(await db()('audit_events').where({ action: 'macro.run', subject_id: macro.id })).to.have.length(0);
    const refused = await db()('audit_events').where({ action: 'macro.refused', subject_id: macro.id }).first();
    expect(refused.details).to.deep.equal({ conversationId: c.id, step: 1, stepType: 'assign_team', error: 'row_action_denied' });
    const denied = await db()('audit_events').where({ action: 'access.denied', actor_id: agent.id, subject_id: c.id }).first();
    expect(denied.details.permission).to.equal('Conversation:transfer');
  });

  it('lets an agent run their own macro on their conversation: label, a shared canned response filled for them, resolve', async () => {
    const canned = (await supervisor.client.post('/api/v1/canned-responses', { shared: true, shortcut: 'done', title: 'Done', body: 'All done, {{contact.name}}. {{agent.name}}' })).body.cannedResponse;
    const macro = await createMacro(agent.client, { name: 'Wrap up', actions: [{ type: 'add_label', labelId: vip }, { type: 'send_canned', cannedId: canned.id }, { type: 'resolve' }] });
    const c = await conversation({ assigneeId: agent.id, name: 'Ada Lovelace' });
    const res = await run(agent.client, c.id, macro.id);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const after = await stateOf(c);
    expect(after).to.deep.include({ labels: [vip], status: 'resolved', assigneeId: agent.id });
    expect(after.messages).to.deep.equal([{ text: 'All done, Ada Lovelace. Marie Curie', author_id: agent.id }]);
    // Another agent neither sees nor runs it.
    expect((await otherAgent.client.get('/api/v1/macros')).body.items.map((m: { id: string }) => m.id)).not.to.include(macro.id);
    const mine = await conversation({ assigneeId: otherAgent.id });
    expect((await run(otherAgent.client, mine.id, macro.id)).status).to.equal(404);
    // A conversation the runner may not read answers 404 too, before any step.
    expect((await run(otherAgent.client, c.id, macro.id)).status).to.equal(404);
  });

  it("undoes earlier steps when a later step's command refuses (window closed), and when the lexicon blocks the text", async () => {
    const closed = await conversation({ windowOpen: false });
    const macro = await createMacro(supervisor.client, { shared: true, name: 'Label and send', actions: [{ type: 'add_label', labelId: vip }, { type: 'send_text', text: 'Hi there' }] });
    const before = await stateOf(closed);
    const res = await run(supervisor.client, closed.id, macro.id);
    expect(res.status).to.equal(409);
    expect(res.body.error.id).to.equal('window_closed');
    expect(await stateOf(closed)).to.deep.equal(before);

    const term = await admin.post('/api/v1/lexicon/terms', { term: 'zorblax bonanza', action: 'block', locale: 'en' });
    expect(term.status, JSON.stringify(term.body)).to.equal(201);
    const risky = await createMacro(supervisor.client, { shared: true, name: 'Risky', actions: [{ type: 'add_label', labelId: vip }, { type: 'send_text', text: 'Enjoy the zorblax bonanza' }, { type: 'resolve' }] });
    const c = await conversation();
    const blocked = await run(supervisor.client, c.id, risky.id);
    expect(blocked.status).to.equal(422);
    expect(blocked.body.error.id).to.equal('lexicon_blocked');
    const after = await stateOf(c);
    expect(after).to.deep.include({ labels: [], status: 'open', messages: [] });
    // The block is recorded, as for a message sent by hand, once the macro's changes are undone.
    expect(after.events).to.deep.equal(['lexicon.blocked']);
    const refused = await db()('audit_events').where({ action: 'macro.refused', subject_id: risky.id }).first();
    expect(refused.details).to.include({ step: 1, error: 'lexicon_blocked' });
  });

  it('lets agents manage only their own macros and supervisors the shared ones; checks the steps; audits every change', async () => {
    const denied = await agent.client.post('/api/v1/macros', { shared: true, name: 'Everyone', actions: [{ type: 'resolve' }] });
    expect(denied.status).to.equal(403);
    expect(denied.body.error.id).to.equal('row_action_denied');
    const unknown = await agent.client.post('/api/v1/macros', { name: 'Ghost', actions: [{ type: 'add_label', labelId: newId() }] });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.details.fields[0]).to.include({ path: 'body.actions' });
    const theirCanned = (await otherAgent.client.post('/api/v1/canned-responses', { shortcut: 'mine', title: 'Mine', body: 'x' })).body.cannedResponse;
    expect((await agent.client.post('/api/v1/macros', { name: 'Borrow', actions: [{ type: 'send_canned', cannedId: theirCanned.id }] })).status).to.equal(400);
    const badStep = await agent.client.post('/api/v1/macros', { name: 'Bad', actions: [{ type: 'delete_everything' }] });
    expect(badStep.status).to.equal(400);

    const m = await createMacro(agent.client, { name: 'Mine', actions: [{ type: 'send_text', text: 'Private words for Ada' }] });
    expect(m).to.include({ shared: false, ownerId: agent.id, runnable: true });
    expect((await agent.client.patch(`/api/v1/macros/${m.id}`, { name: 'Mine, renamed', actions: [{ type: 'resolve' }] })).status).to.equal(200);
    const shared = (await agent.client.get('/api/v1/macros')).body.items.find((x: { shared: boolean }) => x.shared);
    expect(shared.runnable).to.equal(true);
    const edit = await agent.client.patch(`/api/v1/macros/${shared.id}`, { name: 'Hijacked' });
    expect(edit.status).to.equal(403);
    expect((await otherAgent.client.delete(`/api/v1/macros/${m.id}`)).status).to.equal(404);
    expect((await agent.client.delete(`/api/v1/macros/${m.id}`)).status).to.equal(204);
    const events = await db()('audit_events').where({ subject_id: m.id }).orderBy('seq');
    // The other agent's attempt (a 404 to them) is recorded as a refusal.
    expect(events.map((e) => e.action)).to.deep.equal(['macro.created', 'macro.updated', 'access.denied', 'macro.deleted']);
    expect(JSON.stringify(events.map((e) => e.details))).not.to.include('Private words');
    expect((await (await app.userWithRoles(['auditor'])).client.get('/api/v1/macros')).status).to.equal(403);
  });
});
