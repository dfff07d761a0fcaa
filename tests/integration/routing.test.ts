import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { SseClient } from '../support/sse';
import { lockRouting } from '../../server/modules/routing/queueRepo';
import { addChannel, inbound, postWebhook, type TestChannel } from '../support/whatsapp';

type Db = TestApp['runtime']['services']['db'];

let customerSeq = 0;
/** A new customer writes on the channel; their conversation's id. */
async function newCustomer(app: TestApp, channel: TestChannel, text = 'Hello'): Promise<string> {
  customerSeq += 1;
  const waId = `3361${String(Date.now() % 1_000_000).padStart(6, '0')}${String(customerSeq).padStart(3, '0')}`;
  expect(await postWebhook(app.url, channel.appSecret, inbound(channel, waId, { type: 'text', text: { body: text } }))).to.equal(200);
  const row = (await app.runtime.services.db('conversations as v').join('contacts as c', 'c.id', 'v.contact_id').where('c.wa_id', waId).first('v.id')) as { id: string };
  return row.id;
}

const assigneeOf = async (db: Db, id: string) => ((await db('conversations').where({ id }).first('assignee_id')) as { assignee_id: string | null }).assignee_id;
const routingEvents = (db: Db, id: string) =>
  db('audit_events').where({ subject_type: 'Conversation', subject_id: id }).whereIn('action', ['routing.assigned', 'routing.unassigned']).orderBy('seq').select('action', 'actor_type', 'details');

