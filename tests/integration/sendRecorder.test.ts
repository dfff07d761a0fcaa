// The sender's batch recorder against the built-in sandbox: accepted sends recorded together in
// one transaction, a worker that dies between Meta's answer and the record (its row settled later
// from the status webhooks Meta sends for it, never re-sent), and a busy lane that sends each row
// exactly once.
import { expect } from 'chai';
import { createDb, type Db } from '../../server/db/knex';
import { newId } from '../../server/lib/ids';
import { clientFor } from '../../server/modules/channels/credentials';
import { enqueueOutbox, OUTBOX_PRIORITY } from '../../server/modules/outbox';
import { acquireLease } from '../../server/modules/outbox/laneRepo';
import { opaqueOf, SendRecorder, tagged } from '../../server/modules/outbox/recorder';
import { claimDue, type OutboxRow } from '../../server/modules/outbox/repo';
import { Sender } from '../../server/modules/outbox/sender';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('sender: accepted sends recorded in batches, crash safety, each row sent once', function () {
  this.timeout(120_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let channelId: string;
  let phoneNumberId: string;
  const senders: Sender[] = [];
  const pools: Db[] = [];
  let customer = 33_780_000_000;

  before(async () => {
    // The web role runs no sender: the test plays the worker that claims and posts.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'web', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    channelId = channel.id;
    phoneNumberId = channel.phoneNumberId;
    await db()('channels').where({ id: channelId }).update({ throughput_mps: 80, messaging_tier: 'TIER_UNLIMITED' });
    app.runtime.services.channels.invalidate();
    sandbox.setThroughput(phoneNumberId, 80);
  });
  after(async () => app.stop());
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.stop()));
    await Promise.all(pools.splice(0).map((p) => p.destroy()));
    await db()('channel_lanes').update({ owner: null, lease_expires_at: null });
  });

  const db = () => app.runtime.services.db;

  /** A customer writes; an admin replies through the API: a real message and its queued outbox row. */
  async function reply(text: string): Promise<{ waId: string; messageId: string; conversationId: string; outboxId: string }> {
    const waId = String((customer += 1));
    await sandbox.customerSends({ phoneNumberId, from: waId, profileName: 'Camille', message: { type: 'text', body: 'Bonjour' } });
    const conv = await eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${waId}`)).body.items[0]);
    const sent = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
    const row = await db()('outbox').where({ message_id: sent.body.message.id }).first('id');
    return { waId, messageId: sent.body.message.id, conversationId: conv.id, outboxId: row.id };
  }

  /** What a worker does up to Meta's answer: take the lease, claim, post the tagged payload. */
  async function claimAndPost(worker: string, count: number): Promise<Array<{ row: OutboxRow; wamid: string }>> {
    expect(await acquireLease(db(), channelId, worker, 10_000)).to.not.equal(null);
    const rows = await claimDue(db(), channelId, worker, count, OUTBOX_PRIORITY.broadcast);
    expect(rows).to.have.length(count);
    const client = clientFor((await app.runtime.services.channels.get(channelId))!);
    return Promise.all(rows.map(async (row) => ({ row, wamid: (await client.sendMessage(tagged(row.payload, row.id) as never)).wamid })));
  }

  const outboundTo = (waId: string) => sandbox.conversation(phoneNumberId, waId).filter((m) => m.direction === 'out');

  it('records the answers that arrive together in one transaction: rows sent, wamids known, messages sent', async () => {
    const replies: Array<Awaited<ReturnType<typeof reply>>> = [];
    for (let i = 0; i < 5; i++) {
      replies.push(await reply(`Réponse ${i}`));
    }
    const accepted = await claimAndPost('worker-a', 5);
    const recorder = new SendRecorder(db(), app.runtime.services.publish, app.runtime.services.log);
    const recorded = await Promise.all(accepted.map((a) => recorder.record(a.row, a.wamid)));
    expect(recorded).to.deep.equal([true, true, true, true, true]);

    const rows = await db()('outbox').whereIn('id', replies.map((r) => r.outboxId)).select('state', db().raw('xmin::text AS xid'));
    expect(rows.map((r) => r.state)).to.deep.equal(['sent', 'sent', 'sent', 'sent', 'sent']);
    // One writing transaction for the five rows: they carry its transaction id.
    expect(new Set(rows.map((r) => r.xid)).size).to.equal(1);
    for (const a of accepted) {
      expect(await db()('message_wamids').where({ wamid: a.wamid }).first('message_id')).to.deep.equal({ message_id: a.row.message_id });
      const message = await db()('messages').where({ id: a.row.message_id }).first('wamid', 'status', 'status_times');
      expect(message.wamid).to.equal(a.wamid);
      expect(['sent', 'delivered', 'read']).to.include(message.status);
      expect(message.status_times).to.have.property('sent');
    }
    // The statuses the sandbox sends meanwhile reach the messages, whether they came first (parked) or after.
    await eventually('delivered ticks', async () => {
      const statuses = await db()('messages').whereIn('id', replies.map((r) => r.messageId)).pluck('status');
      return statuses.every((s: string) => s === 'delivered' || s === 'read');
    }, 30_000);
    expect(await db()('pending_statuses').whereIn('wamid', accepted.map((a) => a.wamid)).count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('a worker that dies after Meta accepted but before recording leaves the row sending; its status webhooks settle it, without a second send', async () => {
    const accepted = await reply('Votre commande est partie');
    const unposted = await reply('Jamais partie');
    // The dying worker claims both and posts the first; it dies before recording anything.
    const [posted] = await claimAndPost('worker-dead', 1);
    expect(posted!.row.id).to.equal(accepted.outboxId);
    const [claimedOnly] = await claimDue(db(), channelId, 'worker-dead', 1, OUTBOX_PRIORITY.broadcast);
    expect(claimedOnly!.id).to.equal(unposted.outboxId);
    await db()('channel_lanes').where({ channel_id: channelId }).update({ owner: null, lease_expires_at: null });

    // Meta's statuses for the unrecorded wamid are parked, tagged with the row they belong to.
    const parked = await eventually('the statuses parked', async () => {
      const rows = await db()('pending_statuses').where({ wamid: posted!.wamid }).select('status', 'payload');
      return rows.some((r) => r.status === 'delivered') ? rows : undefined;
    }, 30_000);
    expect(parked.every((r) => r.payload.opaque === opaqueOf(accepted.outboxId))).to.equal(true);
    expect((await db()('outbox').where({ id: accepted.outboxId }).first('state')).state).to.equal('sending');

    // Later, past the in-flight limit, another worker starts and settles what was interrupted.
    await db()('outbox').whereIn('id', [accepted.outboxId, unposted.outboxId]).update({ claimed_at: new Date(Date.now() - 10 * 60_000) });
    const pool = createDb(app.databaseUrl, 4);
    pools.push(pool);
    const sender = new Sender({ ...app.runtime.services, db: pool }, 'worker-new');
    senders.push(sender);
    await sender.start();

    const row = await db()('outbox').where({ id: accepted.outboxId }).first('state', 'attempts');
    expect(row).to.deep.equal({ state: 'sent', attempts: 1 });
    const message = await db()('messages').where({ id: accepted.messageId }).first('wamid', 'status');
    expect(message.wamid).to.equal(posted!.wamid);
    expect(['delivered', 'read']).to.include(message.status);
    expect(await db()('pending_statuses').where({ wamid: posted!.wamid }).count('* as n').first()).to.deep.equal({ n: 0 });
    // The row never posted cannot be known to have gone: failed for an agent to check, not re-sent.
    const failed = await db()('outbox').where({ id: unposted.outboxId }).first('state', 'last_error');
    expect(failed.state).to.equal('failed');
    expect(failed.last_error).to.include({ code: 'interrupted' });
    expect(outboundTo(accepted.waId)).to.have.length(1);
    expect(outboundTo(unposted.waId)).to.have.length(0);
  });

  it('a busy lane sends each row exactly once, every answer recorded with its own wamid', async () => {
    const ids: string[] = [];
    const recipients: string[] = [];
    for (let i = 0; i < 150; i++) {
      const to = String((customer += 1));
      const id = newId();
      await db().transaction((trx) =>
        enqueueOutbox(trx, {
          id, message_id: newId(), message_created_at: new Date(), channel_id: channelId, to_wa_id: to, priority: OUTBOX_PRIORITY.broadcast,
          payload: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } }),
        }),
      );
      ids.push(id);
      recipients.push(to);
    }
    // Two workers, as two processes: only the lease holder sends.
    for (const worker of ['worker-a', 'worker-b']) {
      const pool = createDb(app.databaseUrl, 4);
      pools.push(pool);
      const sender = new Sender({ ...app.runtime.services, db: pool }, worker);
      senders.push(sender);
      void sender.start();
    }
    await eventually('all sent', async () => (await db()('outbox').whereIn('id', ids).where({ state: 'sent' }).count('* as n').first())!.n === 150, 60_000);
    expect(recipients.map((to) => outboundTo(to).length)).to.deep.equal(recipients.map(() => 1));
    const wamids = await db()('message_wamids').whereIn('wamid', recipients.map((to) => outboundTo(to)[0]!.wamid)).count('* as n').first();
    expect(wamids).to.deep.equal({ n: 150 });
    expect((await db()('outbox').whereIn('id', ids).max('attempts as max').first())!.max).to.equal(1);
  });
});
