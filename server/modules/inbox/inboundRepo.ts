import { queryPrepared, type PgConnection } from '../../db/prepared';

/** One inbound message, ready to store: ids are chosen by the caller, media arrives pending. */
export type InboundRow = {
  messageId: string;
  createdAt: Date;
  channelId: string;
  contactId: string;
  waId: string;
  profileName: string | null;
  country: string | null;
  /** Where the number says the customer is (contacts' regionOf), when it says so. */
  region?: string | null;
  wamid: string;
  type: string;
  text: string | null;
  content: unknown;
  media: { id: string; mimeType: string; sha256: string | null; filename: string | null; metaMediaId: string } | null;
  contextWamid: string | null;
  sentAt: Date;
  preview: string;
  /** The message as Meta sent it; stored as JSON text, which keeps U+0000 and lone surrogates (jsonb cannot). */
  raw: unknown;
  conversationId: string;
};

export type InboundResult = { conversationId: string; messageId: string; duplicate: false } | { duplicate: true };

/**
 * Stores a batch of inbound messages in one statement (atomic on its own, one round trip, one
 * commit): upsert the contacts, claim the wamids (a repeat stops everything after it for that
 * message), upsert the conversations (reopening resolved ones, counting every new message),
 * record pending media and insert the messages. New and reopened conversations are marked for the
 * router (routing_pending). Several messages of one customer collapse to
 * one contact and one conversation row, so no row is touched twice; rows are inserted in key
 * order so concurrent batches (other web processes) lock in one order.
 */
const INSERT_BATCH = `
  WITH input AS (
    SELECT DISTINCT ON (wamid) * FROM jsonb_to_recordset($1::jsonb) AS x(
      ord int, message_id uuid, created_at timestamptz, channel_id uuid, contact_id uuid, wa_id text, profile_name text,
      country text, region text, wamid text, type text, text text, content jsonb, media_id uuid, media_mime text,
      media_sha256 text, media_filename text, media_meta_id text, context_wamid text, sent_at timestamptz,
      preview text, raw text, conversation_id uuid)
    ORDER BY wamid, ord
  ), contact AS (
    INSERT INTO contacts AS c (id, wa_id, profile_name, country, region, last_inbound_at)
    SELECT DISTINCT ON (wa_id) contact_id, wa_id, profile_name, country, region, max(sent_at) OVER (PARTITION BY wa_id) FROM input ORDER BY wa_id, ord DESC
    ON CONFLICT (wa_id) DO UPDATE
      SET profile_name = COALESCE(EXCLUDED.profile_name, c.profile_name),
          country = COALESCE(c.country, EXCLUDED.country),
          region = COALESCE(c.region, EXCLUDED.region),
          -- When the customer last wrote, for segments (contacts.last_inbound_at): a replayed message changes nothing.
          last_inbound_at = GREATEST(c.last_inbound_at, EXCLUDED.last_inbound_at),
          updated_at = CASE WHEN c.profile_name IS DISTINCT FROM EXCLUDED.profile_name THEN now() ELSE c.updated_at END
    RETURNING c.id, c.wa_id
  ), claimed AS (
    INSERT INTO message_wamids (wamid, message_id, message_created_at)
    SELECT wamid, message_id, created_at FROM input ORDER BY wamid
    ON CONFLICT (wamid) DO NOTHING
    RETURNING wamid
  ), fresh AS (
    SELECT input.*, contact.id AS known_contact_id
      FROM input JOIN claimed USING (wamid) JOIN contact ON contact.wa_id = input.wa_id
  ), conversation AS (
    INSERT INTO conversations AS v (id, contact_id, channel_id, status, first_inbound_at, last_inbound_at,
                                    last_message_at, last_message_preview, last_message_direction, unread_count, routing_pending)
    SELECT (array_agg(conversation_id ORDER BY ord))[1], known_contact_id, channel_id, 'open', min(sent_at), max(sent_at),
           max(sent_at), (array_agg(preview ORDER BY sent_at DESC, ord DESC))[1], 'in', count(*), true
      FROM fresh GROUP BY wa_id, known_contact_id, channel_id ORDER BY wa_id, channel_id
    ON CONFLICT (contact_id, channel_id) DO UPDATE
      SET status = CASE WHEN v.status = 'resolved' OR v.status = 'pending' THEN 'open' ELSE v.status END,
          resolved_at = CASE WHEN v.status = 'resolved' THEN NULL ELSE v.resolved_at END,
          -- A returning customer (resolved, now writing again) is routed afresh (sticky owner or not).
          routing_pending = v.routing_pending OR v.status = 'resolved',
          first_inbound_at = COALESCE(v.first_inbound_at, EXCLUDED.first_inbound_at),
          last_inbound_at = GREATEST(v.last_inbound_at, EXCLUDED.last_inbound_at),
          last_message_preview = CASE WHEN v.last_message_at IS NULL OR EXCLUDED.last_message_at >= v.last_message_at
                                      THEN EXCLUDED.last_message_preview ELSE v.last_message_preview END,
          last_message_direction = CASE WHEN v.last_message_at IS NULL OR EXCLUDED.last_message_at >= v.last_message_at
                                        THEN 'in' ELSE v.last_message_direction END,
          last_message_at = GREATEST(v.last_message_at, EXCLUDED.last_message_at),
          unread_count = v.unread_count + EXCLUDED.unread_count,
          updated_at = now()
    RETURNING v.id, v.contact_id, v.channel_id
  ), media AS (
    INSERT INTO media (id, channel_id, direction, mime_type, sha256, filename, meta_media_id, state)
    SELECT media_id, channel_id, 'in', media_mime, media_sha256, media_filename, media_meta_id, 'pending'
      FROM fresh WHERE media_id IS NOT NULL
  ), message AS (
    INSERT INTO messages (id, created_at, conversation_id, channel_id, contact_id, direction, wamid, type, text,
                          content, media_id, context_wamid, author_type, status, status_times, raw, sent_at)
    SELECT f.message_id, f.created_at, v.id, f.channel_id, f.known_contact_id, 'in', f.wamid, f.type, f.text,
           COALESCE(f.content, '{}'::jsonb), f.media_id, f.context_wamid, 'customer', 'received',
           jsonb_build_object('received', f.created_at), f.raw::json, f.sent_at
      FROM fresh f JOIN conversation v ON v.contact_id = f.known_contact_id AND v.channel_id = f.channel_id
    RETURNING wamid, id, conversation_id
  )
  SELECT wamid, id AS message_id, conversation_id FROM message`;

