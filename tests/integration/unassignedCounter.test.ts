import { expect } from 'chai';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { countUnassignedFor } from '../../server/modules/conversations';
import { SseClient } from '../support/sse';
import { addChannel, inbound, postWebhook, type TestChannel } from '../support/whatsapp';

describe('the unassigned counter: a count endpoint, live counts, and per-user alert preferences', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let channel: TestChannel;
  let adminId: string;

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    channel = await addChannel(admin);
    adminId = (await admin.get('/api/v1/me')).body.user.id;
  });
  after(async () => app.stop());

  /** A new customer writes; resolves with their conversation's id. */
  async function newCustomer(waId: string): Promise<string> {
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, waId, { type: 'text', text: { body: 'Hello' } }))).to.equal(200);
    const row = (await app.runtime.services.db('conversations as v').join('contacts as c', 'c.id', 'v.contact_id').where('c.wa_id', waId).first('v.id')) as { id: string };
    return row.id;
  }

  it('counts the open conversations nobody has taken, among those the caller may read', async () => {
    const agent = await app.userWithRoles(['agent']);
    expect((await agent.client.get('/api/v1/conversations/unassigned/count')).body).to.deep.equal({ count: 0 });
    const first = await newCustomer('33600000101');
    const second = await newCustomer('33600000102');
    expect((await agent.client.get('/api/v1/conversations/unassigned/count')).body).to.deep.equal({ count: 2 });
    expect((await admin.get('/api/v1/conversations/unassigned/count')).body).to.deep.equal({ count: 2 });

    // Taken, or resolved: no longer waiting.
    expect((await admin.post(`/api/v1/conversations/${first}/assign`, { assigneeId: adminId })).status).to.equal(200);
    expect((await agent.client.get('/api/v1/conversations/unassigned/count')).body).to.deep.equal({ count: 1 });
    expect((await admin.post(`/api/v1/conversations/${second}/resolve`)).status).to.equal(200);
    expect((await agent.client.get('/api/v1/conversations/unassigned/count')).body).to.deep.equal({ count: 0 });
    expect((await admin.post(`/api/v1/conversations/${second}/reopen`)).status).to.equal(200);
    expect((await agent.client.get('/api/v1/conversations/unassigned/count')).body).to.deep.equal({ count: 1 });
    expect((await admin.post(`/api/v1/conversations/${second}/assign`, { assigneeId: adminId })).status).to.equal(200);
  });

  it('counts only the numbers a custom role may read', async () => {
    const other = await addChannel(admin);
    const role = await admin.post('/api/v1/roles', {
      key: 'one-number-agent',
      name: 'One number agent',
      rules: [{ action: 'read', subject: 'Conversation', conditions: { channelId: other.id } }],
    });
    expect(role.status, JSON.stringify(role.body)).to.equal(201);
    const scoped = await app.userWithRoles(['one-number-agent']);
    const before = (await admin.get('/api/v1/conversations/unassigned/count')).body.count as number;
    await newCustomer('33600000201');
    expect((await admin.get('/api/v1/conversations/unassigned/count')).body.count).to.equal(before + 1);
    expect((await scoped.client.get('/api/v1/conversations/unassigned/count')).body).to.deep.equal({ count: 0 });
    expect(await postWebhook(app.url, other.appSecret, inbound(other, '33600000202', { type: 'text', text: { body: 'Hi' } }))).to.equal(200);
    expect((await scoped.client.get('/api/v1/conversations/unassigned/count')).body).to.deep.equal({ count: 1 });
  });

  it('counts from the partial index of waiting conversations, not from the whole table', async () => {
    const db = app.runtime.services.db;
    const statements: Array<{ sql: string; bindings: unknown[] }> = [];
    // Only the count's statements: the routing sweeper may query the same pool meanwhile.
    const onQuery = (q: { sql: string; bindings: unknown[] }) => (q.sql.includes('FILTER (WHERE') ? statements.push(q) : undefined);
    db.on('query', onQuery);
    try {
      const counts = await countUnassignedFor(db, [{ sql: 'v.channel_id = ?', bindings: [channel.id] }, { sql: 'TRUE', bindings: [] }]);
      expect(counts).to.have.length(2);
    } finally {
      db.off('query', onQuery);
    }
    expect(statements).to.have.length(1);
    const { sql, bindings } = statements[0]!;
    // With sequential scans priced out, the planner shows whether the index can serve the count at all.
    const plan = await db.transaction(async (trx) => {
      await trx.raw('SET LOCAL enable_seqscan = off');
      // The logged statement has PostgreSQL's $n placeholders, in the order of knex's ?.
      return (await trx.raw(`EXPLAIN ${sql.replace(/\$\d+/g, '?')}`, bindings as never[])) as { rows: Array<{ 'QUERY PLAN': string }> };
    });
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).to.contain('conversations_unassigned_open_idx');
  });

  it('refuses the count to those who may read no conversation, and to the anonymous', async () => {
    const auditor = await app.userWithRoles(['auditor']);
    const denied = await auditor.client.get('/api/v1/conversations/unassigned/count');
    expect(denied.status).to.equal(403);
    expect(denied.body.error.id).to.equal('forbidden');
    expect((await app.client().get('/api/v1/conversations/unassigned/count')).status).to.equal(401);
  });

  it('pushes the new count live, also when the conversation leaves what the agent may see', async () => {
    const agent = await app.userWithRoles(['agent']);
    const start = (await agent.client.get('/api/v1/conversations/unassigned/count')).body.count as number;
    const sse = await SseClient.connect(app.url, agent.client);
    try {
      // A stream's first count comes unasked.
      await sse.waitFor('unassigned.count', (d) => d.count === start);
      const id = await newCustomer('33600000301');
      await sse.waitFor('unassigned.count', (d) => d.count === start + 1);
      // Taken by someone else: the agent may no longer read it, so no event names it; the count drops.
      expect((await admin.post(`/api/v1/conversations/${id}/assign`, { assigneeId: adminId })).status).to.equal(200);
      await sse.waitFor('unassigned.count', (d) => d.count === start);
    } finally {
      sse.close();
    }
  });

  it('keeps alert preferences per user on the server, audited, validated', async () => {
    const agent = await app.userWithRoles(['agent']);
    expect((await agent.client.get('/api/v1/me/preferences')).body).to.deep.equal({ preferences: { newCustomerAlerts: 'unset', sound: false } });

    const enabled = await agent.client.patch('/api/v1/me/preferences', { newCustomerAlerts: 'enabled', sound: true });
    expect(enabled.status).to.equal(200);
    expect(enabled.body).to.deep.equal({ preferences: { newCustomerAlerts: 'enabled', sound: true } });
    // Another browser (a new session) finds them; changing one keeps the other.
    const elsewhere = await app.client().login(agent.email, TEST_PASSWORD);
    expect((await elsewhere.patch('/api/v1/me/preferences', { sound: false })).body).to.deep.equal({ preferences: { newCustomerAlerts: 'enabled', sound: false } });
    expect((await agent.client.get('/api/v1/me/preferences')).body.preferences).to.deep.equal({ newCustomerAlerts: 'enabled', sound: false });
    // They are the user's own: another user's stay as they were.
    expect((await admin.get('/api/v1/me/preferences')).body.preferences.newCustomerAlerts).to.equal('unset');

    await app.runtime.services.audit.flush();
    const audited = (await app.runtime.services.db('audit_events').where({ action: 'user.preferences_changed', subject_id: agent.id }).orderBy('seq').select('details', 'actor_id')) as Array<{ details: unknown; actor_id: string }>;
    expect(audited.map((a) => a.details)).to.deep.equal([{ newCustomerAlerts: 'enabled', sound: true }, { sound: false }]);
    expect(audited.every((a) => a.actor_id === agent.id)).to.equal(true);

    for (const bad of [{}, { newCustomerAlerts: 'unset' }, { sound: 'yes' }, { theme: 'dark' }]) {
      const res = await agent.client.patch('/api/v1/me/preferences', bad);
      expect(res.status, JSON.stringify(bad)).to.equal(400);
      expect(res.body.error.id).to.equal('validation_failed');
    }
    expect((await app.client().patch('/api/v1/me/preferences', { sound: true })).status).to.equal(401);
    const noCsrf = await agent.client.request('PATCH', '/api/v1/me/preferences', { sound: true }, { 'x-csrf-token': 'wrong' });
    expect(noCsrf.status).to.equal(403);
    expect((await agent.client.get('/api/v1/me/preferences')).body.preferences.sound).to.equal(false);
  });
});
