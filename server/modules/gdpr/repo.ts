// All SQL of GDPR requests: the request log, the erasure ledger, the subject's data as the access
// archive reads it, and the removal of a subject's data. Messages are partitioned: statements on
// `messages` reach every partition (the default one included).
import type { Db, Trx } from '../../db/knex';
import type { ContactRow as ContactRecord } from '../contacts';

export type RequestType = 'access' | 'erasure';
export type RequestState = 'open' | 'completed' | 'refused';

export type RequestRow = {
  id: string;
  type: RequestType;
  contact_id: string | null;
  subject_hash: string;
  received_at: Date;
  due_at: Date;
  extended_due_at: Date | null;
  extension_reason: string | null;
  state: RequestState;
  refusal_reason: string | null;
  outcome: Record<string, unknown>;
  archive_key: string | null;
  archive_sha256: string | null;
  created_by: string | null;
  handled_by: string | null;
  created_at: Date;
  completed_at: Date | null;
};

/** A request with its subject resolved now (null once erased) and who created it. */
export type RequestListRow = RequestRow & {
  wa_id: string | null;
  profile_name: string | null;
  restricted_at: Date | null;
  created_by_email: string | null;
};

export async function insertRequest(trx: Trx, row: Pick<RequestRow, 'id' | 'type' | 'contact_id' | 'subject_hash' | 'received_at' | 'due_at' | 'created_by'>): Promise<void> {
  await trx('gdpr_requests').insert(row);
}

export function findRequest(db: Db | Trx, id: string, opts: { forUpdate?: boolean } = {}): Promise<RequestRow | undefined> {
  const q = db<RequestRow>('gdpr_requests').where({ id }).first();
  return opts.forUpdate ? q.forUpdate() : q;
}

export async function updateRequest(trx: Trx, id: string, patch: Partial<RequestRow>): Promise<void> {
  const { outcome, ...rest } = patch;
  await trx('gdpr_requests').where({ id }).update({ ...rest, ...(outcome ? { outcome: JSON.stringify(outcome) } : {}) });
}

/**
 * Requests, open ones first by time left (the effective deadline: the extended one when there is
 * one), so overdue requests lead; then closed ones, newest first.
 */
export function listRequests(db: Db | Trx, state: 'open' | 'all', id?: string): Promise<RequestListRow[]> {
  const q = db('gdpr_requests as r')
    .leftJoin('contacts as c', 'c.id', 'r.contact_id')
    .leftJoin('users as u', 'u.id', 'r.created_by')
    .select('r.*', 'c.wa_id', 'c.profile_name', 'c.restricted_at', 'u.email as created_by_email')
    .orderByRaw(`r.state <> 'open', CASE WHEN r.state = 'open' THEN coalesce(r.extended_due_at, r.due_at) END ASC, r.created_at DESC`)
    .limit(500);
  if (state === 'open') {
    q.where('r.state', 'open');
  }
  if (id) {
    q.where('r.id', id);
  }
  return q;
}

/** A contact as the contacts module reads it, with the restriction a refused erasure sets. */
export type ContactRow = ContactRecord & { restricted_at: Date | null; restriction_reason: string | null };

export function findContact(db: Db | Trx, id: string, opts: { forUpdate?: boolean } = {}): Promise<ContactRow | undefined> {
  const q = db<ContactRow>('contacts').where({ id }).first();
  return opts.forUpdate ? q.forUpdate() : q;
}

/** Contacts whose number contains these digits (the request form's subject picker). */
export function searchContactsByPhone(db: Db, digits: string, limit: number): Promise<Array<{ id: string; wa_id: string; profile_name: string | null; restricted_at: Date | null }>> {
  return db('contacts').whereLike('wa_id', `%${digits}%`).select('id', 'wa_id', 'profile_name', 'restricted_at').orderBy('wa_id').limit(limit);
}

export async function restrictContact(trx: Trx, id: string, reason: string): Promise<void> {
  await trx('contacts').where({ id }).update({ restricted_at: trx.fn.now(), restriction_reason: reason });
}

/** The names of a contact's labels. */
export async function labelNames(db: Db | Trx, ids: string[]): Promise<string[]> {
  if (ids.length === 0) {
    return [];
  }
  return (await db('labels').whereIn('id', ids).orderBy('name').select('name')).map((r: { name: string }) => r.name);
}

export type NoteRow = { id: string; body: string; created_at: Date; updated_at: Date };

export function contactNotes(db: Db | Trx, contactId: string): Promise<NoteRow[]> {
  return db('contact_notes').where({ contact_id: contactId }).orderBy('created_at').select('id', 'body', 'created_at', 'updated_at');
}

export type ArchiveMessageRow = {
  id: string;
  created_at: Date;
  sent_at: Date | null;
  channel_name: string;
  channel_number: string;
  direction: 'in' | 'out';
  type: string;
  text: string | null;
  content: Record<string, unknown>;
  status: string;
  author_type: string;
  media_id: string | null;
  media_mime_type: string | null;
  media_size: number | null;
  media_sha256: string | null;
  media_filename: string | null;
  media_storage_key: string | null;
};

