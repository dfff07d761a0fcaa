// All SQL of e-discovery. The search predicate is `messages.search @@ switchboard_search_query(q)`
// (migrations/*_search_unaccent.ts), the very test a legal hold's `query` scope makes.
import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { SearchFilters } from './schema';

/** Counting stops here: an exact count of a broad search over years of messages is not worth its time. */
export const TOTAL_CAP = 1000;

export type Position = { at: string; id: string };

export type HitRow = {
  id: string;
  at: string;
  direction: 'in' | 'out';
  type: string;
  conversation_id: string;
  channel_id: string;
  channel_name: string;
  contact_id: string;
  contact_name: string | null;
  contact_wa_id: string;
  author_type: string;
  author_id: string | null;
  author_name: string | null;
  author_email: string | null;
  media_id: string | null;
  text: string | null;
  /** ts_debug's tokens of the text with their lexemes, when the search has a query (highlights.ts). */
  tokens: Array<[string, string[] | null]> | null;
};

/** The messages matching the filters, as a query on `messages as m` to select from. */
function matching(db: Db | Trx, f: SearchFilters): Knex.QueryBuilder {
  const q = db('messages as m');
  if (f.query) {
    q.whereRaw('m.search @@ public.switchboard_search_query(?)', [f.query]);
  }
  if (f.from) {
    q.where('m.created_at', '>=', f.from);
  }
  if (f.to) {
    q.where('m.created_at', '<', f.to);
  }
  if (f.channelIds) {
    q.whereIn('m.channel_id', f.channelIds);
  }
  if (f.contactIds) {
    q.whereIn('m.contact_id', f.contactIds);
  }
  if (f.contactPhones) {
    q.whereIn('m.contact_id', db('contacts').select('id').whereIn('wa_id', f.contactPhones.map((p) => p.replace(/^\+/, ''))));
  }
  if (f.agentIds) {
    // As a hold's agentIds: what the agent wrote, and the conversations assigned to them.
    const agents = f.agentIds;
    q.where((b) => b.whereIn('m.author_id', agents).orWhereIn('m.conversation_id', db('conversations').select('id').whereIn('assignee_id', agents)));
  }
  if (f.labelIds) {
    q.whereIn('m.contact_id', db('contacts').select('id').whereRaw('label_ids && ?::uuid[]', [f.labelIds]));
  }
  if (f.direction) {
    q.where('m.direction', f.direction);
  }
  if (f.types) {
    q.whereIn('m.type', f.types);
  }
  return q;
}

