import os from 'node:os';
import type { Agent } from 'undici';
import { streamToBuffer } from '../../lib/streams';
import type { Services } from '../../services';
import type { CloudApiClient } from '../../whatsapp/client';
import { backoffHintMs, GRAPH_CODES, GraphApiError, isRetryable } from '../../whatsapp/errors';
import { flagTokenInvalid } from '../channels/commands';
import { clientFor, type ChannelCredentials } from '../channels/credentials';
import { MEDIA_PLACEHOLDER } from '../conversations';
import { findMedia } from '../media';
import { pauseWithAlert } from './commands';
import { dedicatedPool, LaneLimits, laneShape, SPAM_HOLD_MS } from './lane';
import { acquireLease, recentSends, releaseLease, setQualitySeen } from './laneRepo';
import { notifyStatus, SendRecorder, settleInterrupted, tagged } from './recorder';
import { claimDue, channelsWithDueRows, markFailed, markRetry, PRIORITY, release, staleInFlight, type OutboxRow } from './repo';

/** NOTIFY channel: a channel id whose outbox has new rows (wakes its lane in worker processes). */
export const OUTBOX_CHANNEL = 'sb_outbox';

const MAX_ATTEMPTS = 6;
// Accepted answers not yet recorded, per call the lane may keep in flight: room for a few slow
// batch writes before the lane waits for the recorder.
const UNRECORDED_PER_CALL = 8;
// The same for the recorder the shared lanes have in common.
const SHARED_UNRECORDED_MAX = 4000;
const POLL_MS = 1000;
// How long a lane reuses Meta's media id of one of our files (Meta keeps an upload 30 days), and
// how many such ids it keeps before it forgets the expired ones.
const UPLOAD_REUSE_MS = 24 * 3600_000;
const UPLOADS_KEPT = 1000;
// The sweep (due rows of idle lanes, interrupted sends) runs at least this often.
const SWEEP_MS = 30_000;

/**
 * Cross-process safety: one worker process holds a lane at a time through a lease row
 * (channel_lanes), renewed every LEASE_RENEW_MS for LEASE_TTL_MS on the database's clock. The
 * holder's limits are then the number's limits, exactly, with no shared counter on the hot
 * path (a token bucket in PostgreSQL would cost a write per message). The holder stops sending
 * LEASE_MARGIN_MS before its lease could lapse by its own clock (measured from before the
 * renewal was asked), and claims are fenced by the lease in SQL, so a new holder (after a
 * crash or a stall) never overlaps the old one. A new holder rebuilds the tier and pair state
 * from the last 24 h of sends.
 */
export const LEASE_TTL_MS = 10_000;
const LEASE_RENEW_MS = 3_000;
const LEASE_MARGIN_MS = 1_000;

const QUALITY_RANK: Record<string, number> = { GREEN: 3, YELLOW: 2, RED: 1 };

type Lane = {
  channelId: string;
  limits: LaneLimits;
  client: CloudApiClient;
  pool: Agent | null;
  recorder: SendRecorder;
  /** Accepted answers waiting in the recorder beyond which the lane waits before its next call. */
  unrecordedMax: number;
  credsKey: string;
  wake: () => void;
  running: Promise<void>;
  /** Local time (ms) after which this process must not send: its lease may have lapsed. */
  leaseDeadline: number;
  renewAt: number;
  paused: boolean;
  qualitySeen: string | null;
  /** Our stored files uploaded to WhatsApp by this lane: their media id and when it was had. */
  uploads: Map<string, { at: number; id: Promise<string> }>;
};

/**
 * The sender: one lane per channel, each with its own token bucket at the number's
 * throughput, a pair limiter (Meta: 1 message per 6 s to one user), tier accounting and its
 * own client (a dedicated lane: its own keep-alive pool).
 */
export class Sender {
  private lanes = new Map<string, Lane>();
  /**
   * Shared lanes record their answers together: one batch write for the answers of every shared
   * number rather than one per number (twenty numbers each writing small batches cost twenty
   * times the statements). A dedicated lane has a recorder of its own, so it never waits behind others.
   */
  private readonly sharedRecorder: SendRecorder;
  private stopped = false;
  private sweep: NodeJS.Timeout | null = null;
  private readonly worker: string;

