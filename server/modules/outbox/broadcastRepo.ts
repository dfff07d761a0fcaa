import type { Trx } from '../../db/knex';
import { PRIORITY } from './repo';

/** Why a broadcast's queued rows wait while it is paused (shown on the Numbers page with the other reasons). */
const PAUSED = 'paused';

export type BroadcastOutboxRow = { id: string; message_id: string; message_created_at: Date; channel_id: string; to_wa_id: string; payload: string; window_closes_at: Date | null };

/**
 * Queues a chunk of a broadcast's messages in one statement, as broadcast traffic (after agents'
 * replies, stopped by a lane pause), each row naming its broadcast. The caller's transaction
 * writes the messages and marks the recipients queued with it: all of it or none.
 */
export async function enqueueBroadcastRows(trx: Trx, broadcastId: string, rows: BroadcastOutboxRow[], held: boolean): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  await trx('outbox').insert(
    rows.map((r) => ({
      ...r, broadcast_id: broadcastId, priority: PRIORITY.broadcast,
      ...(held ? { next_attempt_at: 'infinity', held_reason: PAUSED } : {}),
    })),
  );
}

/** Holds a broadcast's queued rows (a pause): the lanes see nothing due until they are released. */
export async function holdBroadcastRows(trx: Trx, broadcastId: string): Promise<number> {
  return trx('outbox').where({ broadcast_id: broadcastId, state: 'queued' }).update({ next_attempt_at: 'infinity', held_reason: PAUSED });
}

/** Releases a paused broadcast's rows; returns the numbers whose lanes have work again. */
export async function releaseBroadcastRows(trx: Trx, broadcastId: string): Promise<string[]> {
  const rows = (await trx('outbox')
    .where({ broadcast_id: broadcastId, state: 'queued', held_reason: PAUSED })
    .update({ next_attempt_at: trx.fn.now(), held_reason: null })
    .returning('channel_id')) as Array<{ channel_id: string }>;
  return [...new Set(rows.map((r) => r.channel_id))];
}

/**
 * Withdraws a broadcast's rows not yet handed to a lane (a cancel): they end failed as
 * 'cancelled'. Rows being sent at that moment are left to finish.
 */
export async function withdrawBroadcastRows(trx: Trx, broadcastId: string): Promise<Array<{ id: string; message_id: string; message_created_at: Date }>> {
  return (await trx('outbox')
    .where({ broadcast_id: broadcastId, state: 'queued' })
    .update({ state: 'failed', done_at: trx.fn.now(), held_reason: null, last_error: JSON.stringify({ code: 'cancelled', title: 'The broadcast was cancelled.' }) })
    .returning(['id', 'message_id', 'message_created_at'])) as Array<{ id: string; message_id: string; message_created_at: Date }>;
}
