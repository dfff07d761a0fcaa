// All SQL of contacts, their labels, attribute definitions, notes and aliases (merge: mergeRepo.ts).
import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { FieldMap } from '../authz/sql';
import type { AttributeType } from './schema';

export type ContactRow = {
  id: string;
  wa_id: string;
  profile_name: string | null;
  country: string | null;
  region: string | null;
  language: string | null;
  label_ids: string[];
  attributes: Record<string, unknown>;
  opt_state: 'unknown' | 'in' | 'out';
  opt_source: string | null;
  opt_changed_at: Date | null;
  last_inbound_at: Date | null;
  created_at: Date;
  updated_at: Date;
};
export type LabelRow = { id: string; name: string; color: string };
export type AttributeRow = { key: string; name: string; type: AttributeType; options: string[] };
export type NoteRow = { id: string; contact_id: string; author_id: string | null; author_name: string | null; body: string; created_at: Date; updated_at: Date };

/** The contact fields CASL conditions may name, as SQL (custom roles may narrow contacts by them). */
export const CONTACT_SQL_FIELDS: FieldMap = {
  id: { column: 'c.id' },
  country: { column: 'c.country' },
  region: { column: 'c.region' },
  language: { column: 'c.language' },
  optState: { column: 'c.opt_state' },
  labelIds: { arrayExpr: 'c.label_ids::text[]' },
};

/** A contact as CASL conditions see it (the same fields as CONTACT_SQL_FIELDS). */
export function contactSubject(c: ContactRow): Record<string, unknown> {
  return { id: c.id, country: c.country, region: c.region, language: c.language, optState: c.opt_state, labelIds: c.label_ids };
}

const CONTACT_COLUMNS = ['id', 'wa_id', 'profile_name', 'country', 'region', 'language', 'label_ids', 'attributes', 'opt_state', 'opt_source', 'opt_changed_at', 'last_inbound_at', 'created_at', 'updated_at'];
const likeOf = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`;

/**
 * A page of contacts, newest first (ids are UUIDv7: time-ordered), after `cursor`. The phone
 * search (digits, also the numbers merged in) is only for viewers who may read phones, so a
 * masked number cannot be probed digit by digit.
 */
export async function listContacts(
  db: Db,
  f: { q?: string; labelId?: string; cursor?: string; limit: number; phoneSearch: boolean },
  narrow: (q: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<ContactRow[]> {
  const q = db('contacts as c').select(CONTACT_COLUMNS.map((col) => `c.${col}`)).orderBy('c.id', 'desc').limit(f.limit);
  if (f.q) {
    const text = f.q;
    const digits = text.replace(/\D/g, '');
    q.where((w) => {
      w.whereILike('c.profile_name', likeOf(text));
      if (f.phoneSearch && digits.length >= 3) {
        w.orWhereLike('c.wa_id', `%${digits}%`);
        w.orWhereExists(db('contact_aliases as a').whereRaw('a.contact_id = c.id').whereLike('a.wa_id', `%${digits}%`));
      }
    });
  }
  if (f.labelId) {
    q.whereRaw('c.label_ids @> ARRAY[?]::uuid[]', [f.labelId]);
  }
  if (f.cursor) {
    q.where('c.id', '<', f.cursor);
  }
  return narrow(q) as unknown as Promise<ContactRow[]>;
}

export async function findContact(db: Db | Trx, id: string): Promise<ContactRow | undefined> {
  return (await db('contacts').select(CONTACT_COLUMNS).where({ id }).first()) as ContactRow | undefined;
}

/** Locks contacts for a change, in id order (two merges of the same pair cannot deadlock). */
export async function lockContacts(trx: Trx, ids: string[]): Promise<ContactRow[]> {
  return (await trx('contacts').select(CONTACT_COLUMNS).whereIn('id', ids).orderBy('id').forUpdate()) as ContactRow[];
}

export async function contactIdByWaId(db: Db | Trx, waId: string): Promise<string | null> {
  const row = await db('contacts').where({ wa_id: waId }).first('id');
  return (row?.id as string | undefined) ?? null;
}

export async function insertContact(trx: Trx, row: Partial<ContactRow> & { id: string; wa_id: string }): Promise<void> {
  await trx('contacts').insert({ ...row, attributes: JSON.stringify(row.attributes ?? {}) });
}

export async function updateContactRow(trx: Trx, id: string, patch: Partial<Omit<ContactRow, 'id'>>): Promise<void> {
  const values: Record<string, unknown> = { ...patch, updated_at: trx.fn.now() };
  if (patch.attributes) {
    values.attributes = JSON.stringify(patch.attributes);
  }
  await trx('contacts').where({ id }).update(values);
}

/** Sets the consent state; false when it already was that state (nothing changes, nothing to audit). */
export async function setConsent(trx: Trx, id: string, state: 'in' | 'out', source: string): Promise<boolean> {
  const n = await trx('contacts')
    .where({ id })
    .whereNot('opt_state', state)
    .update({ opt_state: state, opt_source: source, opt_changed_at: trx.fn.now(), updated_at: trx.fn.now() });
  return n > 0;
}

/** The contacts of these conversations, by conversation id. */
export async function contactsOfConversations(db: Db | Trx, conversationIds: string[]): Promise<Map<string, string>> {
  const rows = (await db('conversations').whereIn('id', conversationIds).select('id', 'contact_id')) as Array<{ id: string; contact_id: string }>;
  return new Map(rows.map((r) => [r.id, r.contact_id]));
}

export async function listLabels(db: Db | Trx, ids?: string[]): Promise<LabelRow[]> {
  const q = db<LabelRow>('labels').select('id', 'name', 'color').orderByRaw('lower(name)');
  if (ids) {
    q.whereIn('id', ids);
  }
  return q;
}

/** Is this name used by another label (case-insensitive, as the unique index)? */
export async function labelNameTaken(db: Db | Trx, name: string, exceptId?: string): Promise<boolean> {
  const q = db('labels').whereRaw('lower(name) = lower(?)', [name]);
  if (exceptId) {
    q.whereNot('id', exceptId);
  }
  return (await q.first('id')) !== undefined;
}

export async function insertLabel(trx: Trx, row: LabelRow): Promise<void> {
  await trx('labels').insert(row);
}

export async function updateLabelRow(trx: Trx, id: string, patch: Partial<Omit<LabelRow, 'id'>>): Promise<boolean> {
  return (await trx('labels').where({ id }).update(patch)) > 0;
}

/** Deletes a label and takes it off every contact; the number of contacts that carried it. */
export async function deleteLabelRow(trx: Trx, id: string): Promise<number | null> {
  const carried = await trx('contacts')
    .whereRaw('label_ids @> ARRAY[?]::uuid[]', [id])
    .update({ label_ids: trx.raw('array_remove(label_ids, ?::uuid)', [id]), updated_at: trx.fn.now() });
  const deleted = await trx('labels').where({ id }).delete();
  return deleted > 0 ? carried : null;
}

export async function listAttributes(db: Db | Trx): Promise<AttributeRow[]> {
  return db<AttributeRow>('contact_attributes').select('key', 'name', 'type', 'options').orderBy('name');
}

export async function findAttribute(db: Db | Trx, key: string): Promise<AttributeRow | undefined> {
  return db<AttributeRow>('contact_attributes').select('key', 'name', 'type', 'options').where({ key }).first();
}

export async function insertAttribute(trx: Trx, row: AttributeRow): Promise<void> {
  await trx('contact_attributes').insert(row);
}

export async function updateAttributeRow(trx: Trx, key: string, patch: Partial<Omit<AttributeRow, 'key'>>): Promise<void> {
  await trx('contact_attributes').where({ key }).update(patch);
}

/** Deletes a definition and its values on every contact; the number of contacts that had one. */
export async function deleteAttributeRow(trx: Trx, key: string): Promise<number> {
  const had = await trx('contacts')
    .whereRaw('attributes \\? ?', [key])
    .update({ attributes: trx.raw('attributes - ?::text', [key]), updated_at: trx.fn.now() });
  await trx('contact_attributes').where({ key }).delete();
  return had;
}

// What a stored JSON value must look like for each type (the same rules as attributes.ts).
const FITS: Record<AttributeType, string> = {
  text: `jsonb_typeof(v) = 'string'`,
  number: `jsonb_typeof(v) = 'number'`,
  boolean: `jsonb_typeof(v) = 'boolean'`,
  date: `jsonb_typeof(v) = 'string' AND (v #>> '{}') ~ '^\\d{4}-\\d{2}-\\d{2}$'`,
  choice: `jsonb_typeof(v) = 'string' AND (v #>> '{}') = ANY(:options::text[])`,
};

