import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { SseClient } from '../support/sse';
import { eventually } from '../support/eventually';
import { TINY_PNG } from '../support/media';
import { inbound, postWebhook } from '../support/whatsapp';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('inbox against the sandbox Cloud API: conversations, replies, statuses, live events', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let phoneNumberId: string;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channels = await admin.get('/api/v1/channels');
    phoneNumberId = channels.body.items[0].phoneNumberId;
  });
  after(async () => app.stop());

  async function customerWrites(waId: string, text: string, name = 'Camille') {
    await sandbox.customerSends({ phoneNumberId, from: waId, profileName: name, message: { type: 'text', body: text } });
    return eventually('the conversation', async () => {
      const list = await admin.get(`/api/v1/conversations?q=${waId}`);
      const conv = list.body.items.find((c: any) => c.contact.waId === waId && c.lastMessagePreview === text);
      return conv;
    });
  }

  it('the zero-config sandbox number exists, with secrets shown only as set + last four', async () => {
    const res = await admin.get('/api/v1/channels');
    expect(res.body.items).to.have.length(1);
    const ch = res.body.items[0];
    expect(ch.secrets.accessToken).to.deep.include({ set: true });
    expect(ch.secrets.accessToken.last4).to.have.length(4);
    expect(JSON.stringify(res.body)).not.to.match(/access_token_enc|app_secret_enc/);
    const row = await app.runtime.services.db('channels').first();
    expect(row.access_token_enc).to.match(/^v1\./);
  });

  it('an inbound message opens a conversation; the reply reaches the customer and the ticks go to read', async () => {
    const sse = await SseClient.connect(app.url, admin);
    try {
      const conv = await customerWrites('33700000001', 'Bonjour');
      expect(conv.status).to.equal('open');
      expect(conv.contact.country).to.equal('FR');
      expect(new Date(conv.windowExpiresAt).getTime()).to.be.greaterThan(Date.now() + 23 * 3600_000);
      await sse.waitFor('message.created', (d: any) => d.message.text === 'Bonjour');
      const sent = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Bonjour ! Comment puis-je vous aider ?' });
      expect(sent.status).to.equal(201);
      expect(sent.body.message.status).to.equal('queued');
      await eventually('the customer sees the reply', async () =>
        sandbox.conversation(phoneNumberId, '33700000001').find((m) => m.direction === 'out'),
      );
      await sse.waitFor('message.status', (d: any) => d.messageId === sent.body.message.id && d.status === 'read');
      const history = await admin.get(`/api/v1/conversations/${conv.id}/messages`);
      const mine = history.body.items.find((m: any) => m.id === sent.body.message.id);
      expect(mine.status).to.equal('read');
      expect(Object.keys(mine.statusTimes)).to.include.members(['queued', 'sent', 'read']);
      expect(history.body.items.map((m: any) => m.direction)).to.deep.equal(['in', 'out']);
    } finally {
      sse.close();
    }
  });

  it('a duplicate inbound message changes nothing; a new one after resolution reopens the conversation', async () => {
    const conv = await customerWrites('33700000002', 'Première question');
    expect((await admin.post(`/api/v1/conversations/${conv.id}/resolve`)).body.conversation.status).to.equal('resolved');
    const again = await customerWrites('33700000002', 'Encore moi');
    expect(again.id).to.equal(conv.id);
    expect(again.status).to.equal('open');
  });

  it('opening a conversation marks it read', async () => {
    const conv = await customerWrites('33700000003', 'Lu ?');
    expect(conv.unreadCount).to.be.greaterThan(0);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/read`)).status).to.equal(204);
    const after = await admin.get(`/api/v1/conversations/${conv.id}`);
    expect(after.body.conversation.unreadCount).to.equal(0);
  });

  it('replies with context and reactions are sent and shown', async () => {
    const conv = await customerWrites('33700000004', 'Ma commande 1234 ?');
    const history = await admin.get(`/api/v1/conversations/${conv.id}/messages`);
    const inboundId = history.body.items[0].id;
    const reply = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Elle arrive demain.', replyToMessageId: inboundId });
    expect(reply.status).to.equal(201);
    expect(reply.body.message.replyTo.id).to.equal(inboundId);
    const react = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'reaction', messageId: inboundId, emoji: '👍' });
    expect(react.status).to.equal(201);
    await eventually('the customer gets the reaction', async () =>
      sandbox.conversation(phoneNumberId, '33700000004').find((m) => m.type === 'reaction'),
    );
    const page = await admin.get(`/api/v1/conversations/${conv.id}/messages`);
    expect(page.body.items.find((m: any) => m.id === inboundId).reactions).to.deep.equal([{ emoji: '👍', direction: 'out' }]);
  });

  it('refuses free text when the 24-hour window is closed, and accepts an approved template', async () => {
    const conv = await customerWrites('33700000005', 'Hello');
    await app.runtime.services.db('conversations').where({ id: conv.id }).update({ last_inbound_at: new Date(Date.now() - 25 * 3600_000) });
    const text = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Too late' });
    expect(text.status).to.equal(409);
    expect(text.body.error.id).to.equal('window_closed');
    const templates = await eventually('the starter template to be approved', async () => {
      const res = await admin.get(`/api/v1/templates?channelId=${conv.channel.id}`);
      return res.body.items.find((t: any) => t.name === 'welcome_back' && t.status === 'APPROVED' && t.bodyText) ? res.body.items : null;
    }, 15_000);
    const tpl = templates.find((t: any) => t.name === 'welcome_back');
    expect(tpl.parameterCount).to.equal(1);
    const sent = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'template', templateId: tpl.id, parameters: ['Alex'] });
    expect(sent.status).to.equal(201);
    expect(sent.body.message.text).to.contain('Hello Alex');
  });

  it('a 131047 from WhatsApp fails the message with its code; a transient 5xx is retried', async () => {
    const conv = await customerWrites('33700000006', 'Salut');
    sandbox.injectFailure({ to: '33700000006', code: 131047, times: 1 });
    const first = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'first' });
    const failed = await eventually('the failure', async () => {
      const row = await app.runtime.services.db('messages').where({ id: first.body.message.id }).first();
      return row.status === 'failed' ? row : null;
    });
    expect(failed.error.code).to.equal(131047);
    sandbox.injectFailure({ to: '33700000006', code: 131000, times: 1 });
    const second = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'second' });
    await eventually('the retry to succeed', async () => {
      const row = await app.runtime.services.db('messages').where({ id: second.body.message.id }).first();
      return row.wamid ? row : null;
    }, 15_000);
    const outbox = await app.runtime.services.db('outbox').where({ message_id: second.body.message.id }).first();
    expect(outbox.attempts).to.equal(2);
  });

  it('a free-form message WhatsApp refuses outside its 24-hour window is sent, then fails by status webhook with 131047', async () => {
    // The customer's message reaches the app but not the sandbox's phone (as when the window closed
    // on WhatsApp's clock first): the app sends, WhatsApp accepts with a wamid, then reports 131047.
    const row = await app.runtime.services.db('channels').where({ is_sandbox: true }).first();
    const creds = (await app.runtime.services.channels.get(row.id))!;
    const channel = { id: row.id, phoneNumberId, wabaId: creds.wabaId, appSecret: creds.appSecret, verifyToken: '', accessToken: '', displayNumber: creds.displayNumber };
    expect(await postWebhook(app.url, creds.appSecret, inbound(channel, '33700000019', { type: 'text', text: { body: 'Still there?' } }, 'Lou'))).to.equal(200);
    const conv = await eventually('the conversation', async () =>
      (await admin.get('/api/v1/conversations?q=33700000019')).body.items.find((c: any) => c.contact.waId === '33700000019'),
    );
    const sent = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Yes, here' });
    expect(sent.status).to.equal(201);
    const failed = await eventually('the failed status', async () => {
      const page = await admin.get(`/api/v1/conversations/${conv.id}/messages`);
      const message = page.body.items.find((m: any) => m.id === sent.body.message.id);
      return message?.status === 'failed' ? message : null;
    });
    expect(failed.error.code).to.equal(131047);
    const stored = await app.runtime.services.db('messages').where({ id: sent.body.message.id }).first();
    expect(stored.wamid).to.match(/^wamid\./);
    const outbox = await app.runtime.services.db('outbox').where({ message_id: sent.body.message.id }).first();
    expect(outbox.state).to.equal('sent');
    expect(outbox.attempts).to.equal(1);
  });

  it('a 190 flags the number and alerts admins', async () => {
    const conv = await customerWrites('33700000007', 'Token?');
    sandbox.injectFailure({ to: '33700000007', code: 190, times: 1 });
    await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'will fail' });
    const channel = await eventually('the channel flagged', async () => {
      const res = await admin.get('/api/v1/channels');
      return res.body.items[0].status === 'token_invalid' ? res.body.items[0] : null;
    });
    expect(channel.statusReason).to.be.a('string');
    const alert = await admin.get('/api/v1/audit/events?action=channel.token_invalid');
    expect(alert.body.items).to.have.length(1);
    const blocked = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'blocked' });
    expect(blocked.status).to.equal(409);
    expect(blocked.body.error.id).to.equal('channel_unavailable');
    // Testing the connection with a working token clears the flag.
    const test = await admin.post(`/api/v1/channels/${channel.id}/test`);
    expect(test.body.ok).to.equal(true);
    expect((await admin.get('/api/v1/channels')).body.items[0].status).to.equal('active');
  });

  it('downloads inbound media at once and serves it only to those who may see the conversation', async () => {
    const png = TINY_PNG;
    await sandbox.customerSends({ phoneNumberId, from: '33700000008', profileName: 'Img', message: { type: 'image', bytes: png, mimeType: 'image/png', caption: 'photo' } });
    const conv = await eventually('the conversation', async () => (await admin.get('/api/v1/conversations?q=33700000008')).body.items[0]);
    const message = await eventually('the media stored', async () => {
      const page = await admin.get(`/api/v1/conversations/${conv.id}/messages`);
      const m = page.body.items[0];
      return m?.media?.state === 'stored' ? m : null;
    });
    const res = await admin.request('GET', message.media.url);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/png');
    expect(res.headers.get('content-security-policy')).to.contain('sandbox');
    const agent = await app.userWithRoles(['agent']);
    await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: (await app.userWithRoles(['agent'])).id });
    expect((await agent.client.get(message.media.url)).status).to.equal(404);
  });

  it('an agent sees mine and unassigned, not others; assignment and transfer are audited', async () => {
    const agent = await app.userWithRoles(['agent']);
    const other = await app.userWithRoles(['agent']);
    const conv = await customerWrites('33700000009', 'Qui me répond ?');
    const unassigned = await agent.client.get('/api/v1/conversations?view=unassigned');
    expect(unassigned.body.items.map((c: any) => c.id)).to.include(conv.id);
    expect((await agent.client.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.id })).status).to.equal(403);
    await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: other.id });
    expect((await agent.client.get(`/api/v1/conversations/${conv.id}`)).status).to.equal(404);
    const all = await agent.client.get('/api/v1/conversations?view=all');
    expect(all.body.items.map((c: any) => c.id)).not.to.include(conv.id);
    await admin.post(`/api/v1/conversations/${conv.id}/transfer`, { assigneeId: agent.id });
    expect((await agent.client.get(`/api/v1/conversations/${conv.id}`)).status).to.equal(200);
    const audit = await admin.get(`/api/v1/audit/events?subjectType=Conversation&subjectId=${conv.id}`);
    expect(audit.body.items.map((e: any) => e.action)).to.include.members(['conversation.assigned', 'conversation.transferred']);
  });
});