  constructor(
    private readonly s: Services,
    workerId = `${os.hostname()}:${process.pid}`,
  ) {
    this.worker = workerId;
    this.sharedRecorder = new SendRecorder(s.db, s.publish, s.log);
  }

  async start(): Promise<void> {
    await this.reconcileInterrupted();
    for (const channelId of await channelsWithDueRows(this.s.db)) {
      this.wake(channelId);
    }
    this.sweep = setInterval(() => {
      void this.reconcileInterrupted().catch(() => undefined);
      void channelsWithDueRows(this.s.db).then((ids) => ids.forEach((id) => this.wake(id)), () => undefined);
    }, Math.min(SWEEP_MS, (this.s.config.outboxInflightStaleSeconds * 1000) / 2));
    this.sweep.unref();
  }

  /** New rows for a channel were committed: make sure its lane is running and awake. */
  wake(channelId: string): void {
    if (this.stopped) {
      return;
    }
    const lane = this.lanes.get(channelId);
    if (lane) {
      lane.wake();
      return;
    }
    void this.openLane(channelId).catch((err: Error) => this.s.log.warn({ err: err.message, channelId }, 'sender lane failed to start'));
  }

  private async openLane(channelId: string): Promise<void> {
    const creds = await this.s.channels.get(channelId);
    if (!creds || this.lanes.has(channelId) || this.stopped) {
      return;
    }
    let wakeUp: () => void = () => undefined;
    const shape = laneShape(creds.lane, creds.throughputMps);
    const pool = creds.lane === 'dedicated' ? dedicatedPool(shape.inFlight) : null;
    const lane: Lane = {
      channelId,
      limits: new LaneLimits(creds.throughputMps),
      client: clientFor(creds, undefined, pool ?? undefined),
      pool,
      recorder: pool ? new SendRecorder(this.s.db, this.s.publish, this.s.log) : this.sharedRecorder,
      unrecordedMax: pool ? shape.inFlight * UNRECORDED_PER_CALL : SHARED_UNRECORDED_MAX,
      credsKey: credsKey(creds),
      wake: () => wakeUp(),
      running: Promise.resolve(),
      leaseDeadline: 0,
      renewAt: 0,
      paused: false,
      qualitySeen: null,
      uploads: new Map(),
    };
    this.lanes.set(channelId, lane);
    lane.running = this.run(lane, (fn) => (wakeUp = fn)).finally(() => {
      this.lanes.delete(lane.channelId);
      void lane.pool?.close().catch(() => undefined);
    });
  }

  /** Takes or renews the lane's lease; false when another process holds it. */
  private async holdLease(lane: Lane): Promise<boolean> {
    const now = Date.now();
    if (now < lane.renewAt && now < lane.leaseDeadline) {
      return true;
    }
    const held = lane.leaseDeadline > now;
    const row = await acquireLease(this.s.db, lane.channelId, this.worker, LEASE_TTL_MS);
    if (!row) {
      lane.leaseDeadline = 0;
      return false;
    }
    lane.leaseDeadline = now + LEASE_TTL_MS - LEASE_MARGIN_MS;
    lane.renewAt = now + LEASE_RENEW_MS;
    lane.paused = row.paused_at !== null;
    lane.qualitySeen = row.quality_seen;
    if (!held) {
      // Taking over (or starting): start where the previous holder stopped.
      lane.limits.rebuild(await recentSends(this.s.db, lane.channelId));
    }
    return true;
  }

  /** A drop of Meta's quality rating since the lane last looked pauses its broadcasts, with an alert. */
  private async watchQuality(lane: Lane, creds: ChannelCredentials): Promise<void> {
    const now = creds.qualityRating;
    if (!(now in QUALITY_RANK) || now === lane.qualitySeen) {
      return;
    }
    const before = lane.qualitySeen;
    lane.qualitySeen = now;
    await setQualitySeen(this.s.db, lane.channelId, now);
    if (before && before in QUALITY_RANK && QUALITY_RANK[now]! < QUALITY_RANK[before]!) {
      await pauseWithAlert(this.s, lane.channelId, 'quality_dropped', { from: before, to: now });
      lane.paused = true;
    }
  }

