import type { Db, Trx } from '../../db/knex';

// Later states outrank earlier ones; 'failed' outranks only 'queued' and 'sent' (a delivered message cannot fail).
const STATUS_ORDER = `ARRAY['received','queued','sent','failed','delivered','read','played']`;

export type StatusRow = {
  wamid: string;
  status: string;
  at: Date;
  error: unknown;
  pricing: unknown;
  payload: unknown;
  /** The number the status came for: it changes only that number's messages. */
  channelId?: string;
};

const opaqueOf = (raw: unknown): string | null => {
  const value = typeof raw === 'object' && raw !== null ? (raw as { biz_opaque_callback_data?: unknown }).biz_opaque_callback_data : undefined;
  return typeof value === 'string' ? value : null;
};

/**
 * Applies a delivery status monotonically (read never goes back to delivered) and records
 * the time of each state. A status for a wamid not yet known is parked and applied when it is.
 */
export async function applyStatus(db: Db | Trx, s: StatusRow): Promise<{ applied: boolean; conversationId?: string; messageId?: string; createdAt?: Date }> {
  const result = await db.raw<{ rows: Array<{ id: string; conversation_id: string; created_at: Date }> }>(
    `WITH target AS (SELECT message_id, message_created_at FROM message_wamids WHERE wamid = :wamid)
     UPDATE messages m
        SET status = CASE WHEN array_position(${STATUS_ORDER}, CAST(:status AS text)) > array_position(${STATUS_ORDER}, m.status)
                          THEN CAST(:status AS text) ELSE m.status END,
            status_times = CASE WHEN (m.status_times -> CAST(:status AS text)) IS NOT NULL THEN m.status_times
                                ELSE m.status_times || jsonb_build_object(CAST(:status AS text), CAST(:at AS timestamptz)) END,
            error = COALESCE(:error::jsonb, m.error),
            pricing = COALESCE(m.pricing, '{}'::jsonb) || COALESCE(:pricing::jsonb, '{}'::jsonb)
       FROM target
      WHERE m.id = target.message_id AND m.created_at = target.message_created_at
        AND (CAST(:channelId AS uuid) IS NULL OR m.channel_id = CAST(:channelId AS uuid))
      RETURNING m.id, m.conversation_id, m.created_at`,
    {
      channelId: s.channelId ?? null,
      wamid: s.wamid,
      status: s.status,
      at: s.at,
      error: s.error ? JSON.stringify(s.error) : null,
      pricing: s.pricing ? JSON.stringify(s.pricing) : null,
    },
  );
  const row = result.rows[0];
  if (row) {
    return { applied: true, conversationId: row.conversation_id, messageId: row.id, createdAt: row.created_at };
  }
  // A known wamid of another number's message is no status to keep for later: it is dropped.
  if (s.channelId && (await db('message_wamids').where({ wamid: s.wamid }).first('wamid'))) {
    return { applied: false };
  }
  await db.raw(
    `INSERT INTO pending_statuses (wamid, status, at, payload) VALUES (?, ?, ?, ?)
     ON CONFLICT (wamid, status) DO NOTHING`,
    // The opaque data (biz_opaque_callback_data) names a broadcast's recipient even when the
    // send's wamid was never recorded (a crash): broadcasts reconcile such sends through it.
    [s.wamid, s.status, s.at, JSON.stringify({ error: s.error ?? null, pricing: s.pricing ?? null, opaque: opaqueOf(s.payload) })],
  );
  return { applied: false };
}

/** Statuses parked for a wamid that has just become known; removes them. */
export async function takePendingStatuses(db: Db | Trx, wamid: string): Promise<StatusRow[]> {
  const rows = (await db('pending_statuses').where({ wamid }).delete().returning('*')) as Array<{
    wamid: string;
    status: string;
    at: Date;
    payload: { error: unknown; pricing: unknown };
  }>;
  return rows.map((r) => ({ wamid: r.wamid, status: r.status, at: r.at, error: r.payload.error, pricing: r.payload.pricing, payload: r.payload }));
}
