// A webhook's statuses applied together (one statement for the batch): several statuses of one
// message end as if applied one by one, in any order; a status for a wamid not known yet is
// parked with the sender's tag (tests/integration/sendRecorder.test.ts applies parked ones).
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { addChannel, envelope, inbound, postWebhook, wamid, type TestChannel } from '../support/whatsapp';

describe('statuses of one webhook applied as a batch', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let channel: TestChannel;

  before(async () => {
    // No sender runs: the test records the wamids itself, as the sender would.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'web' });
    admin = await app.adminClient();
    channel = await addChannel(admin);
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;

  /** A reply waiting in the outbox, taken out of it and given a wamid (as if sent). */
  async function sentReply(waId: string): Promise<{ messageId: string; createdAt: Date; wamid: string }> {
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, waId, { type: 'text', text: { body: 'Bonjour' } }))).to.equal(200);
    const conv = await eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${waId}`)).body.items[0]);
    const res = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Bonjour !' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const message = await db()('messages').where({ id: res.body.message.id }).first('id', 'created_at');
    await db()('outbox').where({ message_id: message.id }).delete();
    const id = wamid();
    await db()('message_wamids').insert({ wamid: id, message_id: message.id, message_created_at: message.created_at });
    await db()('messages').where({ id: message.id }).update({ wamid: id, status: 'sent' });
    return { messageId: message.id, createdAt: message.created_at, wamid: id };
  }

  const status = (id: string, s: string, at: number, extra: Record<string, unknown> = {}) => ({ id, status: s, timestamp: String(at), recipient_id: '33712000001', ...extra });

  it('folds several statuses of one message in one POST, out of order, as applied one by one; parks the unknown with its tag', async () => {
    const reply = await sentReply('33712000001');
    const other = await sentReply('33712000002');
    const unknown = wamid();
    const t = Math.floor(Date.now() / 1000);
    const pricing = { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' };
    const body = envelope(channel, {
      statuses: [
        status(reply.wamid, 'read', t + 2),
        status(reply.wamid, 'delivered', t + 1, { pricing }),
        status(other.wamid, 'delivered', t + 1),
        status(unknown, 'delivered', t + 1, { biz_opaque_callback_data: 'sb-outbox:tag-of-a-row' }),
        // A later 'read' of the same message changes neither the state nor its first time.
        status(reply.wamid, 'read', t + 5),
      ],
    });
    expect(await postWebhook(app.url, channel.appSecret, body)).to.equal(200);

    const row = await db()('messages').where({ id: reply.messageId }).first('status', 'status_times', 'pricing');
    expect(row.status).to.equal('read');
    expect(new Date(row.status_times.read).getTime()).to.equal((t + 2) * 1000);
    expect(new Date(row.status_times.delivered).getTime()).to.equal((t + 1) * 1000);
    expect(row.pricing).to.include({ billable: true, category: 'utility' });
    expect((await db()('messages').where({ id: other.messageId }).first('status')).status).to.equal('delivered');
    const parked = await db()('pending_statuses').where({ wamid: unknown }).first('status', 'payload');
    expect(parked.status).to.equal('delivered');
    expect(parked.payload).to.include({ opaque: 'sb-outbox:tag-of-a-row', channelId: channel.id });

    // 'delivered' after 'read' (Meta's order is not guaranteed) keeps 'read'.
    expect(await postWebhook(app.url, channel.appSecret, envelope(channel, { statuses: [status(other.wamid, 'read', t + 3), status(other.wamid, 'delivered', t + 4)] }))).to.equal(200);
    const second = await db()('messages').where({ id: other.messageId }).first('status', 'status_times');
    expect(second.status).to.equal('read');
    expect(new Date(second.status_times.delivered).getTime()).to.equal((t + 1) * 1000);
  });

  it("drops a known wamid's status for another number's message, without parking it", async () => {
    const reply = await sentReply('33712000003');
    const elsewhere = await addChannel(admin);
    const t = Math.floor(Date.now() / 1000);
    // The other number's app names our wamid: it changes nothing and is not kept.
    expect(await postWebhook(app.url, elsewhere.appSecret, envelope(elsewhere, { statuses: [status(reply.wamid, 'read', t)] }))).to.equal(200);
    expect((await db()('messages').where({ id: reply.messageId }).first('status')).status).to.equal('sent');
    expect(await db()('pending_statuses').where({ wamid: reply.wamid }).first()).to.equal(undefined);

  });
});
