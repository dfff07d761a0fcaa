import type { Db, Trx } from '../../db/knex';

export type OutboxRow = {
  id: string;
  message_id: string;
  message_created_at: Date;
  channel_id: string;
  to_wa_id: string;
  payload: Record<string, unknown>;
  state: 'queued' | 'sending' | 'sent' | 'failed';
  attempts: number;
  /** 0: an agent's reply; 1: broadcast traffic (goes after replies, and stops while the lane is paused). */
  priority: number;
  /** When the recipient's customer-service window closes; null: it was closed at enqueue. */
  window_closes_at: Date | null;
  created_at: Date;
};

/** Agent replies before broadcast traffic on the same number. */
export const PRIORITY = { reply: 0, broadcast: 1 } as const;

const RETURNING = 'o.id, o.message_id, o.message_created_at, o.channel_id, o.to_wa_id, o.payload, o.state, o.attempts, o.priority, o.window_closes_at, o.created_at';

/**
 * Claims up to `limit` due rows of one channel, replies first, in one statement. Only the
 * holder of the lane's lease gets rows (checked against the database's clock in the same
 * statement), so a process whose lease lapsed cannot claim; SKIP LOCKED keeps claims that
 * overlap a takeover from waiting on each other or sending a row twice.
 */
export async function claimDue(db: Db, channelId: string, worker: string, limit: number, maxPriority: number): Promise<OutboxRow[]> {
  const result = await db.raw<{ rows: OutboxRow[] }>(
    `UPDATE outbox o SET state = 'sending', claimed_by = ?, claimed_at = now(), attempts = o.attempts + 1, held_reason = NULL
      WHERE o.id IN (SELECT id FROM outbox WHERE channel_id = ? AND state = 'queued' AND priority <= ? AND next_attempt_at <= now()
                       AND EXISTS (SELECT 1 FROM channel_lanes l WHERE l.channel_id = ? AND l.owner = ? AND l.lease_expires_at > now())
                      ORDER BY priority, next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
      RETURNING ${RETURNING}`,
    [worker, channelId, maxPriority, channelId, worker, limit],
  );
  return result.rows;
}

/** Channels that have rows due now (the lanes to run). */
export async function channelsWithDueRows(db: Db): Promise<string[]> {
  const rows = (await db('outbox').distinct('channel_id').where({ state: 'queued' }).andWhere('next_attempt_at', '<=', db.fn.now())) as Array<{ channel_id: string }>;
  return rows.map((r) => r.channel_id);
}

/**
 * Records accepted sends, in one statement for the batch (atomic without a transaction): the
 * outbox rows are sent, each wamid is known (message_wamids) and each message has its wamid and
 * its 'sent' state. Returns the messages changed, with their conversation (for the live
 * notices), and whether statuses are parked under any of the wamids.
 */
export async function markSentBatch(db: Db | Trx, sends: Array<{ row: OutboxRow; wamid: string }>): Promise<{ messages: Array<{ id: string; conversation_id: string; created_at: Date }>; parked: boolean }> {
  if (sends.length === 0) {
    return { messages: [], parked: false };
  }
  const result = await db.raw<{ rows: Array<{ id: string | null; conversation_id: string; created_at: Date; parked: boolean }> }>(
    `WITH v AS (SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::timestamptz[], ?::text[]) AS v(id, message_id, message_created_at, wamid)),
          o AS (UPDATE outbox SET state = 'sent', done_at = now(), last_error = NULL FROM v WHERE outbox.id = v.id RETURNING outbox.id),
          w AS (INSERT INTO message_wamids (wamid, message_id, message_created_at) SELECT wamid, message_id, message_created_at FROM v
                ON CONFLICT (wamid) DO NOTHING RETURNING wamid),
          m AS (UPDATE messages m
                   SET wamid = v.wamid, sent_at = now(),
                       status = CASE WHEN m.status = 'queued' THEN 'sent' ELSE m.status END,
                       status_times = CASE WHEN (m.status_times -> 'sent') IS NULL THEN m.status_times || jsonb_build_object('sent', now()) ELSE m.status_times END
                  FROM v WHERE m.id = v.message_id AND m.created_at = v.message_created_at
                 RETURNING m.id, m.conversation_id, m.created_at)
     SELECT m.id, m.conversation_id, m.created_at, false AS parked FROM m
     UNION ALL
     SELECT NULL, NULL, NULL, EXISTS (SELECT 1 FROM pending_statuses p JOIN v ON p.wamid = v.wamid)`,
    [sends.map((x) => x.row.id), sends.map((x) => x.row.message_id), sends.map((x) => x.row.message_created_at), sends.map((x) => x.wamid)],
  );
  const messages = result.rows.filter((r): r is { id: string; conversation_id: string; created_at: Date; parked: boolean } => r.id !== null);
  return { messages, parked: result.rows.some((r) => r.parked) };
}

export async function markRetry(db: Db, row: OutboxRow, delayMs: number, error: Record<string, unknown>, heldReason: HeldReason | null = null): Promise<void> {
  await db('outbox')
    .where({ id: row.id })
    .update({ state: 'queued', next_attempt_at: new Date(Date.now() + delayMs), last_error: JSON.stringify(error), claimed_by: null, held_reason: heldReason });
}

export type HeldReason = 'tier' | 'pair' | 'spam_rate' | 'throughput';

/**
 * Puts claimed rows back untouched (not an attempt): a lane that lost its lease or was paused
 * mid-batch. `heldUntil`/`reason` hold them (the tier) instead of freeing them at once.
 */
export async function release(db: Db, ids: string[], heldUntil?: Date, reason?: HeldReason): Promise<void> {
  if (ids.length === 0) {
    return;
  }
  await db('outbox')
    .whereIn('id', ids)
    .andWhere({ state: 'sending' })
    .update({
      state: 'queued',
      claimed_by: null,
      attempts: db.raw('greatest(attempts - 1, 0)'),
      ...(heldUntil ? { next_attempt_at: heldUntil, held_reason: reason ?? null } : {}),
    });
}

/** Fails a row and its message; with `onlyIfSending`, only a row still 'sending' (false: it was not). */
export async function markFailed(trx: Trx, row: OutboxRow, error: { code: number | string; title: string; details: string | null }, onlyIfSending = false): Promise<boolean> {
  const q = trx('outbox').where({ id: row.id });
  const changed = await (onlyIfSending ? q.andWhere({ state: 'sending' }) : q).update({ state: 'failed', done_at: trx.fn.now(), last_error: JSON.stringify(error) });
  if (onlyIfSending && changed === 0) {
    return false;
  }
  await trx('messages')
    .where({ id: row.message_id, created_at: row.message_created_at })
    .update({ status: 'failed', error: JSON.stringify(error), status_times: trx.raw(`status_times || jsonb_build_object('failed', now())`) });
  return true;
}

/** Rows left 'sending' by a crashed process: Meta may or may not have accepted them. */
export async function staleInFlight(db: Db, olderThan: Date): Promise<OutboxRow[]> {
  return db('outbox').where({ state: 'sending' }).andWhere('claimed_at', '<', olderThan).orderBy('claimed_at').limit(500);
}

/**
 * Queues a message's payload for its channel's lane; the caller's transaction makes both or
 * neither. `priority` defaults to an agent's reply; `window_closes_at` (the customer's
 * service window) decides at send time whether the message counts towards the tier.
 */
export async function enqueueOutbox(
  trx: Trx,
  row: { id: string; message_id: string; message_created_at: Date; channel_id: string; to_wa_id: string; payload: string; priority?: number; window_closes_at?: Date | null },
): Promise<void> {
  await trx('outbox').insert(row);
}
