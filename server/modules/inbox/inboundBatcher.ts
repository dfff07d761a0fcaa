import type { Db } from '../../db/knex';
import { runPrepared } from '../../db/prepared';

/** One inbound message, ready to store: ids are chosen by the caller, media arrives pending. */
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
  media: { id: string; mimeType: string; sha256: string | null; filename: string | null; metaMediaId: string } | null;
  contextWamid: string | null;
  sentAt: Date;
  preview: string;
  raw: unknown;
  conversationId: string;
};

export type InboundResult = { conversationId: string; messageId: string; duplicate: false } | { duplicate: true };

/**
 * Stores a batch of inbound messages in one statement (atomic on its own, one round trip, one
 * commit): upsert the contacts, claim the wamids (a repeat stops everything after it for that
 * message), upsert the conversations (reopening resolved ones), record pending media and insert
 * the messages. A batch never holds two messages from the same customer, so no row is touched
 * twice; rows are inserted in key order so concurrent batches lock in one order.
 */
const INSERT_BATCH = `
  WITH input AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
      message_id uuid, created_at timestamptz, channel_id uuid, contact_id uuid, wa_id text, profile_name text,
      country text, wamid text, type text, text text, content jsonb, media_id uuid, media_mime text,
      media_sha256 text, media_filename text, media_meta_id text, context_wamid text, sent_at timestamptz,
      preview text, raw jsonb, conversation_id uuid)
  ), contact AS (
    INSERT INTO contacts AS c (id, wa_id, profile_name, country)
    SELECT contact_id, wa_id, profile_name, country FROM input ORDER BY wa_id
    ON CONFLICT (wa_id) DO UPDATE
      SET profile_name = COALESCE(EXCLUDED.profile_name, c.profile_name),
          country = COALESCE(c.country, EXCLUDED.country),
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
                                    last_message_at, last_message_preview, last_message_direction, unread_count)
    SELECT conversation_id, known_contact_id, channel_id, 'open', sent_at, sent_at, sent_at, preview, 'in', 1
      FROM fresh ORDER BY wa_id
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
           jsonb_build_object('received', f.created_at), f.raw, f.sent_at
      FROM fresh f JOIN conversation v ON v.contact_id = f.known_contact_id AND v.channel_id = f.channel_id
    RETURNING wamid, id, conversation_id
  )
  SELECT wamid, id AS message_id, conversation_id FROM message`;

// The statement's name on each connection; a new text needs a new name.
const STATEMENT = 'sb_ingest_inbound_batch_v1';

function toRecord(r: InboundRow): Record<string, unknown> {
  return {
    message_id: r.messageId,
    created_at: r.createdAt,
    channel_id: r.channelId,
    contact_id: r.contactId,
    wa_id: r.waId,
    profile_name: r.profileName,
    country: r.country,
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
    raw: r.raw ?? null,
    conversation_id: r.conversationId,
  };
}

/** Stores the rows (distinct customers) in one statement; the result of each, in order. */
export async function insertInboundBatch(db: Db, rows: readonly InboundRow[]): Promise<InboundResult[]> {
  const stored = await runPrepared<{ wamid: string; message_id: string; conversation_id: string }>(db, STATEMENT, INSERT_BATCH, [
    JSON.stringify(rows.map(toRecord)),
  ]);
  const byWamid = new Map(stored.map((s) => [s.wamid, s]));
  return rows.map((r) => {
    const s = byWamid.get(r.wamid);
    return s && s.message_id === r.messageId
      ? { duplicate: false, conversationId: s.conversation_id, messageId: s.message_id }
      : { duplicate: true };
  });
}

type Waiting = { row: InboundRow; resolve: (r: InboundResult) => void; reject: (err: unknown) => void };

/** Inbound messages waiting in one lane, and whether a batch of the lane is in the database. */
type Lane = { queue: Waiting[]; busy: boolean };

export type BatcherOptions = { lanes?: number; maxBatch?: number };

/**
 * Group commit for inbound messages. Webhooks arrive one message at a time, many at once; each
 * waits for its message to be durable before it is acknowledged. Messages are spread over a few
 * lanes by customer (the same customer always in the same lane, so concurrent batches never
 * touch the same contact or conversation), and each lane has one batch in the database at a
 * time: whatever arrived meanwhile goes in the next one. An idle lane writes at once, so a
 * lone message waits for nothing but its own statement.
 *
 * A batch that fails is retried one message at a time, so one bad message (or a deadlock with
 * another writer) fails only its own webhook, which Meta delivers again.
 */
export class InboundBatcher {
  private readonly lanes: Lane[];
  private readonly maxBatch: number;

  constructor(
    private readonly db: Db,
    opts: BatcherOptions = {},
  ) {
    this.lanes = Array.from({ length: opts.lanes ?? 4 }, () => ({ queue: [], busy: false }));
    this.maxBatch = opts.maxBatch ?? 250;
  }

  /** Resolves when every row is durable (or known already), with each row's outcome. */
  store(rows: readonly InboundRow[]): Promise<InboundResult[]> {
    return Promise.all(
      rows.map(
        (row) =>
          new Promise<InboundResult>((resolve, reject) => {
            const lane = this.lanes[laneOf(row.waId, this.lanes.length)]!;
            lane.queue.push({ row, resolve, reject });
            this.kick(lane);
          }),
      ),
    );
  }

  private kick(lane: Lane): void {
    if (lane.busy || lane.queue.length === 0) {
      return;
    }
    lane.busy = true;
    const batch = this.take(lane);
    void this.write(batch).finally(() => {
      lane.busy = false;
      this.kick(lane);
    });
  }

  /** Up to maxBatch waiting messages from distinct customers, oldest first; the rest wait. */
  private take(lane: Lane): Waiting[] {
    const batch: Waiting[] = [];
    const rest: Waiting[] = [];
    const customers = new Set<string>();
    for (const w of lane.queue) {
      if (batch.length < this.maxBatch && !customers.has(w.row.waId)) {
        customers.add(w.row.waId);
        batch.push(w);
      } else {
        rest.push(w);
      }
    }
    lane.queue = rest;
    return batch;
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const results = await insertInboundBatch(
        this.db,
        batch.map((w) => w.row),
      );
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      for (const w of batch) {
        await this.write([w]);
      }
    }
  }
}

/** A stable lane for a customer (FNV-1a of the wa_id). */
function laneOf(waId: string, lanes: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < waId.length; i++) {
    h ^= waId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % lanes;
}