  private async run(lane: Lane, onWake: (fn: () => void) => void): Promise<void> {
    const inFlight = new CallsInFlight();
    const idle = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        onWake(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    let emptyPolls = 0;
    while (!this.stopped) {
      const creds = await this.s.channels.get(lane.channelId);
      if (!creds || creds.status !== 'active') {
        break;
      }
      if (credsKey(creds) !== lane.credsKey) {
        lane.client = clientFor(creds, undefined, lane.pool ?? undefined);
        lane.credsKey = credsKey(creds);
        lane.uploads.clear();
      }
      if (!(await this.holdLease(lane).catch(() => false))) {
        // Another process sends for this number; look again in case it stops or dies.
        if (++emptyPolls > 2 * (LEASE_TTL_MS / POLL_MS)) {
          break;
        }
        await idle(POLL_MS);
        continue;
      }
      await this.watchQuality(lane, creds).catch((err: Error) => this.s.log.warn({ err: err.message }, 'quality check failed'));
      const now = Date.now();
      const broadcastsHeld = lane.paused || now < lane.limits.spamHoldUntil;
      const { batch } = laneShape(creds.lane, lane.limits.rate.current(now));
      const rows = await claimDue(this.s.db, lane.channelId, this.worker, batch, broadcastsHeld ? PRIORITY.reply : PRIORITY.broadcast).catch(() => [] as OutboxRow[]);
      if (rows.length === 0) {
        // A lane with nothing to do gives its lease back after a while, so idle numbers cost nothing.
        if (++emptyPolls > 30) {
          break;
        }
        await idle(POLL_MS);
        continue;
      }
      emptyPolls = 0;
      await this.sendBatch(lane, creds, rows, inFlight);
    }
    await inFlight.allEnded();
    await lane.recorder.flush();
    if (lane.leaseDeadline > 0) {
      await releaseLease(this.s.db, lane.channelId, this.worker).catch(() => undefined);
    }
  }

  private async sendBatch(lane: Lane, creds: ChannelCredentials, rows: OutboxRow[], inFlight: CallsInFlight): Promise<void> {
    // The lane's shape bounds its calls to Meta in flight. Their answers are recorded in batches
    // by the lane's recorder, apart: a slow write (a busy database) must not hold calls back,
    // or the lane falls below its rate. Answers waiting to be recorded are bounded on their own.
    const maxInFlight = laneShape(creds.lane, creds.throughputMps).inFlight;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      let now = Date.now();
      if (now >= lane.leaseDeadline || this.stopped) {
        // The lease may lapse before these go: another process may take them.
        await release(this.s.db, rows.slice(i).map((r) => r.id));
        return;
      }
      const outsideWindow = row.window_closes_at === null || row.window_closes_at.getTime() <= now;
      const gate = lane.limits.tierGate(row.to_wa_id, creds.messagingTier, outsideWindow, now);
      if (!gate.go) {
        // Held, not failed: it goes when the rolling 24 hours free a slot.
        await release(this.s.db, [row.id], new Date(gate.until), 'tier');
        continue;
      }
      for (let wait = lane.limits.takeThroughput(now); wait > 0; wait = lane.limits.takeThroughput(now)) {
        await sleep(wait);
        now = Date.now();
      }
      while (inFlight.size >= maxInFlight) {
        await inFlight.oneEnded();
      }
      while (lane.recorder.backlog >= lane.unrecordedMax) {
        await lane.recorder.nextBatch();
      }
      inFlight.add(
        // A failure past the call (the database gone while a retry is written) leaves the row
        // 'sending' for the sweep, as a crash would.
        this.sendOne(lane, row).catch((err: Error) => this.s.log.warn({ err: err.message, outboxId: row.id }, 'send not settled; the sweep reconciles it')),
      );
    }
  }