/** Every message of a contact, oldest first, with its number and media (the access archive). */
export function contactMessages(db: Db | Trx, contactId: string): Promise<ArchiveMessageRow[]> {
  return db('messages as m')
    .join('channels as ch', 'ch.id', 'm.channel_id')
    .leftJoin('media as md', 'md.id', 'm.media_id')
    .where('m.contact_id', contactId)
    .orderBy([{ column: 'm.created_at' }, { column: 'm.id' }])
    .select(
      'm.id', 'm.created_at', 'm.sent_at', 'ch.name as channel_name', 'ch.display_number as channel_number', 'm.direction', 'm.type', 'm.text',
      'm.content', 'm.status', 'm.author_type', 'm.media_id', 'md.mime_type as media_mime_type', 'md.size as media_size', 'md.sha256 as media_sha256',
      'md.filename as media_filename', 'md.storage_key as media_storage_key',
    );
}

/**
 * The messages of a contact that a locked retention period still requires keeping: the period
 * that applies to the message's number (its own or the default) is locked and has not run out.
 */
export async function lockedRetentionCount(db: Db | Trx, contactId: string): Promise<number> {
  const result = await db.raw<{ rows: Array<{ n: number }> }>(
    `SELECT count(DISTINCT m.id)::int AS n FROM messages m
       JOIN retention_policies p ON p.data_class = 'messages' AND p.locked_at IS NOT NULL AND (p.channel_id IS NULL OR p.channel_id = m.channel_id)
      WHERE m.contact_id = ? AND m.created_at > now() - make_interval(days => p.days)`,
    [contactId],
  );
  return result.rows[0]?.n ?? 0;
}

export type ErasedMessage = { id: string; channel_id: string; media_id: string | null; wamid: string | null };

/** Deletes every message of a contact (all partitions); returns them for their companions. */
export async function deleteContactMessages(trx: Trx, contactId: string, before?: Date): Promise<ErasedMessage[]> {
  const q = trx('messages').where({ contact_id: contactId });
  if (before) {
    q.where('created_at', '<=', before);
  }
  return q.delete().returning(['id', 'channel_id', 'media_id', 'wamid']);
}

/**
 * What else names the customer: statuses parked for their number, outbox rows addressed to it,
 * reactions or replies the sender still holds, contact-import report rows for their number, then
 * their conversations (lexicon hits follow by cascade) and the contact itself (notes and merged-in
 * numbers follow by cascade).
 */
export async function deleteContactRows(trx: Trx, contact: { id: string; wa_id: string }): Promise<{ conversations: number; notes: number }> {
  await trx('pending_statuses').whereRaw(`payload->>'recipient_id' = ?`, [contact.wa_id]).delete();
  await trx('outbox').where({ to_wa_id: contact.wa_id }).delete();
  const notes = await trx('contact_notes').where({ contact_id: contact.id }).delete();
  // Contact imports' row reports keep the lines they read: a row for this number goes, whether it
  // was imported (its normalised number) or rejected (the number's digits in the original line).
  await trx('contact_import_rows')
    .where({ wa_id: contact.wa_id })
    .orWhereRaw(`strpos(regexp_replace(coalesce(line, ''), '[^0-9]', '', 'g'), ?) > 0`, [contact.wa_id])
    .delete();
  const conversations = await trx('conversations').where({ contact_id: contact.id }).delete();
  await trx('contacts').where({ id: contact.id }).delete();
  return { conversations, notes };
}

/** The access archives made for a contact's requests (they hold the subject's data too). */
export async function archivesOfContact(trx: Trx, contactId: string): Promise<string[]> {
  const rows = await trx('gdpr_requests').where({ contact_id: contactId }).whereNotNull('archive_key').select('archive_key');
  await trx('gdpr_requests').where({ contact_id: contactId }).whereNotNull('archive_key').update({ archive_key: null });
  return rows.map((r: { archive_key: string }) => r.archive_key);
}

export async function recordInLedger(trx: Trx, row: { subjectHash: string; requestId: string | null; erasedAt: Date }): Promise<void> {
  await trx('erasure_ledger')
    .insert({ subject_hash: row.subjectHash, request_id: row.requestId, erased_at: row.erasedAt })
    .onConflict('subject_hash')
    .merge(['request_id', 'erased_at']);
}

export async function ledgerEntries(db: Db | Trx): Promise<Map<string, Date>> {
  const rows = await db('erasure_ledger').select('subject_hash', 'erased_at');
  return new Map(rows.map((r: { subject_hash: string; erased_at: Date }) => [r.subject_hash, r.erased_at]));
}

/** Every contact's number and creation time, in pages by id (the ledger is matched by keyed hash, in the process). */
export function contactPage(db: Db, afterId: string | null, limit: number): Promise<Array<{ id: string; wa_id: string; created_at: Date }>> {
  const q = db('contacts').select('id', 'wa_id', 'created_at').orderBy('id').limit(limit);
  if (afterId) {
    q.where('id', '>', afterId);
  }
  return q;
}

/** Forgets the archives of requests completed before the cutoff (retention's exports class); returns their store keys. */
export async function expireArchiveRows(db: Db, cutoff: Date): Promise<string[]> {
  return db.transaction(async (trx) => {
    const rows = await trx('gdpr_requests').whereNotNull('archive_key').where('completed_at', '<', cutoff).forUpdate().select('id', 'archive_key');
    if (rows.length > 0) {
      await trx('gdpr_requests').whereIn('id', rows.map((r: { id: string }) => r.id)).update({ archive_key: null });
    }
    return rows.map((r: { archive_key: string }) => r.archive_key);
  });
}
