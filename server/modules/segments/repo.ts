import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { AttributeCondition, SegmentFilter } from './schema';

export type SegmentRow = {
  id: string;
  name: string;
  filter: SegmentFilter;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

export type SegmentContactRow = {
  id: string;
  wa_id: string;
  profile_name: string | null;
  country: string | null;
  language: string | null;
  label_ids: string[];
  opt_state: 'unknown' | 'in' | 'out';
  last_inbound_at: Date | null;
};

export type AttributeType = 'text' | 'number' | 'date' | 'boolean' | 'choice';

const CONTACT_COLUMNS = ['c.id', 'c.wa_id', 'c.profile_name', 'c.country', 'c.language', 'c.label_ids', 'c.opt_state', 'c.last_inbound_at'];
const DAY_MS = 86_400_000;

/** LIKE's wildcards taken literally (a "contains" condition searches for the text as typed). */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (m) => `\\${m}`);

/** One attribute condition as SQL on `c.attributes` (values are stored typed: numbers as JSON numbers, dates as YYYY-MM-DD). */
function whereAttribute(b: Knex.QueryBuilder, cond: AttributeCondition): void {
  const { key, op, value } = cond;
  switch (op) {
    case 'equals':
      // `@>` on the GIN (jsonb_path_ops) index.
      b.whereRaw('c.attributes @> ?::jsonb', [JSON.stringify({ [key]: value })]);
      return;
    case 'contains':
      b.whereRaw(`c.attributes->>? ILIKE ? ESCAPE '\\'`, [key, `%${likeEscaped(String(value))}%`]);
      return;
    case 'greater':
    case 'less':
      // The CASE keeps the cast away from a value that is not a number (SQL's AND does not promise an order).
      b.whereRaw(`CASE WHEN jsonb_typeof(c.attributes->?) = 'number' THEN (c.attributes->>?)::numeric ${op === 'greater' ? '>' : '<'} ? ELSE false END`, [key, key, value as number]);
      return;
    case 'before':
    case 'after':
      // ISO dates compare as text.
      b.whereRaw(`c.attributes->>? ${op === 'before' ? '<' : '>'} ?`, [key, String(value)]);
      return;
    case 'is_set':
      b.whereRaw('c.attributes \\? ?', [key]);
      return;
    case 'not_set':
      b.whereRaw('NOT (c.attributes \\? ?)', [key]);
      return;
  }
}

/**
 * Narrows a query on `contacts AS c` to a segment's filter. The one SQL builder of segments:
 * counts, previews, exports and (later) broadcasts all go through it. `now` anchors "within N days".
 */
export function whereSegment(b: Knex.QueryBuilder, filter: SegmentFilter, now: Date): Knex.QueryBuilder {
  const labels = filter.labels;
  if (labels?.all?.length) {
    b.whereRaw('c.label_ids @> ?::uuid[]', [labels.all]);
  }
  if (labels?.any?.length) {
    b.whereRaw('c.label_ids && ?::uuid[]', [labels.any]);
  }
  if (labels?.none?.length) {
    b.whereRaw('NOT (c.label_ids && ?::uuid[])', [labels.none]);
  }
  if (filter.countries?.length) {
    b.whereIn('c.country', filter.countries);
  }
  for (const cond of filter.attributes ?? []) {
    whereAttribute(b, cond);
  }
  const inbound = filter.lastInbound;
  if (inbound?.before) {
    b.where('c.last_inbound_at', '<', new Date(inbound.before));
  }
  if (inbound?.after) {
    b.where('c.last_inbound_at', '>', new Date(inbound.after));
  }
  if (inbound?.withinDays) {
    b.where('c.last_inbound_at', '>=', new Date(now.getTime() - inbound.withinDays * DAY_MS));
  }
  if (filter.optStates?.length) {
    b.whereIn('c.opt_state', filter.optStates);
  }
  if (filter.channelIds?.length) {
    b.whereExists((q) => q.select(q.client.raw('1')).from('conversations as cv').whereRaw('cv.contact_id = c.id').whereIn('cv.channel_id', filter.channelIds!));
  }
  return b;
}

/** The contacts of a segment (a query on `contacts AS c`, the caller picks columns and order). */
export function segmentQuery(db: Db | Trx, filter: SegmentFilter, now: Date): Knex.QueryBuilder {
  return whereSegment(db('contacts as c'), filter, now);
}

