// SQL of the data classes that are not messages: inactive contacts, sign-in sessions, and the
// audit log's oldest range (through the owner's trim function only).
import type { Db, Trx } from '../../db/knex';

// Is a contact covered by an active hold, by its id or one of its conversations? (A hold with
// other criteria covers messages, which an inactive contact no longer has.)
const CONTACT_HELD = `EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL AND (
    jsonb_exists(coalesce(h.scope->'contactIds', '[]'), CAST(ct.id AS text))
    OR EXISTS (SELECT 1 FROM conversations cv WHERE cv.contact_id = ct.id AND jsonb_exists(coalesce(h.scope->'conversationIds', '[]'), CAST(cv.id AS text)))))`;

// No message left, no conversation active since the cutoff, not touched since either.
const INACTIVE_CONTACTS = `FROM contacts ct WHERE ct.updated_at < CAST(:cutoff AS timestamptz)
   AND NOT EXISTS (SELECT 1 FROM conversations cv WHERE cv.contact_id = ct.id
                    AND (coalesce(cv.last_message_at, cv.created_at) >= CAST(:cutoff AS timestamptz)
                         OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = cv.id)))
   AND NOT ${CONTACT_HELD}`;

/** Deletes up to `limit` inactive, unheld contacts and their (empty) conversations; returns how many contacts. */
export async function deleteInactiveContacts(trx: Trx, cutoff: Date, limit: number): Promise<number> {
  const picked = await trx.raw<{ rows: Array<{ id: string }> }>(`SELECT ct.id ${INACTIVE_CONTACTS} LIMIT :limit FOR UPDATE OF ct SKIP LOCKED`, { cutoff, limit });
  const ids = picked.rows.map((r) => r.id);
  if (ids.length === 0) {
    return 0;
  }
  await trx('conversations').whereIn('contact_id', ids).delete();
  return trx('contacts').whereIn('id', ids).delete();
}

export async function countInactiveContacts(db: Db, cutoff: Date): Promise<number> {
  const result = await db.raw<{ rows: Array<{ n: number }> }>(`SELECT count(*)::int AS n ${INACTIVE_CONTACTS}`, { cutoff });
  return result.rows[0]!.n;
}

/** Deletes sign-in session records started before the cutoff; returns how many. */
export function deleteOldSessions(db: Db, cutoff: Date): Promise<number> {
  return db('sessions').where('created_at', '<', cutoff).delete();
}

export async function countOldSessions(db: Db, cutoff: Date): Promise<number> {
  const row = await db('sessions').where('created_at', '<', cutoff).count<Array<{ n: string }>>({ n: '*' });
  return Number(row[0]!.n);
}

export type AuditTrim = { firstSeq: number; firstPrevHash: string; removed: number };

/** Removes the audit log's expired oldest range through the owner's function; null when nothing expired. */
export async function trimAuditEvents(trx: Trx): Promise<AuditTrim | null> {
  const result = await trx.raw<{ rows: Array<{ first_seq: string; first_prev_hash: string; removed: string }> }>(
    'SELECT first_seq, first_prev_hash, removed FROM switchboard_trim_audit_events()',
  );
  const row = result.rows[0];
  return row ? { firstSeq: Number(row.first_seq), firstPrevHash: row.first_prev_hash, removed: Number(row.removed) } : null;
}

/** How many audit events the trim would remove now (the database's clock, as the trim function uses). */
export async function countExpiredAuditEvents(db: Db): Promise<number> {
  const result = await db.raw<{ rows: Array<{ n: number }> }>(
    `WITH p AS (SELECT max(days) AS days FROM retention_policies WHERE data_class = 'audit'),
          first_kept AS (SELECT coalesce((SELECT min(a.seq) FROM audit_events a, p WHERE a.at >= now() - make_interval(days => p.days)),
                                         (SELECT max(seq) FROM audit_events)) AS seq)
     SELECT count(*)::int AS n FROM audit_events a, first_kept f WHERE a.seq < f.seq`,
  );
  return result.rows[0]!.n;
}
