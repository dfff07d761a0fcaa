import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { ApiClient } from '../support/client';
import { SseClient } from '../support/sse';
import { addChannel, inbound, postWebhook } from '../support/whatsapp';

describe('live events across web processes (LISTEN/NOTIFY)', () => {
  let first: TestApp;
  let second: TestApp;
  before(async () => {
    first = await startTestApp();
    await first.adminClient();
    second = await startTestApp({ DATABASE_URL: first.databaseUrl });
  });
  after(async () => {
    await second.stop();
    await first.stop();
  });

  it('a message received by one process appears on an SSE stream served by another', async () => {
    const adminOnFirst = await first.adminClient();
    const channel = await addChannel(adminOnFirst);
    const adminOnSecond = await new ApiClient(second.url).login(first.admin.email, 'correct-Horse-battery-9');
    const sse = await SseClient.connect(second.url, adminOnSecond);
    try {
      expect(await postWebhook(first.url, channel.appSecret, inbound(channel, '4917000000001', { type: 'text', text: { body: 'Hallo von Prozess eins' } }))).to.equal(200);
      const event = await sse.waitFor('message.created', (d: any) => d.message.text === 'Hallo von Prozess eins');
      expect(event.message.direction).to.equal('in');
      await sse.waitFor('conversation.updated', (d: any) => d.conversation.contact.waId === '4917000000001');
    } finally {
      sse.close();
    }
  });

  it('an agent does not receive events of conversations they may not read', async () => {
    const admin = await first.adminClient();
    const channel = await addChannel(admin);
    const agent = await second.userWithRoles(['agent']);
    const someoneElse = await second.userWithRoles(['agent']);
    const sse = await SseClient.connect(second.url, agent.client);
    try {
      expect(await postWebhook(first.url, channel.appSecret, inbound(channel, '4917000000002', { type: 'text', text: { body: 'queued for anyone' } }))).to.equal(200);
      await sse.waitFor('message.created', (d: any) => d.message.text === 'queued for anyone');
      const conv = (await admin.get('/api/v1/conversations?q=4917000000002')).body.items[0];
      await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: someoneElse.id });
      expect(await postWebhook(first.url, channel.appSecret, inbound(channel, '4917000000002', { type: 'text', text: { body: 'private now' } }))).to.equal(200);
      let leaked = false;
      await sse.waitFor('message.created', (d: any) => d.message.text === 'private now', 1500).then(() => (leaked = true), () => undefined);
      expect(leaked).to.equal(false);
    } finally {
      sse.close();
    }
  });
});