  private async sendOne(lane: Lane, row: OutboxRow): Promise<void> {
    const pairWait = lane.limits.pairs.take(row.to_wa_id, Date.now());
    if (pairWait > 0) {
      // Meta allows one message per 6 s to one user; later rows to others are unaffected.
      await markRetry(this.s.db, row, pairWait, { code: GRAPH_CODES.pairRate, title: 'Pair rate limit (held back locally)' }, 'pair');
      return;
    }
    let wamid: string;
    try {
      const payload = tagged(await this.resolveMedia(lane, row.payload), row.id);
      ({ wamid } = await lane.client.sendMessage(payload as never));
    } catch (err) {
      await this.handleFailure(lane, row, err);
      return;
    }
    this.s.metrics.outboxToAccepted.observe((Date.now() - row.created_at.getTime()) / 1000);
    // Accepted: from here on the row is never re-sent, recorded or not (see SendRecorder). The
    // call is done; its recording goes on in the recorder's next batch.
    void lane.recorder.record(row, wamid).then((recorded) => recorded && this.s.metrics.outboundMessages.inc({ result: 'sent' }));
  }

  private async handleFailure(lane: Lane, row: OutboxRow, err: unknown): Promise<void> {
    const e = err instanceof GraphApiError ? err : null;
    const code = e?.code ?? 0;
    const error = { code, title: e?.message ?? (err as Error).message ?? 'send failed', details: e?.details ?? null };
    const now = Date.now();
    if (code === GRAPH_CODES.throughput) {
      // Over the number's throughput by Meta's count: halve the lane's rate, recover additively.
      lane.limits.throttled(now);
    } else if (code === GRAPH_CODES.pairRate) {
      // Meta's own view of the pair rate: 4^n seconds on the n-th retry, for this recipient only.
      lane.limits.pairs.block(row.to_wa_id, now + (backoffHintMs(code, row.attempts) ?? 0));
    }
    if (e?.outcomeUnknown) {
      // No answer (a timeout, a cut connection): Meta may have accepted it, and sending it again
      // could reach the customer twice. The row stays 'sending', as after a crash: the sweep
      // records it from its status webhooks (tagged with the row) or fails it for an agent to check.
      this.s.metrics.outboundMessages.inc({ result: 'unknown' });
      this.s.log.warn({ outboxId: row.id, err: error.title }, 'send outcome unknown; left for the sweep to settle from its statuses');
      return;
    }
    if (code === GRAPH_CODES.spamRate && row.priority !== PRIORITY.reply) {
      // Spam rate limit: broadcasts stop for a long while; replies to customers go on.
      lane.limits.spamHoldUntil = now + SPAM_HOLD_MS;
      await markRetry(this.s.db, row, SPAM_HOLD_MS, error, 'spam_rate');
      this.s.metrics.outboundMessages.inc({ result: 'retry' });
      return;
    }
    if (e && isRetryable(e.classification) && row.attempts < MAX_ATTEMPTS) {
      const delay = backoffHintMs(code, row.attempts) ?? Math.min(300_000, 1000 * 2 ** row.attempts);
      const reason = code === GRAPH_CODES.pairRate ? 'pair' : code === GRAPH_CODES.throughput ? 'throughput' : null;
      await markRetry(this.s.db, row, delay, error, reason);
      this.s.metrics.outboundMessages.inc({ result: 'retry' });
      return;
    }
    await this.s.db.transaction(async (trx) => {
      await markFailed(trx, row, error);
      await notifyStatus(trx, row);
    });
    this.s.metrics.outboundMessages.inc({ result: 'failed' });
    if (e?.classification === 'token_invalid') {
      await flagTokenInvalid(this.s, row.channel_id, error.title);
      // Once the token is fixed, replies flow again; broadcasts wait for an admin's look.
      await pauseWithAlert(this.s, row.channel_id, 'token_invalid');
      lane.paused = true;
    }
  }

  /**
   * Uploads our stored media to Meta where a payload refers to it (a media message, or a
   * template's image, video or document header) and puts Meta's id in.
   */
  private async resolveMedia(lane: Lane, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (placeholdersIn(payload).length === 0) {
      return payload;
    }
    const resolved = structuredClone(payload);
    for (const ref of placeholdersIn(resolved)) {
      ref.id = await this.uploadOnce(lane, ref.id.slice(MEDIA_PLACEHOLDER.length));
    }
    return resolved;
  }

