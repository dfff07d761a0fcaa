import { expect } from 'chai';
import { newId } from '../../server/lib/ids';
import { fillVariables } from '../../server/modules/canned/fill';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { addChannel } from '../support/whatsapp';

describe('canned responses: personal and shared, shortcuts, variables, permissions, audit', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let supervisor: { id: string; client: ApiClient };
  let agent: { id: string; client: ApiClient };
  let otherAgent: { id: string; client: ApiClient };
  let conversationId: string;

  const db = () => app.runtime.services.db;
  const auditOf = (action: string, subjectId: string) => db()('audit_events').where({ action, subject_id: subjectId });

  async function create(client: ApiClient, body: Record<string, unknown>) {
    const res = await client.post('/api/v1/canned-responses', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.cannedResponse;
  }
  const shortcutsOf = async (client: ApiClient) => ((await client.get('/api/v1/canned-responses')).body.items as Array<{ shortcut: string }>).map((r) => r.shortcut);

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    supervisor = await app.userWithRoles(['supervisor']);
    agent = await app.userWithRoles(['agent']);
    otherAgent = await app.userWithRoles(['agent']);
    await db()('users').where({ id: agent.id }).update({ name: 'Marie Curie' });
    const channel = await addChannel(admin);
    const contactId = newId();
    await db()('contacts').insert({ id: contactId, wa_id: '33612340001', profile_name: 'Camille Dupont' });
    conversationId = newId();
    await db()('conversations').insert({ id: conversationId, contact_id: contactId, channel_id: channel.id, assignee_id: agent.id, last_inbound_at: new Date() });
  });
  after(async () => app.stop());

  it('shows an agent their own and the shared responses, never another agent\'s own', async () => {
    const shared = await create(supervisor.client, { shared: true, shortcut: 'hello', title: 'Greeting', body: 'Hello {{contact.name}}!' });
    expect(shared).to.include({ shared: true, ownerId: null, shortcut: 'hello' });
    const mine = await create(agent.client, { shortcut: 'bye', title: 'Goodbye', body: 'Bye, {{agent.name}}' });
    expect(mine).to.include({ shared: false, ownerId: agent.id });
    const theirs = await create(otherAgent.client, { shortcut: 'secret', title: 'Theirs', body: 'Not for you' });

    expect(await shortcutsOf(agent.client)).to.deep.equal(['hello', 'bye']);
    expect(await shortcutsOf(otherAgent.client)).to.deep.equal(['hello', 'secret']);
    // Not even an administrator lists another user's own responses: they are personal.
    expect(await shortcutsOf(admin)).to.deep.equal(['hello']);
    // Another agent's response answers like a missing one, to read or change.
    const probe = await agent.client.patch(`/api/v1/canned-responses/${theirs.id}`, { title: 'Mine now' });
    expect(probe.status).to.equal(404);
    expect(probe.body.error.id).to.equal('not_found');
    expect((await agent.client.delete(`/api/v1/canned-responses/${theirs.id}`)).status).to.equal(404);
    expect((await db()('canned_responses').where({ id: theirs.id }).first()).title).to.equal('Theirs');
  });

  it('keeps a shortcut unique per owner and among the shared ones, and the same shortcut in different scopes', async () => {
    await create(agent.client, { shortcut: 'thanks', title: 'Thanks', body: 'Thank you' });
    const again = await agent.client.post('/api/v1/canned-responses', { shortcut: 'Thanks', title: 'Again', body: 'Thanks again' });
    expect(again.status).to.equal(409);
    expect(again.body.error.details.fields[0]).to.include({ path: 'body.shortcut', code: 'taken' });
    // Another agent, and the shared scope, may use it.
    await create(otherAgent.client, { shortcut: 'thanks', title: 'Thanks', body: 'Merci' });
    await create(supervisor.client, { shared: true, shortcut: 'thanks', title: 'Thanks', body: 'Thanks from us all' });
    const sharedAgain = await supervisor.client.post('/api/v1/canned-responses', { shared: true, shortcut: 'thanks', title: 'Dup', body: 'x' });
    expect(sharedAgain.status).to.equal(409);
    const renamed = await create(agent.client, { shortcut: 'thx', title: 'Short', body: 'ty' });
    const clash = await agent.client.patch(`/api/v1/canned-responses/${renamed.id}`, { shortcut: 'thanks' });
    expect(clash.status).to.equal(409);
    const bad = await agent.client.post('/api/v1/canned-responses', { shortcut: 'with space', title: 'x', body: 'y' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.id).to.equal('validation_failed');
  });

  it('fills the variables for a conversation on the server, as the one fill function does', async () => {
    const res = await agent.client.get(`/api/v1/canned-responses?conversationId=${conversationId}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const byShortcut = new Map(res.body.items.map((r: { shortcut: string; text: string }) => [r.shortcut, r.text]));
    expect(byShortcut.get('hello')).to.equal('Hello Camille Dupont!');
    expect(byShortcut.get('bye')).to.equal('Bye, Marie Curie');
    for (const item of res.body.items) {
      expect(item.text).to.equal(fillVariables(item.body, { contactName: 'Camille Dupont', agentName: 'Marie Curie' }));
    }
    expect(fillVariables('Hi {{ contact.first_name }}, {{agent.name}} here. {{unknown}}', { contactName: ' Camille Dupont', agentName: 'Marie' })).to.equal('Hi Camille, Marie here. {{unknown}}');
    expect(fillVariables('Hi {{contact.name}}.', { contactName: null, agentName: null })).to.equal('Hi .');
    // A conversation the agent may not read cannot be used to fill anything.
    const hidden = await otherAgent.client.get(`/api/v1/canned-responses?conversationId=${conversationId}`);
    expect(hidden.status).to.equal(404);
  });

  it('lets agents manage only their own, supervisors the shared ones; refusals are audited', async () => {
    const denied = await agent.client.post('/api/v1/canned-responses', { shared: true, shortcut: 'promo', title: 'Promo', body: 'Buy now' });
    expect(denied.status).to.equal(403);
    expect(denied.body.error.id).to.equal('row_action_denied');
    expect(await db()('canned_responses').where({ shortcut: 'promo' })).to.have.length(0);
    const shared = (await agent.client.get('/api/v1/canned-responses')).body.items.find((r: { shortcut: string; shared: boolean }) => r.shortcut === 'hello');
    const edit = await agent.client.patch(`/api/v1/canned-responses/${shared.id}`, { body: 'Changed' });
    expect(edit.status).to.equal(403);
    expect(edit.body.error.id).to.equal('row_action_denied');
    const refusals = await db()('audit_events').where({ action: 'access.denied', subject_type: 'CannedResponse', actor_id: agent.id });
    expect(refusals.map((e) => e.details.permission)).to.include.members(['CannedResponse:create', 'CannedResponse:update']);
    const ok = await supervisor.client.patch(`/api/v1/canned-responses/${shared.id}`, { body: 'Hello {{contact.first_name}}!' });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    const nobody = await app.userWithRoles(['auditor']);
    expect((await nobody.client.get('/api/v1/canned-responses')).status).to.equal(403);
    expect((await app.client().get('/api/v1/canned-responses')).status).to.equal(401);
  });

  it('audits every change with ids, the shortcut and the scope, never the text', async () => {
    const r = await create(agent.client, { shortcut: 'audit-me', title: 'Audit', body: 'Secret words for Camille' });
    expect((await agent.client.patch(`/api/v1/canned-responses/${r.id}`, { body: 'Other words' })).status).to.equal(200);
    expect((await agent.client.delete(`/api/v1/canned-responses/${r.id}`)).status).to.equal(204);
    const events = await db()('audit_events').where({ subject_id: r.id }).orderBy('seq');
    expect(events.map((e) => e.action)).to.deep.equal(['canned.created', 'canned.updated', 'canned.deleted']);
    expect(events.every((e) => e.actor_id === agent.id)).to.equal(true);
    expect(events[1].details).to.deep.include({ fields: ['body'], shortcut: 'audit-me', shared: false });
    const text = JSON.stringify(events.map((e) => e.details));
    expect(text).not.to.include('Secret');
    expect(text).not.to.include('Other words');
    expect(await auditOf('canned.deleted', r.id)).to.have.length(1);
  });
});
