import type { Db, Trx } from '../../db/knex';

/** NOTIFY channel carrying live inbox events to every web process (SSE fan-out). */
export const EVENTS_CHANNEL = 'sb_events';

export type InboundRow = {
  messageId: string;
  createdAt: Date;
  channelId: string;
  contactId: string;
  waId: string;
  profileName: string | null;
  country: string | null;
  wamid: string;
  type: string;
  text: string | null;
  content: unknown;
  mediaId: string | null;
  contextWamid: string | null;
  sentAt: Date;
  preview: string;
  raw: unknown;
  conversationId: string;
};

export type InboundResult = { conversationId: string; messageId: string; duplicate: false } | { duplicate: true };

/**
 * Stores one inbound message in a single statement (atomic on its own, one round trip):
 * upsert the contact, claim the wamid (a repeat stops everything after it), upsert the
 * conversation (reopening it if resolved) and insert the message. The live event is published
 * after commit (a NOTIFY inside the statement would serialize every commit on its flush).
 */
export async function insertInbound(db: Db | Trx, r: InboundRow): Promise<InboundResult> {
  const query = db.raw(
    `WITH contact AS (
       INSERT INTO contacts AS c (id, wa_id, profile_name, country)
       VALUES (:contactId, :waId, :profileName, :country)
       ON CONFLICT (wa_id) DO UPDATE
         SET profile_name = COALESCE(EXCLUDED.profile_name, c.profile_name),
             country = COALESCE(c.country, EXCLUDED.country),
             updated_at = CASE WHEN c.profile_name IS DISTINCT FROM EXCLUDED.profile_name THEN now() ELSE c.updated_at END
       RETURNING c.id
     ), claimed AS (
       INSERT INTO message_wamids (wamid, message_id, message_created_at)
       VALUES (:wamid, :messageId, :createdAt)
       ON CONFLICT (wamid) DO NOTHING
       RETURNING wamid
     ), conversation AS (
       INSERT INTO conversations AS v (id, contact_id, channel_id, status, first_inbound_at, last_inbound_at,
                                       last_message_at, last_message_preview, last_message_direction, unread_count)
       SELECT :conversationId, contact.id, :channelId, 'open', :sentAt, :sentAt, :sentAt, :preview, 'in', 1
         FROM contact WHERE EXISTS (SELECT 1 FROM claimed)
       ON CONFLICT (contact_id, channel_id) DO UPDATE
         SET status = CASE WHEN v.status = 'resolved' OR v.status = 'pending' THEN 'open' ELSE v.status END,
             resolved_at = CASE WHEN v.status = 'resolved' THEN NULL ELSE v.resolved_at END,
             first_inbound_at = COALESCE(v.first_inbound_at, EXCLUDED.first_inbound_at),
             last_inbound_at = GREATEST(v.last_inbound_at, EXCLUDED.last_inbound_at),
             last_message_preview = CASE WHEN v.last_message_at IS NULL OR EXCLUDED.last_message_at >= v.last_message_at
                                         THEN EXCLUDED.last_message_preview ELSE v.last_message_preview END,
             last_message_direction = CASE WHEN v.last_message_at IS NULL OR EXCLUDED.last_message_at >= v.last_message_at
                                           THEN 'in' ELSE v.last_message_direction END,
             last_message_at = GREATEST(v.last_message_at, EXCLUDED.last_message_at),
             unread_count = v.unread_count + 1,
             updated_at = now()
       RETURNING v.id
     ), message AS (
       INSERT INTO messages (id, created_at, conversation_id, channel_id, contact_id, direction, wamid, type, text,
                             content, media_id, context_wamid, author_type, status, status_times, raw, sent_at)
       SELECT :messageId, :createdAt, conversation.id, :channelId, contact.id, 'in', :wamid, :type, :text,
              :content, :mediaId, :contextWamid, 'customer', 'received', jsonb_build_object('received', :createdAt::timestamptz), :raw, :sentAt
         FROM conversation, contact
       RETURNING id, conversation_id
     )
     SELECT message.conversation_id, message.id AS message_id
       FROM message`,
    {
      contactId: r.contactId,
      waId: r.waId,
      profileName: r.profileName,
      country: r.country,
      wamid: r.wamid,
      messageId: r.messageId,
      createdAt: r.createdAt,
      conversationId: r.conversationId,
      channelId: r.channelId,
      sentAt: r.sentAt,
      preview: r.preview,
      type: r.type,
      text: r.text,
      content: JSON.stringify(r.content ?? {}),
      mediaId: r.mediaId,
      contextWamid: r.contextWamid,
      raw: JSON.stringify(r.raw ?? null),
    },
  );
  const rows = await runPrepared<{ conversation_id: string; message_id: string }>(db, 'sb_ingest_inbound_v1', query);
  const row = rows[0];
  return row ? { conversationId: row.conversation_id, messageId: row.message_id, duplicate: false } : { duplicate: true };
}

type PgClient = { query: (q: { name: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[] }> };

/**
 * Runs a statement as a named prepared statement on a pooled connection: the hot ingest
 * path then skips parsing and planning its CTE on every message. Inside a transaction the
 * statement runs on the transaction's connection through knex as usual.
 */
async function runPrepared<T>(db: Db | Trx, name: string, query: ReturnType<Db['raw']>): Promise<T[]> {
  if ((db as Trx).isTransaction) {
    return ((await query) as { rows: T[] }).rows;
  }
  const native = query.toSQL().toNative();
  const conn = (await db.client.acquireConnection()) as PgClient;
  try {
    const result = await conn.query({ name, text: native.sql, values: native.bindings as unknown[] });
    return result.rows as T[];
  } finally {
    await db.client.releaseConnection(conn);
  }
}

// Later states outrank earlier ones; 'failed' outranks only 'queued' and 'sent' (a delivered message cannot fail).
const STATUS_ORDER = `ARRAY['received','queued','sent','failed','delivered','read','played']`;

export type StatusRow = {
  wamid: string;
  status: string;
  at: Date;
  error: unknown;
  pricing: unknown;
  payload: unknown;
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
      RETURNING m.id, m.conversation_id, m.created_at`,
    {
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
  await db.raw(
    `INSERT INTO pending_statuses (wamid, status, at, payload) VALUES (?, ?, ?, ?)
     ON CONFLICT (wamid, status) DO NOTHING`,
    [s.wamid, s.status, s.at, JSON.stringify({ error: s.error ?? null, pricing: s.pricing ?? null })],
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