// The statement's name on each connection; a new text needs a new name.
const STATEMENT = 'sb_ingest_inbound_batch_v5';

function toRecord(r: InboundRow, ord: number): Record<string, unknown> {
  return {
    ord,
    message_id: r.messageId,
    created_at: r.createdAt,
    channel_id: r.channelId,
    contact_id: r.contactId,
    wa_id: r.waId,
    profile_name: r.profileName,
    country: r.country,
    region: r.region ?? null,
    wamid: r.wamid,
    type: r.type,
    text: r.text,
    content: r.content ?? {},
    media_id: r.media?.id ?? null,
    media_mime: r.media?.mimeType ?? null,
    media_sha256: r.media?.sha256 ?? null,
    media_filename: r.media?.filename ?? null,
    media_meta_id: r.media?.metaMediaId ?? null,
    context_wamid: r.contextWamid,
    sent_at: r.sentAt,
    preview: r.preview,
    // JSON text inside the batch's JSON: its escapes (\u0000, \ud800) are plain ASCII there.
    raw: r.raw === undefined ? null : JSON.stringify(r.raw),
    conversation_id: r.conversationId,
  };
}

/** Stores the rows in one statement; the result of each, in order (a repeated wamid is a duplicate). */
export async function insertInboundBatch(conn: PgConnection, rows: readonly InboundRow[]): Promise<InboundResult[]> {
  const stored = await queryPrepared<{ wamid: string; message_id: string; conversation_id: string }>(conn, STATEMENT, INSERT_BATCH, [
    JSON.stringify(rows.map((r, i) => toRecord(r, i))),
  ]);
  const byWamid = new Map(stored.map((s) => [s.wamid, s]));
  return rows.map((r) => {
    const s = byWamid.get(r.wamid);
    return s && s.message_id === r.messageId
      ? { duplicate: false, conversationId: s.conversation_id, messageId: s.message_id }
      : { duplicate: true };
  });
}
