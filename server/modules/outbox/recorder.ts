import { isDatabaseUnavailable, type Db, type Trx } from '../../db/knex';
import type { Logger } from '../../lib/logger';
import { conversationOfMessage } from '../conversations';
import { anyParked, applyStatuses, parkedWamidsByOpaque, publishNotice, takePendingStatusesOf, type ConversationNotice, type LiveNotice } from '../inbox';
import { markFailed, markSentBatch, type OutboxRow } from './repo';

/**
 * The tag the sender gives each send (Meta's biz_opaque_callback_data, echoed in every status
 * webhook of the message): the outbox row's id. A status parked under an unknown wamid then
 * still names the row it belongs to.
 */
/** The sender's tag of a send (biz_opaque_callback_data): this prefix and the outbox row id. */
export const OUTBOX_TAG_PREFIX = 'sb-outbox:';

export const opaqueOf = (outboxId: string): string => `${OUTBOX_TAG_PREFIX}${outboxId}`;

/** The payload as sent: tagged with its outbox row, unless the payload carries a tag of its own. */
export function tagged(payload: Record<string, unknown>, outboxId: string): Record<string, unknown> {
  return payload.biz_opaque_callback_data === undefined ? { ...payload, biz_opaque_callback_data: opaqueOf(outboxId) } : payload;
}

export type Accepted = { row: OutboxRow; wamid: string };

export type Publish = (notices: LiveNotice[]) => void;

/**
 * Records sends Meta accepted: one statement for the batch (see markSentBatch); the live notices
 * go to the process's publisher, which sends them after this commit. Statuses parked under the
 * wamids (a webhook that came first) are then taken and applied in a transaction; the second
 * look, after the commit, is for a status webhook that looked for a wamid while our statement
 * ran, could not see it, and parked its status after our look.
 */
export async function recordAccepted(db: Db, publish: Publish, sends: Accepted[]): Promise<void> {
  if (sends.length === 0) {
    return;
  }
  const wamids = sends.map((s) => s.wamid);
  const { messages, parked } = await markSentBatch(db, sends);
  publish(messages.map((m) => ({ type: 'message.status', conversationId: m.conversation_id, messageId: m.id, createdAt: m.created_at })));
  if (parked || (await anyParked(db, wamids))) {
    await db.transaction(async (trx) => applyParked(trx, publish, wamids));
  }
}

async function applyParked(trx: Trx, publish: Publish, wamids: string[]): Promise<void> {
  const parked = await takePendingStatusesOf(trx, wamids);
  const notices: ConversationNotice[] = [];
  for (const applied of await applyStatuses(trx, parked)) {
    if (applied.applied && !notices.some((n) => n.messageId === applied.messageId)) {
      notices.push({ type: 'message.status', conversationId: applied.conversationId!, messageId: applied.messageId, createdAt: applied.createdAt });
    }
  }
  publish(notices);
}

const MAX_BATCH = 500;

type Waiting = Accepted & { done: (recorded: boolean) => void };

/**
 * A lane's recorder: HTTP answers arrive one by one, many at once, and each used to cost its
 * own transactions (about ten round trips) while holding a pooled connection, which capped the
 * calls in flight at half the pool. Answers are now queued here and recorded in batches, one
 * batch at a time: whatever arrives while a batch is written forms the next one, so batches grow
 * with the load and an idle lane records a lone answer at the next turn of the event loop.
 *
 * Crash safety: a row is 'sending' from its claim until it is recorded, and nothing re-sends a
 * 'sending' row: claims take only 'queued' rows, and the sweep (reconcileInterrupted) settles
 * a stale one from the statuses Meta sent for it, found by the row's tag (see `tagged`), or
 * marks it failed for an agent to check. So an answer lost with the process (or a batch that
 * could not be written) leaves rows waiting for that sweep, never sent twice.
 */
export class SendRecorder {
  private queue: Waiting[] = [];
  private draining: Promise<void> | null = null;
  private writing = 0;

  constructor(
    private readonly db: Db,
    private readonly publish: Publish,
    private readonly log: Logger,
  ) {}

  /** Resolves once the send is recorded (true), or could not be (false: the row stays 'sending'). */
  record(row: OutboxRow, wamid: string): Promise<boolean> {
    return new Promise((done) => {
      this.queue.push({ row, wamid, done });
      this.kick();
    });
  }

  /** Answers not recorded yet: queued, or in the batch being written. */
  get backlog(): number {
    return this.queue.length + this.writing;
  }

  /** Resolves once the batch being written now (if any) is done. */
  async nextBatch(): Promise<void> {
    await (this.draining ?? new Promise<void>((resolve) => setImmediate(resolve)));
  }

  /** Resolves once everything queued so far is recorded (or given up on). */
  async flush(): Promise<void> {
    while (this.draining) {
      await this.draining;
    }
  }

  private kick(): void {
    if (this.draining || this.queue.length === 0) {
      return;
    }
    // The answers of this turn of the event loop join the batch.
    this.draining = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.drain())
      .finally(() => {
        this.draining = null;
        this.kick();
      });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.writing = batch.length;
      try {
        await this.write(batch);
      } finally {
        this.writing = 0;
      }
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      await recordAccepted(this.db, this.publish, batch);
      batch.forEach((w) => w.done(true));
    } catch (err) {
      // One row that cannot be written must not keep the others unrecorded; with the database
      // away they all fail alike and wait, 'sending', for the sweep.
      if (batch.length > 1 && !isDatabaseUnavailable(err)) {
        for (const w of batch) {
          await this.write([w]);
        }
        return;
      }
      this.log.warn({ err: (err as Error).message, rows: batch.length }, 'accepted sends not recorded; the sweep settles them from their statuses');
      batch.forEach((w) => w.done(false));
    }
  }
}

const INTERRUPTED = { code: 'interrupted', title: 'Sending was interrupted; WhatsApp may or may not have delivered it. Check before resending.', details: null };

/**
 * Rows left 'sending' (a crash, or a batch that could not be recorded): one whose tag is on a
 * parked status was accepted by Meta, and is recorded with that wamid; the others are marked
 * failed with a clear reason so an agent decides. None is re-sent blindly.
 */
export async function settleInterrupted(db: Db, publish: Publish, stale: OutboxRow[]): Promise<{ recorded: number; failed: number }> {
  const wamids = await parkedWamidsByOpaque(db, stale.map((r) => opaqueOf(r.id)));
  const accepted = stale.filter((r) => wamids.has(opaqueOf(r.id))).map((row) => ({ row, wamid: wamids.get(opaqueOf(row.id))! }));
  await recordAccepted(db, publish, accepted);
  let failed = 0;
  for (const row of stale.filter((r) => !wamids.has(opaqueOf(r.id)))) {
    await db.transaction(async (trx) => {
      // Only a row still 'sending': another process's sweep may have just recorded it.
      if (await markFailed(trx, row, INTERRUPTED, true)) {
        failed += 1;
        await notifyStatus(trx, row);
      }
    });
  }
  return { recorded: accepted.length, failed };
}

/** The live notice of a row's message status change, from inside the transaction that made it. */
export async function notifyStatus(trx: Trx, row: OutboxRow): Promise<void> {
  const conversationId = await conversationOfMessage(trx, row.message_id, row.message_created_at);
  if (conversationId) {
    await publishNotice(trx, { type: 'message.status', conversationId, messageId: row.message_id, createdAt: row.message_created_at });
  }
}