/** How many contacts hold a value for `key` that a definition of this type and options would refuse. */
export async function countMisfits(db: Db | Trx, key: string, type: AttributeType, options: string[]): Promise<number> {
  const result = await db.raw<{ rows: Array<{ n: number }> }>(
    `SELECT count(*)::int AS n FROM (SELECT attributes -> :key AS v FROM contacts WHERE attributes \\? :key) x WHERE NOT (${FITS[type]})`,
    { key, options },
  );
  return result.rows[0]?.n ?? 0;
}

function notesQuery(db: Db | Trx, contactId: string) {
  return db('contact_notes as n')
    .leftJoin('users as u', 'u.id', 'n.author_id')
    .where('n.contact_id', contactId)
    .select('n.id', 'n.contact_id', 'n.author_id', 'u.name as author_name', 'n.body', 'n.created_at', 'n.updated_at');
}

/** A contact's notes, newest first, with their authors' names. */
export async function listNotes(db: Db | Trx, contactId: string): Promise<NoteRow[]> {
  return notesQuery(db, contactId).orderBy('n.created_at', 'desc');
}

export async function findNote(db: Db | Trx, contactId: string, id: string): Promise<NoteRow | undefined> {
  return notesQuery(db, contactId).where('n.id', id).first();
}

export async function insertNote(trx: Trx, row: { id: string; contact_id: string; author_id: string | null; body: string }): Promise<void> {
  await trx('contact_notes').insert(row);
}

export async function updateNoteRow(trx: Trx, id: string, body: string): Promise<void> {
  await trx('contact_notes').where({ id }).update({ body, updated_at: trx.fn.now() });
}

export async function deleteNoteRow(trx: Trx, id: string): Promise<void> {
  await trx('contact_notes').where({ id }).delete();
}

export async function listAliases(db: Db | Trx, contactId: string): Promise<Array<{ wa_id: string; merged_at: Date }>> {
  return db('contact_aliases').where({ contact_id: contactId }).select('wa_id', 'merged_at').orderBy('merged_at', 'desc');
}

/** A setting's stored value (settings table), or undefined when it was never changed from its default. */
export async function storedSetting(db: Db | Trx, key: string): Promise<unknown> {
  const row = (await db('settings').where({ key }).first('value')) as { value: unknown } | undefined;
  return row?.value;
}

/** Opts these contacts out (source, now); the ids of those that were not out already. */
export async function optOutContacts(trx: Trx, ids: string[], source: string): Promise<string[]> {
  const rows = (await trx('contacts')
    .whereIn('id', ids)
    .whereNot('opt_state', 'out')
    .update({ opt_state: 'out', opt_source: source, opt_changed_at: trx.fn.now(), updated_at: trx.fn.now() })
    .returning('id')) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}