  /**
   * Meta's media id for one of our stored files, uploaded once per lane and reused for a day
   * (Meta keeps uploads 30 days): a broadcast's header image goes to ten thousand recipients as
   * one upload, not ten thousand. Sends waiting on the same upload share it; a failed one is
   * forgotten, so the next send tries again.
   */
  private uploadOnce(lane: Lane, mediaId: string): Promise<string> {
    const now = Date.now();
    const cached = lane.uploads.get(mediaId);
    if (cached && now - cached.at < UPLOAD_REUSE_MS) {
      return cached.id;
    }
    if (lane.uploads.size >= UPLOADS_KEPT) {
      for (const [key, entry] of lane.uploads) {
        if (now - entry.at >= UPLOAD_REUSE_MS) {
          lane.uploads.delete(key);
        }
      }
    }
    const client = lane.client;
    const id = (async () => {
      const media = await findMedia(this.s.db, mediaId);
      if (!media?.storage_key) {
        throw new Error('media to send is missing from the store');
      }
      const { stream } = await this.s.media.open(media.storage_key);
      return client.uploadMedia(await streamToBuffer(stream), media.mime_type, media.filename ?? 'file');
    })();
    lane.uploads.set(mediaId, { at: now, id });
    id.catch(() => {
      if (lane.uploads.get(mediaId)?.id === id) {
        lane.uploads.delete(mediaId);
      }
    });
    return id;
  }

  /** Rows in flight at a crash: recorded from their statuses when Meta accepted them, else failed for an agent to check; never re-sent. */
  private async reconcileInterrupted(): Promise<void> {
    // A row still 'sending' after this was interrupted (a crash); it is reconciled, never re-sent blindly.
    const stale = await staleInFlight(this.s.db, new Date(Date.now() - this.s.config.outboxInflightStaleSeconds * 1000));
    if (stale.length > 0) {
      const settled = await settleInterrupted(this.s.db, this.s.publish, stale);
      this.s.log.warn(settled, 'interrupted sends settled');
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.sweep) {
      clearInterval(this.sweep);
    }
    const lanes = [...this.lanes.values()];
    lanes.forEach((l) => l.wake());
    await Promise.allSettled(lanes.map((l) => l.running));
  }
}

/**
 * A lane's calls to Meta in flight, and a wait for the next one to end. (Not Promise.race over
 * them: racing the same thirty-two promises for every row left a reaction on each, thirty-two
 * allocations and callbacks per message.)
 */
class CallsInFlight {
  private readonly calls = new Set<Promise<void>>();
  private ended: (() => void) | null = null;

  get size(): number {
    return this.calls.size;
  }

  add(call: Promise<void>): void {
    this.calls.add(call);
    void call.then(() => {
      this.calls.delete(call);
      const wake = this.ended;
      this.ended = null;
      wake?.();
    });
  }

  /** Resolves when a call ends (one lane waits at a time: its rows go in order). */
  oneEnded(): Promise<void> {
    return new Promise<void>((resolve) => (this.ended = resolve));
  }

  async allEnded(): Promise<void> {
    await Promise.all(this.calls);
  }
}

function credsKey(c: ChannelCredentials): string {
  return `${c.graphBaseUrl}|${c.graphVersion}|${c.accessToken}|${c.throughputMps}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type MediaObject = { id: string };

/** The media objects of a payload still naming our stored media instead of a WhatsApp media id. */
function placeholdersIn(payload: Record<string, unknown>): MediaObject[] {
  const isPlaceholder = (value: unknown): value is MediaObject =>
    typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' && (value as MediaObject).id.startsWith(MEDIA_PLACEHOLDER);
  const kind = payload.type as string;
  if (kind !== 'template') {
    return isPlaceholder(payload[kind]) ? [payload[kind]] : [];
  }
  const components = ((payload.template as { components?: unknown[] } | undefined)?.components ?? []) as Array<{ parameters?: Array<Record<string, unknown>> }>;
  return components.flatMap((c) => (c.parameters ?? []).map((p) => p[p.type as string]).filter(isPlaceholder));
}
