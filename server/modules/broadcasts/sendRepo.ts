import type { Db, Trx } from '../../db/knex';

import { OUTBOX_TAG_PREFIX } from '../outbox';

/**
 * The conversation of each (contact, number) a chunk sends to: the existing one, or a new one
 * created resolved, so a broadcast does not fill the inbox; a reply reopens it like any inbound
 * message. One statement: the CTE's insert and the read of existing rows see the same snapshot.
 */
export async function conversationsFor(trx: Trx, pairs: Array<{ id: string; contact_id: string; channel_id: string; preview: string }>): Promise<Map<string, string>> {
  const result = await trx.raw<{ rows: Array<{ id: string; contact_id: string; channel_id: string }> }>(
    `WITH v AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, contact_id uuid, channel_id uuid, preview text)),
          ins AS (INSERT INTO conversations (id, contact_id, channel_id, status, resolved_at, last_message_at, last_message_preview, last_message_direction)
                  SELECT v.id, v.contact_id, v.channel_id, 'resolved', now(), now(), v.preview, 'out' FROM v
                  ON CONFLICT (contact_id, channel_id) DO NOTHING
                  RETURNING id, contact_id, channel_id)
     SELECT id, contact_id, channel_id FROM ins
     UNION ALL
     SELECT c.id, c.contact_id, c.channel_id FROM conversations c JOIN v ON v.contact_id = c.contact_id AND v.channel_id = c.channel_id`,
    [JSON.stringify(pairs)],
  );
  return new Map(result.rows.map((r) => [`${r.contact_id}:${r.channel_id}`, r.id]));
}

export type BroadcastMessage = {
  id: string;
  created_at: Date;
  conversation_id: string;
  channel_id: string;
  contact_id: string;
  text: string | null;
  content: Record<string, unknown>;
};

/** The messages of a chunk, authored by the broadcast, queued. */
export async function insertBroadcastMessages(trx: Trx, rows: BroadcastMessage[]): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  await trx('messages').insert(
    rows.map((m) => ({
      ...m, content: JSON.stringify(m.content), direction: 'out', type: 'template', author_type: 'broadcast', status: 'queued',
      status_times: JSON.stringify({ queued: m.created_at.toISOString() }),
    })),
  );
}

/** A cancel withdrew these messages' outbox rows: they will not be sent. */
export async function markMessagesCancelled(trx: Trx, messages: Array<{ message_id: string; message_created_at: Date }>): Promise<void> {
  if (messages.length === 0) {
    return;
  }
  await trx.raw(
    `UPDATE messages m SET status = 'failed', error = '{"code":"cancelled","title":"The broadcast was cancelled before this message was sent."}'::jsonb,
            status_times = m.status_times || jsonb_build_object('failed', now())
       FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, created_at timestamptz)
      WHERE m.id = v.id AND m.created_at = v.created_at`,
    [JSON.stringify(messages.map((m) => ({ id: m.message_id, created_at: m.message_created_at.toISOString() })))],
  );
}

// From the parked statuses (few) to the recipients they name, never the other way round.
// The sender's tag (biz_opaque_callback_data) names the outbox row; a broadcast's recipient has it.
const NAMED = `named AS (SELECT p.wamid, p.received_at, r.id AS recipient_id
                           FROM pending_statuses p
                           JOIN broadcast_recipients r ON r.outbox_id = substr(p.payload->>'opaque', length(:prefix) + 1)::uuid
                          WHERE p.payload->>'opaque' ~ ('^' || :prefix || '[0-9a-f-]{36}$'))`;

export type Orphan = { outbox_id: string; message_id: string; message_created_at: Date; wamid: string };

/**
 * Sends whose result the sender never recorded (the process died between Meta's answer and the
 * commit), found through a status webhook that echoes the recipient: still 'sending' long after
 * their claim, or failed as 'interrupted' by the sender's crash reconciliation. Whatever the
 * broadcast's state: Meta's statuses may come after it completed.
 */
export async function orphanedSends(db: Db | Trx, claimedBeforeSeconds: number): Promise<Orphan[]> {
  const result = await db.raw<{ rows: Orphan[] }>(
    `WITH ${NAMED}
     SELECT DISTINCT ON (o.id) o.id AS outbox_id, o.message_id, o.message_created_at, n.wamid
       FROM named n
       JOIN broadcast_recipients r ON r.id = n.recipient_id
       JOIN outbox o ON o.id = r.outbox_id
      WHERE r.state = 'queued'
        AND ((o.state = 'sending' AND o.claimed_at < now() - make_interval(secs => :seconds)) OR (o.state = 'failed' AND o.last_error->>'code' = 'interrupted'))
      ORDER BY o.id, n.received_at`,
    { prefix: OUTBOX_TAG_PREFIX, seconds: claimedBeforeSeconds },
  );
  return result.rows;
}

/**
 * Broadcast statuses parked although their wamid is known: they came while the send's record was
 * being committed and its process died before looking again for them (the sender's second look).
 */
export async function strandedWamids(db: Db | Trx): Promise<string[]> {
  const result = await db.raw<{ rows: Array<{ wamid: string }> }>(
    `WITH ${NAMED}
     SELECT DISTINCT n.wamid FROM named n JOIN message_wamids w ON w.wamid = n.wamid
      WHERE n.received_at < now() - interval '5 seconds'`,
    { prefix: OUTBOX_TAG_PREFIX },
  );
  return result.rows.map((r) => r.wamid);
}

/** Records an orphaned send as Meta reported it: accepted under `wamid` (its parked statuses are applied next). */
export async function adoptWamid(trx: Trx, o: Orphan): Promise<void> {
  await trx('outbox').where({ id: o.outbox_id }).whereIn('state', ['sending', 'failed']).update({ state: 'sent', done_at: trx.raw('coalesce(done_at, now())'), last_error: null });
  await trx.raw(`INSERT INTO message_wamids (wamid, message_id, message_created_at) VALUES (?, ?, ?) ON CONFLICT (wamid) DO NOTHING`, [o.wamid, o.message_id, o.message_created_at]);
  await trx('messages')
    .where({ id: o.message_id, created_at: o.message_created_at })
    .update({
      wamid: o.wamid,
      sent_at: trx.raw('coalesce(sent_at, now())'),
      error: trx.raw(`CASE WHEN status = 'failed' THEN NULL ELSE error END`),
      status: trx.raw(`CASE WHEN status IN ('queued', 'failed') THEN 'sent' ELSE status END`),
    });
}
