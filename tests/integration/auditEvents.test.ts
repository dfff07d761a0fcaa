import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { addChannel, inbound, postWebhook, wamid } from '../support/whatsapp';

describe('audit log: sign-out, connection tests, read marks and row-level refusals are recorded', () => {
  let app: TestApp;
  let admin: ApiClient;
  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
  });
  after(async () => app.stop());

  const eventsOf = async (query: string) => (await admin.get(`/api/v1/audit/events?${query}`)).body.items as Array<Record<string, any>>;

  it('records a sign-out with the session it ended', async () => {
    const user = await app.userWithRoles(['agent']);
    expect((await user.client.post('/api/v1/auth/logout')).status).to.equal(204);
    expect((await user.client.get('/api/v1/me')).status).to.equal(401);
    const events = await eventsOf(`action=auth.logout&actorId=${user.id}`);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({ subjectType: 'User', subjectId: user.id });
  });

  it("records a channel's connection test with its outcome", async () => {
    const channel = await addChannel(admin);
    const res = await admin.post(`/api/v1/channels/${channel.id}/test`);
    expect(res.status).to.equal(200);
    expect(res.body.ok).to.equal(false);
    const events = await eventsOf(`action=channel.tested&subjectId=${channel.id}`);
    expect(events).to.have.length(1);
    expect(events[0]!.details).to.deep.equal({ ok: false });
    const row = await app.runtime.services.db('channels').where({ id: channel.id }).first();
    expect(row.last_test_ok).to.equal(false);
  });

  it('records marking a conversation read, with how many messages it marked', async () => {
    const channel = await addChannel(admin);
    const from = '33612345678';
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, from, { id: wamid(), type: 'text', text: { body: 'Bonjour' } }))).to.equal(200);
    const conv = await eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${from}`)).body.items[0]);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/read`)).status).to.equal(204);
    const events = await eventsOf(`action=conversation.read&subjectId=${conv.id}`);
    expect(events).to.have.length(1);
    expect(events[0]!.details).to.deep.equal({ messagesMarkedRead: 1 });
  });

  it('answers a row the user may not see exactly like a missing one, and audits only the refusal', async () => {
    const agent = await app.userWithRoles(['agent']);
    const adminId = (await admin.get('/api/v1/me')).body.user.id as string;
    const hidden = await agent.client.get(`/api/v1/users/${adminId}`);
    const missingId = randomUUID();
    const missing = await agent.client.get(`/api/v1/users/${missingId}`);
    expect(hidden.status).to.equal(404);
    expect(hidden.body).to.deep.equal(missing.body);
    const denied = await eventsOf(`action=access.denied&actorId=${agent.id}`);
    expect(denied).to.have.length(1);
    expect(denied[0]).to.deep.include({ subjectType: 'User', subjectId: adminId });
    expect(denied[0]!.details).to.include({ permission: 'User:read', row: true, method: 'GET', path: '/api/v1/users/:id' });
  });

  it('audits a refused conversation (another agent\'s) the same way', async () => {
    const channel = await addChannel(admin);
    const from = '33687654321';
    await postWebhook(app.url, channel.appSecret, inbound(channel, from, { id: wamid(), type: 'text', text: { body: 'Salut' } }));
    const conv = await eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${from}`)).body.items[0]);
    const owner = await app.userWithRoles(['agent']);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: owner.id })).status).to.equal(200);
    const other = await app.userWithRoles(['agent']);
    const res = await other.client.get(`/api/v1/conversations/${conv.id}`);
    expect(res.status).to.equal(404);
    const denied = await eventsOf(`action=access.denied&actorId=${other.id}`);
    expect(denied[0]).to.deep.include({ subjectType: 'Conversation', subjectId: conv.id });
    expect(denied[0]!.details).to.include({ permission: 'Conversation:read', row: true });
  });
});