describe('routing: availability, capacity, policies and the router', function () {
  this.timeout(90_000);
  let app: TestApp;
  let admin: ApiClient;
  let db: Db;

  before(async () => {
    // A quick sweeper and no offline grace, so reassignment is seen at once (waited for, never slept).
    app = await startTestApp({ ROUTING_SWEEP_SECONDS: '0.2', REASSIGN_GRACE_SECONDS: '0' });
    admin = await app.adminClient();
    db = app.runtime.services.db;
  });
  after(async () => app.stop());

  /** Every agent offline and every waiting conversation resolved: each test starts from an empty floor. */
  afterEach(async () => {
    await db('agent_availability').update({ state: 'offline' });
    await db('conversations').whereNot('status', 'resolved').update({ status: 'resolved' });
    await db('routing_policies').delete();
  });

  it('an agent sets their own state, not another’s; a supervisor overrides and sets capacity; each change audited', async () => {
    const a = await app.userWithRoles(['agent']);
    const b = await app.userWithRoles(['agent']);
    const sup = await app.userWithRoles(['supervisor']);
    const mine = await a.client.put(`/api/v1/availability/${a.id}/state`, { state: 'online' });
    expect(mine.status, JSON.stringify(mine.body)).to.equal(200);
    expect(mine.body.availability).to.include({ userId: a.id, state: 'online', effectiveCapacity: 6, open: 0 });
    // Another agent's row is not theirs to see: 404, as if missing (and the refusal is audited).
    expect((await a.client.put(`/api/v1/availability/${b.id}/state`, { state: 'online' })).status).to.equal(404);
    expect((await a.client.put(`/api/v1/availability/${a.id}/capacity`, { capacity: 9 })).status).to.equal(403);
    expect((await a.client.put(`/api/v1/availability/${a.id}/state`, { state: 'busy' })).body.error.id).to.equal('validation_failed');
    expect((await a.client.get('/api/v1/availability')).body.items.map((i: { userId: string }) => i.userId)).to.deep.equal([a.id]);

    expect((await sup.client.put(`/api/v1/availability/${a.id}/state`, { state: 'away' })).body.availability.state).to.equal('away');
    expect((await sup.client.put(`/api/v1/availability/${a.id}/capacity`, { capacity: 2 })).body.availability).to.include({ capacity: 2, effectiveCapacity: 2 });
    const events = await db('audit_events').where({ subject_type: 'User', subject_id: a.id }).whereLike('action', 'availability.%').orderBy('seq').select('action', 'actor_id', 'details');
    expect(events.map((e) => [e.action, e.actor_id, e.details.to])).to.deep.equal([
      ['availability.changed', a.id, 'online'],
      ['availability.changed', sup.id, 'away'],
      ['availability.capacity_changed', sup.id, 2],
    ]);
    expect(events[1]!.details).to.include({ override: true, from: 'online' });
    const auditor = await app.userWithRoles(['auditor']);
    expect((await auditor.client.get('/api/v1/availability')).status).to.equal(403);
  });

  it('assigns a new customer to an online agent, rotating fairly, audited with the policy and the reason', async () => {
    const channel = await addChannel(admin);
    const a = await app.userWithRoles(['agent']);
    const b = await app.userWithRoles(['agent']);
    const offline = await app.userWithRoles(['agent']);
    for (const agent of [a, b]) {
      expect((await agent.client.put(`/api/v1/availability/${agent.id}/state`, { state: 'online' })).status).to.equal(200);
    }
    const ids: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const id = await newCustomer(app, channel);
      ids.push(id);
      await eventually('the conversation to be assigned', async () => assigneeOf(db, id));
    }
    const owners = await Promise.all(ids.map((id) => assigneeOf(db, id)));
    expect(owners.filter((o) => o === a.id)).to.have.length(2);
    expect(owners.filter((o) => o === b.id)).to.have.length(2);
    expect(owners).to.not.include(offline.id);
    const [event] = await routingEvents(db, ids[0]!);
    expect(event).to.deep.include({ action: 'routing.assigned', actor_type: 'system' });
    expect(event!.details).to.include({ policy: 'round_robin', reason: 'new_conversation', fromAssigneeId: null });
    // The agent sees it as theirs.
    const owner = owners[0] === a.id ? a : b;
    expect((await owner.client.get(`/api/v1/conversations/${ids[0]}`)).status).to.equal(200);
  });

  it('never assigns above capacity: the rest waits, oldest first, and is assigned when capacity frees up', async () => {
    const channel = await addChannel(admin);
    const a = await app.userWithRoles(['agent']);
    await admin.put(`/api/v1/availability/${a.id}/capacity`, { capacity: 1 });
    await a.client.put(`/api/v1/availability/${a.id}/state`, { state: 'online' });
    const first = await newCustomer(app, channel);
    await eventually('the first to be assigned', async () => (await assigneeOf(db, first)) === a.id);
    const second = await newCustomer(app, channel);
    const third = await newCustomer(app, channel);
    // Both wait (the router has decided on them: nothing pending).
    await eventually('the router to have looked at both', async () => (await db('conversations').whereIn('id', [second, third]).where('routing_pending', true)).length === 0);
    expect(await assigneeOf(db, second)).to.equal(null);
    expect(await assigneeOf(db, third)).to.equal(null);

    // Resolving frees the place: the oldest waiting one takes it.
    expect((await a.client.post(`/api/v1/conversations/${first}/resolve`)).status).to.equal(200);
    await eventually('the second to be assigned', async () => (await assigneeOf(db, second)) === a.id);
    expect(await assigneeOf(db, third)).to.equal(null);
    // A raised capacity too.
    await admin.put(`/api/v1/availability/${a.id}/capacity`, { capacity: 2 });
    await eventually('the third to be assigned', async () => (await assigneeOf(db, third)) === a.id);
    const listed = (await admin.get('/api/v1/availability')).body.items.find((i: { userId: string }) => i.userId === a.id);
    expect(listed).to.include({ open: 2, effectiveCapacity: 2, state: 'online' });
  });

  it('a team’s default capacity applies to members without their own', async () => {
    const team = (await admin.post('/api/v1/teams', { name: `Capacity ${Date.now()}` })).body.team;
    const patched = await admin.patch(`/api/v1/teams/${team.id}`, { defaultCapacity: 3 });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    expect(patched.body.team.defaultCapacity).to.equal(3);
    const a = await app.userWithRoles(['agent'], { teamIds: [team.id] });
    expect((await admin.get('/api/v1/availability')).body.items.find((i: { userId: string }) => i.userId === a.id)).to.include({ effectiveCapacity: 3, capacity: null });
    expect((await admin.patch(`/api/v1/teams/${team.id}`, { defaultCapacity: -1 })).body.error.id).to.equal('validation_failed');
  });

  it('policies: manual keeps the queue; skills send a keyword to a team; bad policies are refused', async () => {
    const channel = await addChannel(admin);
    const billing = (await admin.post('/api/v1/teams', { name: `Billing ${Date.now()}` })).body.team;
    const general = await app.userWithRoles(['agent']);
    const biller = await app.userWithRoles(['agent'], { teamIds: [billing.id] });
    for (const agent of [general, biller]) {
      await agent.client.put(`/api/v1/availability/${agent.id}/state`, { state: 'online' });
    }
    const manual = await admin.put(`/api/v1/routing/policies/channel/${channel.id}`, { kind: 'manual' });
    expect(manual.status, JSON.stringify(manual.body)).to.equal(200);
    const queued = await newCustomer(app, channel);
    await eventually('the router to have looked at it', async () => !(await db('conversations').where({ id: queued }).first('routing_pending')).routing_pending);
    expect(await assigneeOf(db, queued)).to.equal(null);
    // Agents take it from the shared queue.
    expect((await general.client.post(`/api/v1/conversations/${queued}/claim`)).status).to.equal(200);

    const skills = await admin.put(`/api/v1/routing/policies/channel/${channel.id}`, {
      kind: 'skills', rules: [{ field: 'keyword', value: 'invoice', teamId: billing.id, choice: 'load_balance' }],
    });
    expect(skills.status, JSON.stringify(skills.body)).to.equal(200);
    const invoice = await newCustomer(app, channel, 'Where is my INVOICE?');
    await eventually('the invoice question to go to billing', async () => (await assigneeOf(db, invoice)) === biller.id);
    const [event] = await routingEvents(db, invoice);
    expect(event!.details).to.include({ policy: 'skills', teamId: billing.id });
    expect((await db('conversations').where({ id: invoice }).first('team_id')).team_id).to.equal(billing.id);

    const unknownTeam = await admin.put(`/api/v1/routing/policies/channel/${channel.id}`, { kind: 'skills', rules: [{ field: 'label', value: 'vip', teamId: channel.id }] });
    expect(unknownTeam.status).to.equal(400);
    expect(unknownTeam.body.error.details.fields[0].path).to.equal('body.rules.0.teamId');
    expect((await admin.put(`/api/v1/routing/policies/team/${billing.id}`, { kind: 'skills' })).body.error.id).to.equal('validation_failed');
    expect((await admin.put(`/api/v1/routing/policies/channel/${billing.id}`, { kind: 'manual' })).status).to.equal(404);
    const supervisor = await app.userWithRoles(['supervisor']);
    expect((await supervisor.client.get('/api/v1/routing/policies')).status).to.equal(200);
    expect((await supervisor.client.put(`/api/v1/routing/policies/channel/${channel.id}`, { kind: 'manual' })).status).to.equal(403);
    const saved = await db('audit_events').where({ action: 'routing.policy_saved' }).whereRaw(`details->>'scopeId' = ?`, [channel.id]);
    expect(saved).to.have.length(2);
    expect((await admin.delete(`/api/v1/routing/policies/channel/${channel.id}`)).status).to.equal(204);
  });

  it('a person’s assignment made while the router waits to look at the new conversation stands', async () => {
    // Both flaky Chromium and fan-out tests hit this: the router, kicked by the inbound commit,
    // read the conversation still marked pending after an admin had assigned it, and handed it
    // back to the queue because its new (offline) holder was unavailable.
    const channel = await addChannel(admin);
    const agent = await app.userWithRoles(['agent']);
    const holder = await db.transaction();
    try {
      await lockRouting(holder);
      const id = await newCustomer(app, channel);
      await eventually('the router to wait for the lock', async () =>
        (await db.raw(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`)).rows.length > 0);
      expect((await admin.post(`/api/v1/conversations/${id}/assign`, { assigneeId: agent.id })).status).to.equal(200);
      await holder.commit();
      // Lock waiters are served in order: once this gets the lock, the router's pass is done.
      await db.transaction(async (trx) => lockRouting(trx));
      expect(await assigneeOf(db, id)).to.equal(agent.id);
      expect(await routingEvents(db, id)).to.deep.equal([]);
    } finally {
      if (!holder.isCompleted()) {
        await holder.rollback();
      }
    }
  });

  it('sticky owner: a returning customer goes back to their previous agent', async () => {
    const channel = await addChannel(admin);
    await admin.put(`/api/v1/routing/policies/channel/${channel.id}`, { kind: 'sticky' });
    const a = await app.userWithRoles(['agent']);
    const b = await app.userWithRoles(['agent']);
    for (const agent of [a, b]) {
      await agent.client.put(`/api/v1/availability/${agent.id}/state`, { state: 'online' });
    }
    const id = await newCustomer(app, channel);
    const owner = await eventually('assigned', async () => assigneeOf(db, id));
    const ownerClient = owner === a.id ? a.client : b.client;
    expect((await ownerClient.post(`/api/v1/conversations/${id}/resolve`)).status).to.equal(200);
    const waId = ((await db('conversations as v').join('contacts as c', 'c.id', 'v.contact_id').where('v.id', id).first('c.wa_id')) as { wa_id: string }).wa_id;
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, waId, { type: 'text', text: { body: 'Me again' } }))).to.equal(200);
    await eventually('the returning customer to be routed', async () => {
      const events = await routingEvents(db, id);
      return events.length === 2 && events[1];
    });
    const events = await routingEvents(db, id);
    expect(events[1]!.details).to.include({ reason: 'sticky_owner', toAssigneeId: owner, policy: 'sticky' });
  });

  it('an agent going offline hands their conversations to the queue and on to another agent; a signed-out agent goes offline', async () => {
    const channel = await addChannel(admin);
    const a = await app.userWithRoles(['agent']);
    await a.client.put(`/api/v1/availability/${a.id}/state`, { state: 'online' });
    const id = await newCustomer(app, channel);
    await eventually('assigned to a', async () => (await assigneeOf(db, id)) === a.id);
    const b = await app.userWithRoles(['agent']);
    await b.client.put(`/api/v1/availability/${b.id}/state`, { state: 'online' });
    await a.client.put(`/api/v1/availability/${a.id}/state`, { state: 'offline' });
    await eventually('moved to b', async () => (await assigneeOf(db, id)) === b.id);
    const events = await routingEvents(db, id);
    expect(events.map((e) => [e.action, e.details.reason])).to.deep.equal([
      ['routing.assigned', 'new_conversation'],
      ['routing.unassigned', 'agent_offline'],
      ['routing.assigned', 'queued'],
    ]);
    expect(events[1]!.details.fromAssigneeId).to.equal(a.id);
    // The conversation shows its assignment changes to whoever may read it; to others it does not exist.
    const shown = await b.client.get(`/api/v1/conversations/${id}/assignments`);
    expect(shown.status).to.equal(200);
    expect(shown.body.items.map((e: { action: string }) => e.action)).to.deep.equal(['routing.assigned', 'routing.unassigned', 'routing.assigned']);
    expect(shown.body.names[`User:${a.id}`]).to.be.a('string');
    expect(Object.keys(shown.body.names).every((k) => k.startsWith('User:') || k.startsWith('Team:'))).to.equal(true);
    expect((await a.client.get(`/api/v1/conversations/${id}/assignments`)).status).to.equal(404);

    // b signs out of their only session: offline (by the system), and the conversation waits.
    expect((await b.client.post('/api/v1/auth/logout')).status).to.equal(204);
    await eventually('b to be offline', async () => (await db('agent_availability').where({ user_id: b.id }).first('state')).state === 'offline');
    await eventually('back in the queue', async () => (await assigneeOf(db, id)) === null);
    const offline = await db('audit_events').where({ subject_id: b.id, action: 'availability.changed' }).orderBy('seq', 'desc').first('actor_type', 'details');
    expect(offline).to.deep.include({ actor_type: 'system' });
    expect(offline!.details).to.include({ to: 'offline', reason: 'signed_out' });
  });
});

describe('routing: heartbeats and the first-response target', function () {
  this.timeout(90_000);
  let app: TestApp;
  let admin: ApiClient;
  let db: Db;

  before(async () => {
    app = await startTestApp({ ROUTING_SWEEP_SECONDS: '0.2', AVAILABILITY_HEARTBEAT_TIMEOUT_SECONDS: '2', FIRST_RESPONSE_TARGET_SECONDS: '1' });
    admin = await app.adminClient();
    db = app.runtime.services.db;
  });
  after(async () => app.stop());

  it('an agent whose panel stops beating goes offline', async () => {
    const a = await app.userWithRoles(['agent']);
    await a.client.put(`/api/v1/availability/${a.id}/state`, { state: 'online' });
    expect((await a.client.post('/api/v1/availability/heartbeat')).status).to.equal(204);
    await eventually('offline after the timeout', async () => (await db('agent_availability').where({ user_id: a.id }).first('state')).state === 'offline');
    const event = await db('audit_events').where({ subject_id: a.id, action: 'availability.changed' }).orderBy('seq', 'desc').first('details');
    expect(event!.details).to.include({ reason: 'heartbeat_timeout', from: 'online' });
  });

  it('a customer left waiting past the target is offered to another agent, and supervisors are alerted', async () => {
    const channel = await addChannel(admin);
    const a = await app.userWithRoles(['agent']);
    await a.client.put(`/api/v1/availability/${a.id}/state`, { state: 'online' });
    const sup = await app.userWithRoles(['supervisor']);
    const sse = await SseClient.connect(app.url, sup.client);
    // Agents keep their panels open (heartbeats) while the customer waits.
    const agents = [a];
    const beating = setInterval(() => agents.forEach((x) => void x.client.post('/api/v1/availability/heartbeat')), 300);
    try {
      const id = await newCustomer(app, channel);
      await eventually('assigned to a', async () => (await assigneeOf(db, id)) === a.id);
      const b = await app.userWithRoles(['agent']);
      agents.push(b);
      await b.client.put(`/api/v1/availability/${b.id}/state`, { state: 'online' });
      await eventually('offered to b', async () => (await assigneeOf(db, id)) === b.id, 15_000);
      const events = await routingEvents(db, id);
      expect(events[events.length - 1]!.details).to.include({ reason: 'first_response_overdue', fromAssigneeId: a.id, toAssigneeId: b.id });
      await sse.waitFor('routing.overdue', (data: { conversationId: string }) => data.conversationId === id);

      // The supervisor's list of customers waiting past the target has it, with since when; an
      // agent's (conversations they may read) has only their own; an answer takes it off.
      const overdue = async (client: ApiClient) => (await client.get('/api/v1/conversations?overdue=true')).body.items as Array<{ id: string; waitingSince: string | null }>;
      const listed = (await overdue(sup.client)).find((c) => c.id === id);
      expect(listed, 'listed for the supervisor').to.not.equal(undefined);
      const since = Date.parse(listed!.waitingSince!);
      expect(Date.now() - since).to.be.at.least(1000);
      expect((await overdue(a.client)).map((c) => c.id)).to.not.include(id);
      expect((await b.client.post(`/api/v1/conversations/${id}/messages`, { type: 'text', text: 'Here to help' })).status).to.equal(201);
      expect((await overdue(sup.client)).map((c) => c.id)).to.not.include(id);
      expect((await sup.client.get('/api/v1/conversations?overdue=maybe')).body.error.id).to.equal('validation_failed');
    } finally {
      clearInterval(beating);
      sse.close();
    }
  });
});
