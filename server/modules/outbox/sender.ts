import os from 'node:os';
import type { Trx } from '../../db/knex';
import { streamToBuffer } from '../../lib/streams';
import type { Services } from '../../services';
import { CloudApiClient } from '../../whatsapp/client';
import { backoffHintMs, GraphApiError, isRetryable } from '../../whatsapp/errors';
import { PairLimiter, TokenBucket } from '../../whatsapp/rateLimit';
import { flagTokenInvalid } from '../channels/commands';
import { clientFor, type ChannelCredentials } from '../channels/credentials';
import { conversationOfMessage, MEDIA_PLACEHOLDER } from '../conversations';
import { applyStatus, publishNotice, takePendingStatuses } from '../inbox';
import { findMedia } from '../media';
import { claimDue, channelsWithDueRows, markFailed, markRetry, markSent, staleInFlight, type OutboxRow } from './repo';

/** NOTIFY channel: a channel id whose outbox has new rows (wakes its lane in worker processes). */
export const OUTBOX_CHANNEL = 'sb_outbox';

const MAX_ATTEMPTS = 6;
const BATCH = 50;
const MAX_IN_FLIGHT = 32;
const POLL_MS = 1000;
// A row still 'sending' after this was interrupted (crash); it is reconciled, never re-sent blindly.
const IN_FLIGHT_STALE_MS = 120_000;

type Lane = { channelId: string; bucket: TokenBucket; pairs: PairLimiter; client: CloudApiClient; credsKey: string; wake: () => void; running: Promise<void> };

/**
 * The sender: one lane per channel, each with its own token bucket at the number's
 * throughput, a pair limiter (Meta: 1 message per 6 s to one user), and its own client.
 */
export class Sender {
  private lanes = new Map<string, Lane>();
  private stopped = false;
  private sweep: NodeJS.Timeout | null = null;
  private readonly worker = `${os.hostname()}:${process.pid}`;

  constructor(private readonly s: Services) {}

  async start(): Promise<void> {
    await this.reconcileInterrupted();
    for (const channelId of await channelsWithDueRows(this.s.db)) {
      this.wake(channelId);
    }
    this.sweep = setInterval(() => {
      void this.reconcileInterrupted().catch(() => undefined);
      void channelsWithDueRows(this.s.db).then((ids) => ids.forEach((id) => this.wake(id)), () => undefined);
    }, 30_000);
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
    if (!creds || this.lanes.has(channelId)) {
      return;
    }
    let wakeUp: () => void = () => undefined;
    const lane: Lane = {
      channelId,
      bucket: new TokenBucket(creds.throughputMps, Math.max(1, Math.ceil(creds.throughputMps / 10))),
      pairs: new PairLimiter(),
      client: clientFor(creds),
      credsKey: credsKey(creds),
      wake: () => wakeUp(),
      running: Promise.resolve(),
    };
    this.lanes.set(channelId, lane);
    lane.running = this.run(lane, (fn) => (wakeUp = fn));
  }

  private async run(lane: Lane, onWake: (fn: () => void) => void): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    while (!this.stopped) {
      const creds = await this.s.channels.get(lane.channelId);
      if (!creds || creds.status !== 'active') {
        break;
      }
      if (credsKey(creds) !== lane.credsKey) {
        lane.client = clientFor(creds);
        lane.credsKey = credsKey(creds);
      }
      const rows = await claimDue(this.s.db, lane.channelId, this.worker, BATCH).catch(() => [] as OutboxRow[]);
      if (rows.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, POLL_MS);
          onWake(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        continue;
      }
      for (const row of rows) {
        const wait = lane.bucket.take(Date.now());
        if (wait > 0) {
          await sleep(wait);
          lane.bucket.take(Date.now());
        }
        while (inFlight.size >= MAX_IN_FLIGHT) {
          await Promise.race(inFlight);
        }
        const p = this.sendOne(lane, row).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
    }
    await Promise.allSettled(inFlight);
    this.lanes.delete(lane.channelId);
  }

  private async sendOne(lane: Lane, row: OutboxRow): Promise<void> {
    const pairWait = lane.pairs.take(row.to_wa_id, Date.now());
    if (pairWait > 0) {
      // Meta allows one message per 6 s to one user; later rows to others are unaffected.
      await markRetry(this.s.db, row, pairWait, { code: 131056, title: 'Pair rate limit (held back locally)' });
      return;
    }
    try {
      const payload = await this.resolveMedia(lane.client, row.payload);
      const { wamid } = await lane.client.sendMessage(payload as never);
      await this.s.db.transaction(async (trx) => {
        await markSent(trx, row, wamid);
        for (const pending of await takePendingStatuses(trx, wamid)) {
          await applyStatus(trx, pending);
        }
        await notifyStatus(trx, row);
      });
      this.s.metrics.outboundMessages.inc({ result: 'sent' });
    } catch (err) {
      await this.handleFailure(row, err);
    }
  }

  private async handleFailure(row: OutboxRow, err: unknown): Promise<void> {
    const e = err instanceof GraphApiError ? err : null;
    const code = e?.code ?? 0;
    const error = { code, title: e?.message ?? (err as Error).message ?? 'send failed', details: e?.details ?? null };
    if (e && isRetryable(e.classification) && row.attempts < MAX_ATTEMPTS) {
      const delay = backoffHintMs(code, row.attempts) ?? Math.min(300_000, 1000 * 2 ** row.attempts);
      await markRetry(this.s.db, row, delay, error);
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
    }
  }

  /**
   * Uploads our stored media to Meta where a payload refers to it (a media message, or a
   * template's image, video or document header) and puts Meta's id in.
   */
  private async resolveMedia(client: CloudApiClient, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (placeholdersIn(payload).length === 0) {
      return payload;
    }
    const resolved = structuredClone(payload);
    for (const ref of placeholdersIn(resolved)) {
      const media = await findMedia(this.s.db, ref.id.slice(MEDIA_PLACEHOLDER.length));
      if (!media?.storage_key) {
        throw new Error('media to send is missing from the store');
      }
      const { stream } = await this.s.media.open(media.storage_key);
      ref.id = await client.uploadMedia(await streamToBuffer(stream), media.mime_type, media.filename ?? 'file');
    }
    return resolved;
  }

  /** Rows in flight at a crash: marked failed with a clear reason so an agent decides, never re-sent blindly. */
  private async reconcileInterrupted(): Promise<void> {
    for (const row of await staleInFlight(this.s.db, new Date(Date.now() - IN_FLIGHT_STALE_MS))) {
      await this.s.db.transaction(async (trx) => {
        await markFailed(trx, row, { code: 'interrupted', title: 'Sending was interrupted; WhatsApp may or may not have delivered it. Check before resending.', details: null });
        await notifyStatus(trx, row);
      });
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

function credsKey(c: ChannelCredentials): string {
  return `${c.graphBaseUrl}|${c.graphVersion}|${c.accessToken}|${c.throughputMps}`;
}

async function notifyStatus(trx: Trx, row: OutboxRow): Promise<void> {
  const conversationId = await conversationOfMessage(trx, row.message_id, row.message_created_at);
  if (conversationId) {
    await publishNotice(trx, { type: 'message.status', conversationId, messageId: row.message_id, createdAt: row.message_created_at });
  }
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