// Microseconds kept: a JavaScript Date would round them away and a page boundary would skip or repeat rows.
const EXACT_AT = `to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** One page, newest first, strictly after `after` in (created_at, id) order; highlights computed for the page's rows only. */
export async function searchPage(db: Db, f: SearchFilters, after: Position | null, limit: number): Promise<HitRow[]> {
  const page = matching(db, f)
    .select('m.id', 'm.created_at', 'm.direction', 'm.type', 'm.conversation_id', 'm.channel_id', 'm.contact_id', 'm.author_type', 'm.author_id', 'm.media_id', 'm.text')
    .select(db.raw(`${EXACT_AT} AS at`))
    .orderBy([{ column: 'm.created_at', order: 'desc' }, { column: 'm.id', order: 'desc' }])
    .limit(limit);
  if (after) {
    page.whereRaw('(m.created_at, m.id) < (?::timestamptz, ?::uuid)', [after.at, after.id]);
  }
  // Tokens for the page's rows only: ts_debug is far slower than the index lookup.
  const tokens = f.query
    ? db.raw(`(SELECT json_agg(json_build_array(d.token, d.lexemes) ORDER BY d.n) FROM ts_debug('public.switchboard_search'::regconfig, coalesce(p.text, ''))
               WITH ORDINALITY AS d(alias, description, token, dictionaries, dictionary, lexemes, n)) AS tokens`)
    : db.raw('NULL::json AS tokens');
  return db
    .from(page.as('p'))
    .join('channels as ch', 'ch.id', 'p.channel_id')
    .join('contacts as c', 'c.id', 'p.contact_id')
    .leftJoin('users as u', 'u.id', 'p.author_id')
    .select('p.id', 'p.at', 'p.direction', 'p.type', 'p.conversation_id', 'p.channel_id', 'ch.name as channel_name', 'p.contact_id',
      'c.profile_name as contact_name', 'c.wa_id as contact_wa_id', 'p.author_type', 'p.author_id', 'u.name as author_name', 'u.email as author_email',
      'p.media_id', 'p.text', tokens)
    .orderBy([{ column: 'p.created_at', order: 'desc' }, { column: 'p.id', order: 'desc' }]);
}

/** The query as the database parsed it (tsquery text: its lexemes, operators and negations). */
export async function parsedQuery(db: Db, query: string): Promise<string> {
  const result = await db.raw<{ rows: Array<{ q: string }> }>('SELECT public.switchboard_search_query(?)::text AS q', [query]);
  return result.rows[0]?.q ?? '';
}

/** How many messages match, counting no further than `cap`. */
export async function countMatches(db: Db, f: SearchFilters, cap: number): Promise<number> {
  const rows = await db.from(matching(db, f).select(db.raw('1')).limit(cap).as('x')).count<Array<{ count: string | number }>>('* as count');
  return Number(rows[0]?.count ?? 0);
}

export type ExportMessageRow = {
  id: string; at: string; conversation_id: string; channel_id: string; contact_id: string; direction: string; type: string; wamid: string | null;
  text: string | null; content: unknown; media_id: string | null; author_type: string; author_id: string | null; status: string;
  channel_number: string; contact_wa_id: string; contact_name: string | null;
};

/** A batch of the export's messages, oldest first, after `after`: the job walks them with constant memory. */
export function exportBatch(db: Db, f: SearchFilters, after: Position | null, limit: number): Promise<ExportMessageRow[]> {
  const q = matching(db, f)
    .join('channels as ch', 'ch.id', 'm.channel_id')
    .join('contacts as c', 'c.id', 'm.contact_id')
    .select('m.id', 'm.conversation_id', 'm.channel_id', 'm.contact_id', 'm.direction', 'm.type', 'm.wamid', 'm.text', 'm.content', 'm.media_id',
      'm.author_type', 'm.author_id', 'm.status', 'ch.display_number as channel_number', 'c.wa_id as contact_wa_id', 'c.profile_name as contact_name')
    .select(db.raw(`${EXACT_AT} AS at`))
    .orderBy([{ column: 'm.created_at', order: 'asc' }, { column: 'm.id', order: 'asc' }])
    .limit(limit);
  if (after) {
    q.whereRaw('(m.created_at, m.id) > (?::timestamptz, ?::uuid)', [after.at, after.id]);
  }
  return q;
}

export type ExportMediaRow = { id: string; mime_type: string; storage_key: string | null; sha256: string | null; filename: string | null };

/** A batch of the media the export's messages refer to, by id after `afterId`. */
export function exportMediaBatch(db: Db, f: SearchFilters, afterId: string | null, limit: number): Promise<ExportMediaRow[]> {
  const ids = matching(db, f).whereNotNull('m.media_id').distinct('m.media_id');
  const q = db('media').whereIn('id', ids).select('id', 'mime_type', 'storage_key', 'sha256', 'filename').orderBy('id').limit(limit);
  if (afterId) {
    q.where('id', '>', afterId);
  }
  return q;
}

/** What the search form offers: numbers, users (agents) and contact labels. */
export async function searchOptions(db: Db): Promise<{ channels: Array<{ id: string; label: string }>; agents: Array<{ id: string; label: string }>; labels: Array<{ id: string; label: string }> }> {
  const channels = await db('channels').select('id', 'name', 'display_number').orderBy('name');
  const agents = await db('users').select('id', 'name', 'email').orderBy('name');
  const labels = await db('labels').select('id', 'name').orderBy('name');
  return {
    channels: channels.map((c: { id: string; name: string; display_number: string }) => ({ id: c.id, label: `${c.name} (${c.display_number})` })),
    agents: agents.map((u: { id: string; name: string; email: string }) => ({ id: u.id, label: `${u.name} <${u.email}>` })),
    labels: labels.map((l: { id: string; name: string }) => ({ id: l.id, label: l.name })),
  };
}

export type ExportRow = {
  id: string; created_by: string | null; filters: SearchFilters; state: 'queued' | 'running' | 'done' | 'failed' | 'expired';
  total_messages: number | null; done_messages: number; media_files: number; file_key: string | null; sha256: string | null; size: number | null;
  error: string | null; created_at: Date; finished_at: Date | null; expires_at: Date; created_by_email?: string | null;
};

/** The default period of the `exports` retention class, in days. */
export async function exportsPeriodDays(trx: Trx): Promise<number> {
  const row = await trx('retention_policies').where({ data_class: 'exports' }).whereNull('channel_id').first('days');
  if (!row) {
    throw new Error('no retention policy for exports');
  }
  return (row as { days: number }).days;
}

export async function insertExport(trx: Trx, row: { id: string; by: string | null; filters: SearchFilters; expiresAt: Date }): Promise<void> {
  await trx('discovery_exports').insert({ id: row.id, created_by: row.by, filters: JSON.stringify(row.filters), expires_at: row.expiresAt });
}

const withCreator = (db: Db | Trx) => db('discovery_exports as e').leftJoin('users as u', 'u.id', 'e.created_by').select('e.*', 'u.email as created_by_email');

export async function findExport(db: Db | Trx, id: string): Promise<ExportRow | undefined> {
  return (await withCreator(db).where('e.id', id).first()) as ExportRow | undefined;
}

export async function listExports(db: Db, limit: number): Promise<ExportRow[]> {
  return (await withCreator(db).orderBy('e.created_at', 'desc').limit(limit)) as ExportRow[];
}

/** Takes a queued (or a crashed running) export for this run; false when it is finished already. */
export async function startExport(db: Db, id: string, total: number): Promise<boolean> {
  const n = await db('discovery_exports').where({ id }).whereIn('state', ['queued', 'running'])
    .update({ state: 'running', total_messages: total, done_messages: 0, media_files: 0, error: null });
  return n === 1;
}

export async function updateProgress(db: Db, id: string, progress: { doneMessages?: number; mediaFiles?: number }): Promise<void> {
  await db('discovery_exports').where({ id }).update({
    ...(progress.doneMessages !== undefined ? { done_messages: progress.doneMessages } : {}),
    ...(progress.mediaFiles !== undefined ? { media_files: progress.mediaFiles } : {}),
  });
}

export async function finishExport(trx: Trx, id: string, file: { key: string; sha256: string; size: number }, at: Date): Promise<void> {
  await trx('discovery_exports').where({ id }).update({ state: 'done', file_key: file.key, sha256: file.sha256, size: file.size, finished_at: at });
}

export async function failExport(db: Db, id: string, message: string, at: Date): Promise<void> {
  await db('discovery_exports').where({ id }).update({ state: 'failed', error: message, finished_at: at });
}

/** Finished exports whose retention period is over (their file, if any, still to delete). */
export function expiredExports(db: Db, now: Date, limit: number): Promise<ExportRow[]> {
  return db('discovery_exports').whereIn('state', ['done', 'failed']).where('expires_at', '<=', now).orderBy('expires_at').limit(limit);
}

/** Marks an export expired; false when another sweep got there first. */
export async function markExpired(trx: Trx, id: string): Promise<boolean> {
  const n = await trx('discovery_exports').where({ id }).whereIn('state', ['done', 'failed']).update({ state: 'expired', file_key: null });
  return n === 1;
}
