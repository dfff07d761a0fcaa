import type { Knex } from 'knex';
import type { Db, Trx } from '../../db/knex';
import type { FieldMap } from '../authz/sql';
import type { LexiconAction } from './engine';

export type TermSource = 'default' | 'manual' | 'import';

export type TermRow = {
  id: string;
  term: string;
  normalized: string;
  locale: string;
  action: LexiconAction;
  source: TermSource;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
};

export type TermStats = { term_id: string; hits: number; blocked: number; flagged: number; last_hit_at: Date | null };

export type HitRow = {
  id: string;
  term_id: string | null;
  term: string;
  action: LexiconAction;
  direction: 'in' | 'out';
  conversation_id: string;
  message_id: string | null;
  message_created_at: Date | null;
  author_id: string | null;
  at: Date;
  reviewed_by: string | null;
  reviewed_at: Date | null;
};

export type NewTerm = { id: string; term: string; normalized: string; locale: string; action: LexiconAction; source: TermSource; created_by: string | null };
export type NewHit = Omit<HitRow, 'at' | 'reviewed_by' | 'reviewed_at'>;

// Rows per INSERT of an import: well under PostgreSQL's 65,535 bind parameters (7 per row).
const INSERT_CHUNK = 2000;

/** The version every change of the terms bumps (one row): what each process compiled against. */
export async function lexiconVersion(conn: Db | Trx): Promise<number> {
  const row = (await conn('lexicon_version').where({ id: 1 }).first('version')) as { version: string } | undefined;
  return Number(row?.version ?? 0);
}

/** Bumps the version in the caller's transaction: processes recompile once it commits. */
export async function bumpLexiconVersion(trx: Trx): Promise<void> {
  await trx('lexicon_version').where({ id: 1 }).increment('version', 1);
}

/** Every term, for compiling: the matcher needs them all. */
export async function allTerms(conn: Db | Trx): Promise<Array<Pick<TermRow, 'id' | 'term' | 'locale' | 'action'>>> {
  return conn('lexicon_terms').select('id', 'term', 'locale', 'action');
}

/** A page of terms, matching `search` in their normalised form, by locale and term. */
export async function listTerms(
  db: Db,
  q: { search: string | null; locale: string | null; offset: number; limit: number },
): Promise<{ rows: TermRow[]; total: number }> {
  const filtered = (b: Knex.QueryBuilder) => {
    if (q.search) {
      void b.where('normalized', 'like', `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    if (q.locale) {
      void b.where({ locale: q.locale });
    }
    return b;
  };
  const rows = (await filtered(db('lexicon_terms').select('*')).orderBy([{ column: 'normalized' }, { column: 'locale' }]).offset(q.offset).limit(q.limit)) as TermRow[];
  const [{ count }] = (await filtered(db('lexicon_terms').count<Array<{ count: string }>>('* as count'))) as Array<{ count: string }>;
  return { rows, total: Number(count) };
}

export async function findTerm(conn: Db | Trx, id: string): Promise<TermRow | undefined> {
  return (await conn('lexicon_terms').where({ id }).first()) as TermRow | undefined;
}

export async function findTermByNormalized(conn: Db | Trx, locale: string, normalized: string): Promise<TermRow | undefined> {
  return (await conn('lexicon_terms').where({ locale, normalized }).first()) as TermRow | undefined;
}

export async function insertTerm(trx: Trx, t: NewTerm): Promise<void> {
  await trx('lexicon_terms').insert(t);
}

/**
 * Inserts terms, skipping those already there (same locale and normalised form); returns the
 * normalised forms and locales actually inserted.
 */
export async function insertTermsIfNew(trx: Trx, terms: NewTerm[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < terms.length; i += INSERT_CHUNK) {
    const rows = (await trx('lexicon_terms')
      .insert(terms.slice(i, i + INSERT_CHUNK))
      .onConflict(['locale', 'normalized'])
      .ignore()
      .returning(['locale', 'normalized'])) as Array<{ locale: string; normalized: string }>;
    for (const r of rows) {
      inserted.add(`${r.locale}\u0000${r.normalized}`);
    }
  }
  return inserted;
}

export async function updateTermAction(trx: Trx, id: string, action: LexiconAction): Promise<void> {
  await trx('lexicon_terms').where({ id }).update({ action, updated_at: trx.fn.now() });
}

export async function deleteTerm(trx: Trx, id: string): Promise<void> {
  await trx('lexicon_terms').where({ id }).delete();
}

/** Hit statistics of the given terms (all their hits, reviewed or not). */
export async function statsOf(db: Db, termIds: string[]): Promise<Map<string, TermStats>> {
  if (termIds.length === 0) {
    return new Map();
  }
  const rows = (await db('lexicon_hits')
    .select('term_id')
    .select(db.raw('count(*)::int AS hits'))
    .select(db.raw(`count(*) FILTER (WHERE action = 'block')::int AS blocked`))
    .select(db.raw(`count(*) FILTER (WHERE action = 'flag')::int AS flagged`))
    .select(db.raw('max(at) AS last_hit_at'))
    .whereIn('term_id', termIds)
    .groupBy('term_id')) as TermStats[];
  return new Map(rows.map((r) => [r.term_id, r]));
}

export async function insertHits(trx: Trx, hits: NewHit[]): Promise<void> {
  if (hits.length > 0) {
    await trx('lexicon_hits').insert(hits);
  }
}

/** A page of hits, newest first; `pending` keeps the unreviewed ones only. */
export async function listHits(
  db: Db,
  q: { pending: boolean; termId: string | null; offset: number; limit: number },
  narrow: (b: Knex.QueryBuilder) => Knex.QueryBuilder,
): Promise<HitRow[]> {
  const b = db('lexicon_hits').select('*').orderBy('at', 'desc').orderBy('id', 'desc').offset(q.offset).limit(q.limit);
  if (q.pending) {
    void b.whereNull('reviewed_at');
  }
  if (q.termId) {
    void b.where({ term_id: q.termId });
  }
  return (await narrow(b)) as HitRow[];
}

export async function findHit(conn: Db | Trx, id: string): Promise<HitRow | undefined> {
  return (await conn('lexicon_hits').where({ id }).first()) as HitRow | undefined;
}

/** Marks a hit reviewed; false when someone already had. */
export async function markHitReviewed(trx: Trx, id: string, userId: string): Promise<boolean> {
  const n = await trx('lexicon_hits').where({ id }).whereNull('reviewed_at').update({ reviewed_by: userId, reviewed_at: trx.fn.now() });
  return n > 0;
}

/** How CASL conditions on LexiconHit map to SQL (custom roles may narrow the review queue). */
export const HIT_FIELDS: FieldMap = {
  id: { column: 'lexicon_hits.id' },
  action: { column: 'lexicon_hits.action' },
  direction: { column: 'lexicon_hits.direction' },
  conversationId: { column: 'lexicon_hits.conversation_id' },
  authorId: { column: 'lexicon_hits.author_id' },
};

/** The default terms already merged once (locale and normalised form). */
export async function mergedDefaults(trx: Trx): Promise<Set<string>> {
  const rows = (await trx('lexicon_defaults_merged').select('locale', 'normalized')) as Array<{ locale: string; normalized: string }>;
  return new Set(rows.map((r) => `${r.locale}\u0000${r.normalized}`));
}

export async function recordMergedDefaults(trx: Trx, rows: Array<{ locale: string; normalized: string }>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await trx('lexicon_defaults_merged').insert(rows.slice(i, i + INSERT_CHUNK)).onConflict(['locale', 'normalized']).ignore();
  }
}
