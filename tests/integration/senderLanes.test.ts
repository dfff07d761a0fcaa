// The sender's lanes against the built-in sandbox: replies before broadcasts, limits that hold
// in total across two worker processes (two Sender instances on two connection pools, as two
// processes would be), the messaging-limit tier (held, not failed), and the pause on a quality
// drop with its alert and the admin's resume.
import { expect } from 'chai';
import { createDb, type Db } from '../../server/db/knex';
import { newId } from '../../server/lib/ids';
import { enqueueOutbox, OUTBOX_PRIORITY } from '../../server/modules/outbox';
import { claimDue } from '../../server/modules/outbox/repo';
import { Sender } from '../../server/modules/outbox/sender';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('sender lanes: priority, cross-process limits, tier accounting, pause and resume', function () {
  this.timeout(300_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let channelId: string;
  let phoneNumberId: string;
  const senders: Sender[] = [];
  const pools: Db[] = [];
  let recipient = 33_700_000_000;

  before(async () => {
    // The web role runs no sender of its own: each test starts the ones it needs.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'web', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    channelId = channel.id;
    phoneNumberId = channel.phoneNumberId;
  });
  after(async () => app.stop());
  afterEach(async () => {
    await Promise.all(senders.splice(0).map((s) => s.stop()));
    await Promise.all(pools.splice(0).map((p) => p.destroy()));
    // Each test starts from an empty outbox: the tier counts the sends of the last 24 hours.
    await db()('outbox').where({ channel_id: channelId }).delete();
    await db()('channel_lanes').update({ paused_at: null, paused_reason: null, owner: null, lease_expires_at: null });
  });

  const db = () => app.runtime.services.db;

  /** A Sender as another worker process would run it: its own id and its own connection pool. */
  function startSender(id: string): Sender {
    const pool = createDb(app.databaseUrl, 4);
    pools.push(pool);
    const sender = new Sender({ ...app.runtime.services, db: pool }, id);
    senders.push(sender);
    void sender.start();
    return sender;
  }

  async function setChannel(patch: Record<string, unknown>): Promise<void> {
    await db()('channels').where({ id: channelId }).update(patch);
    app.runtime.services.channels.invalidate();
  }

  /** Queues a hello_world template to a new recipient; outside the window unless `windowOpen`. */
  async function enqueue(priority: number, opts: { to?: string; windowOpen?: boolean } = {}): Promise<{ id: string; to: string }> {
    const to = opts.to ?? String((recipient += 1));
    const id = newId();
    await db().transaction((trx) =>
      enqueueOutbox(trx, {
        id, message_id: newId(), message_created_at: new Date(), channel_id: channelId, to_wa_id: to, priority,
        window_closes_at: opts.windowOpen ? new Date(Date.now() + 3_600_000) : null,
        payload: JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } }),
      }),
    );
    return { id, to };
  }

  const rowsOf = async (ids: string[]) => (await db()('outbox').whereIn('id', ids).select('id', 'state', 'done_at', 'held_reason', 'next_attempt_at', 'claimed_by')) as Array<{ id: string; state: string; done_at: Date | null; held_reason: string | null; next_attempt_at: Date; claimed_by: string | null }>;
  const allSent = (ids: string[]) => async () => {
    const rows = await rowsOf(ids);
    return rows.every((r) => r.state === 'sent') ? rows : undefined;
  };
  const throughputViolations = () => (sandbox.stats().violations['130429'] ?? 0) + (sandbox.stats().violations['131056'] ?? 0);

  it("sends an agent's reply before the broadcast backlog of the same number, though queued last", async () => {
    // At 2 messages/s a claim holds one row, so the order of the sends is the order of the claims.
    await setChannel({ throughput_mps: 2, messaging_tier: 'TIER_UNLIMITED' });
    sandbox.setThroughput(phoneNumberId, 2);
    const broadcasts: Array<{ id: string; to: string }> = [];
    for (let i = 0; i < 4; i++) {
      broadcasts.push(await enqueue(OUTBOX_PRIORITY.broadcast));
    }
    const reply = await enqueue(OUTBOX_PRIORITY.reply);
    startSender('worker-a');
    const rows = await eventually('everything sent', allSent([reply.id, ...broadcasts.map((b) => b.id)]), 60_000);
    const doneAt = (id: string) => rows.find((r) => r.id === id)!.done_at!.getTime();
    expect(broadcasts.every((b) => doneAt(b.id) > doneAt(reply.id))).to.equal(true);
  });

  it('keeps the limits in total across two worker processes: one holds the lane, the other takes over when it stops', async () => {
    const mps = 20;
    await setChannel({ throughput_mps: mps, messaging_tier: 'TIER_UNLIMITED' });
    sandbox.setThroughput(phoneNumberId, mps);
    // The sandbox keeps the tokens its bucket had at 2/s (the test before): a second fills it at 20/s,
    // as Meta's would be for a number that had been quiet. A steady 20/s never refills it otherwise.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const before = throughputViolations();
    const rows: Array<{ id: string; to: string }> = [];
    for (let i = 0; i < 120; i++) {
      rows.push(await enqueue(OUTBOX_PRIORITY.broadcast));
    }
    const a = startSender('worker-a');
    startSender('worker-b');
    // Only the lease holder claims: a worker without it gets nothing, whatever it asks for.
    await eventually('some sent', async () => (await rowsOf(rows.map((r) => r.id))).filter((r) => r.state === 'sent').length >= 30, 60_000);
    const holder = (await db()('channel_lanes').where({ channel_id: channelId }).first()).owner as string;
    const other = holder === 'worker-a' ? 'worker-b' : 'worker-a';
    expect(await claimDue(db(), channelId, other, 10, 1)).to.deep.equal([]);
    // The holder stops mid-run (a rolling restart): the other one takes the lane over.
    await (holder === 'worker-a' ? a : senders[1]!).stop();
    const done = await eventually('all sent', allSent(rows.map((r) => r.id)), 90_000);
    const byWorker = new Set(done.map((r) => r.claimed_by));
    expect([...byWorker].sort()).to.deep.equal(['worker-a', 'worker-b']);
    // Meta's (the sandbox's) count: never over the number's throughput (a bucket of one second
    // at the rate: two processes sending at once would exceed it) or a pair rate.
    expect(throughputViolations() - before).to.equal(0);
  });

  it("never sends again a message whose answer was lost (a timeout): it stays 'sending' and is settled from its statuses", async () => {
    const to = String((recipient += 1));
    // Meta accepts the message and its statuses follow, but the connection is cut before the answer.
    sandbox.injectFailure({ phoneNumberId, to, code: 1, via: 'lost' });
    const { id } = await enqueue(OUTBOX_PRIORITY.reply, { to });
    startSender('lost-a');
    const accepted = await eventually('accepted by the sandbox', async () => sandbox.conversation(phoneNumberId, to)[0]);
    // Past the 2 s a retry would have waited: still one message, and the row still in flight.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(sandbox.conversation(phoneNumberId, to)).to.have.length(1);
    const [row] = (await db()('outbox').where({ id }).select('state', 'attempts')) as Array<{ state: string; attempts: number }>;
    expect(row).to.deep.equal({ state: 'sending', attempts: 1 });
    // Its statuses came back tagged with the row, and wait under the wamid no one recorded yet.
    await eventually('statuses parked', async () => (await db()('pending_statuses').where({ wamid: accepted.wamid })).length > 0);
    // The sweep (here: the next sender's start, once the row counts as stale) records it with Meta's wamid.
    await Promise.all(senders.splice(0).map((s) => s.stop()));
    await db()('outbox').where({ id }).update({ claimed_at: new Date(Date.now() - 3_600_000) });
    startSender('lost-b');
    await eventually('recorded from its statuses', async () => (await rowsOf([id]))[0]?.state === 'sent');
    expect((await db()('message_wamids').where({ wamid: accepted.wamid })).length).to.equal(1);
    expect(sandbox.conversation(phoneNumberId, to)).to.have.length(1);
  });

  it('holds sends beyond the messaging-limit tier (not failed), counts only recipients outside their window, and shows it on the lane', async () => {
    await setChannel({ throughput_mps: 80, messaging_tier: 'TIER_50' });
    sandbox.setThroughput(phoneNumberId, 80);
    const outside: Array<{ id: string; to: string }> = [];
    for (let i = 0; i < 53; i++) {
      outside.push(await enqueue(OUTBOX_PRIORITY.broadcast));
    }
    const inside = [await enqueue(OUTBOX_PRIORITY.reply, { windowOpen: true }), await enqueue(OUTBOX_PRIORITY.reply, { windowOpen: true })];
    startSender('worker-a');
    const settled = await eventually('all sent or held', async () => {
      const rows = await rowsOf([...outside, ...inside].map((r) => r.id));
      return rows.every((r) => r.state === 'sent' || r.held_reason === 'tier') ? rows : undefined;
    }, 60_000);
    const held = settled.filter((r) => r.held_reason === 'tier');
    expect(held).to.have.length(3);
    held.forEach((r) => {
      expect(r.state).to.equal('queued');
      expect(r.next_attempt_at.getTime()).to.be.greaterThan(Date.now() + 23 * 3_600_000);
    });
    expect(settled.filter((r) => inside.some((i) => i.id === r.id)).every((r) => r.state === 'sent')).to.equal(true);
    const lane = (await admin.get(`/api/v1/channels/${channelId}/lane`)).body.lane;
    expect(lane).to.include({ tierUsed: 50, tierLimit: 50, heldForTier: 3, paused: false });
    // Another process taking the lane over starts from the same count: a new recipient is held there too.
    await senders[0]!.stop();
    const late = await enqueue(OUTBOX_PRIORITY.broadcast);
    startSender('worker-b');
    await eventually('held by the new holder', async () => (await rowsOf([late.id]))[0]!.held_reason === 'tier', 60_000);
    await setChannel({ messaging_tier: 'TIER_UNLIMITED' });
  });

  it('pauses broadcasts with an alert when quality drops, keeps replies flowing, and resumes on the admin\'s word', async () => {
    await setChannel({ throughput_mps: 80, messaging_tier: 'TIER_UNLIMITED', quality_rating: 'GREEN' });
    sandbox.setThroughput(phoneNumberId, 80);
    startSender('worker-a');
    const first = await enqueue(OUTBOX_PRIORITY.broadcast);
    senders[0]!.wake(channelId);
    await eventually('a broadcast sent while GREEN', allSent([first.id]), 60_000);
    // Meta reports the drop by webhook; the lane sees it and pauses its broadcasts.
    sandbox.setQuality({ phoneNumberId, qualityRating: 'RED' });
    await eventually('the lane paused', async () => (await admin.get(`/api/v1/channels/${channelId}/lane`)).body.lane.paused === true, 60_000);
    const alert = await db()('audit_events').where({ action: 'channel.lane_paused', subject_id: channelId }).orderBy('seq', 'desc').first();
    expect(alert.details).to.include({ reason: 'quality_dropped', from: 'GREEN', to: 'RED', alert: true });
    const broadcast = await enqueue(OUTBOX_PRIORITY.broadcast);
    const reply = await enqueue(OUTBOX_PRIORITY.reply, { windowOpen: true });
    senders[0]!.wake(channelId);
    await eventually('the reply sent', allSent([reply.id]), 60_000);
    expect((await rowsOf([broadcast.id]))[0]!.state).to.equal('queued');

    // Only who may resume numbers may: an agent is refused (and the refusal audited).
    const agent = await app.userWithRoles(['agent']);
    expect((await agent.client.post(`/api/v1/channels/${channelId}/lane/resume`, {})).status).to.equal(403);
    const resumed = await admin.post(`/api/v1/channels/${channelId}/lane/resume`, {});
    expect(resumed.status, JSON.stringify(resumed.body)).to.equal(200);
    expect(resumed.body.lane.paused).to.equal(false);
    expect((await admin.post(`/api/v1/channels/${channelId}/lane/resume`, {})).body.error.id).to.equal('lane_not_paused');
    senders[0]!.wake(channelId);
    await eventually('the broadcast sent after the resume', allSent([broadcast.id]), 60_000);
    const resumedEvent = await db()('audit_events').where({ action: 'channel.lane_resumed', subject_id: channelId }).first();
    expect(resumedEvent.details).to.include({ reason: 'quality_dropped' });
  });
});