/** How many contacts a filter holds. */
export async function countSegment(db: Db | Trx, filter: SegmentFilter, now: Date): Promise<number> {
  const row = (await segmentQuery(db, filter, now).count({ n: '*' }).first()) as { n: string | number };
  return Number(row.n);
}

/** A page of a segment's contacts, oldest first (stable while paging). */
export async function segmentContacts(db: Db | Trx, filter: SegmentFilter, now: Date, page: { offset: number; limit: number }): Promise<SegmentContactRow[]> {
  return (await segmentQuery(db, filter, now).select(CONTACT_COLUMNS).orderBy('c.id').offset(page.offset).limit(page.limit)) as SegmentContactRow[];
}

/** The next page of a segment's contacts after `afterId` (keyset, id order), with their attributes: exports read in pages. */
export async function segmentContactsAfter(db: Db | Trx, filter: SegmentFilter, now: Date, afterId: string | null, limit: number): Promise<Array<SegmentContactRow & { attributes: Record<string, unknown> }>> {
  const q = segmentQuery(db, filter, now).select([...CONTACT_COLUMNS, 'c.attributes']).orderBy('c.id').limit(limit);
  if (afterId) {
    q.where('c.id', '>', afterId);
  }
  return (await q) as Array<SegmentContactRow & { attributes: Record<string, unknown> }>;
}

/** The attribute definitions' types, by key. */
export async function attributeTypes(db: Db | Trx): Promise<Map<string, { type: AttributeType; options: string[] }>> {
  const rows = (await db('contact_attributes').select('key', 'type', 'options')) as Array<{ key: string; type: AttributeType; options: string[] }>;
  return new Map(rows.map((r) => [r.key, { type: r.type, options: r.options }]));
}

/** The attribute keys in definition order (export columns). */
export async function attributeKeys(db: Db | Trx): Promise<string[]> {
  return ((await db('contact_attributes').select('key').orderBy('created_at').orderBy('key')) as Array<{ key: string }>).map((r) => r.key);
}

/** Label names by id (export columns name labels, not ids). */
export async function labelNames(db: Db | Trx): Promise<Map<string, string>> {
  const rows = (await db('labels').select('id', 'name')) as Array<{ id: string; name: string }>;
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function listSegments(db: Db | Trx): Promise<SegmentRow[]> {
  return (await db('segments').select('*').orderByRaw('lower(name)')) as SegmentRow[];
}

export async function findSegment(db: Db | Trx, id: string): Promise<SegmentRow | undefined> {
  return (await db('segments').where({ id }).first()) as SegmentRow | undefined;
}

export async function findSegmentByName(db: Db | Trx, name: string): Promise<SegmentRow | undefined> {
  return (await db('segments').whereRaw('lower(name) = lower(?)', [name]).first()) as SegmentRow | undefined;
}

export async function insertSegment(trx: Trx, row: { id: string; name: string; filter: SegmentFilter; created_by: string | null }): Promise<void> {
  await trx('segments').insert({ ...row, filter: JSON.stringify(row.filter) });
}

export async function updateSegment(trx: Trx, id: string, change: { name?: string; filter?: SegmentFilter }): Promise<void> {
  await trx('segments').where({ id }).update({
    ...(change.name !== undefined ? { name: change.name } : {}),
    ...(change.filter !== undefined ? { filter: JSON.stringify(change.filter) } : {}),
    updated_at: trx.fn.now(),
  });
}

export async function deleteSegment(trx: Trx, id: string): Promise<void> {
  await trx('segments').where({ id }).delete();
}

/** What the filter builder offers: labels, attribute definitions and numbers, by name. */
export async function filterOptions(db: Db | Trx) {
  const [labels, attributes, channels] = await Promise.all([
    db('labels').select('id', 'name').orderByRaw('lower(name)') as Promise<Array<{ id: string; name: string }>>,
    db('contact_attributes').select('key', 'name', 'type', 'options').orderBy('name') as Promise<Array<{ key: string; name: string; type: AttributeType; options: string[] }>>,
    db('channels').select('id', 'name').orderBy('name') as Promise<Array<{ id: string; name: string }>>,
  ]);
  return { labels, attributes, channels };
}
