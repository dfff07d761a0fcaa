import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import type { LexiconAction } from './engine';
import { normaliseTerm } from './normalise';
import {
  bumpLexiconVersion, deleteTerm, findHit, findTerm, findTermByNormalized, insertTerm, insertTermsIfNew, markHitReviewed, updateTermAction,
  type HitRow, type TermRow,
} from './repo';
import type { CreateTermInput } from './schema';
import type { ParsedFile, Rejected } from './termFile';

// An import's report lists this many rejected rows at most (the count is always complete).
const REPORT_MAX = 1000;

/** Adds a term; audited. A term already there (same locale, same normalised form) is a conflict. */
export async function createTerm(s: Services, actor: Actor & { id: string }, input: CreateTermInput): Promise<TermRow> {
  const normalized = normaliseTerm(input.term);
  if (normalized === '') {
    throw errors.validation('The term has no letters or digits, so it could never match.', { fields: [{ path: 'body.term', message: 'no letters or digits' }] });
  }
  return s.db.transaction(async (trx) => {
    const existing = await findTermByNormalized(trx, input.locale, normalized);
    if (existing) {
      throw errors.conflict(`The lexicon already holds "${existing.term}" (${input.locale}), which reads the same.`, { termId: existing.id });
    }
    const id = newId();
    await insertTerm(trx, { id, term: input.term, normalized, locale: input.locale, action: input.action, source: 'manual', created_by: actor.id });
    await bumpLexiconVersion(trx);
    await s.audit.appendIn(trx, actor, [{ action: 'lexicon.term_created', subjectType: 'LexiconTerm', subjectId: id, details: { term: input.term, locale: input.locale, action: input.action } }]);
    return (await findTerm(trx, id))!;
  });
}

/** Changes what a term does (block or flag); audited with the old and new action. */
export async function changeTermAction(s: Services, actor: Actor, term: TermRow, action: LexiconAction): Promise<TermRow> {
  return s.db.transaction(async (trx) => {
    await updateTermAction(trx, term.id, action);
    await bumpLexiconVersion(trx);
    await s.audit.appendIn(trx, actor, [{ action: 'lexicon.term_updated', subjectType: 'LexiconTerm', subjectId: term.id, details: { from: term.action, to: action } }]);
    return (await findTerm(trx, term.id))!;
  });
}

/** Deletes a term; its hits stay (with the term's text) for review and statistics. */
export async function removeTerm(s: Services, actor: Actor, term: TermRow): Promise<void> {
  await s.db.transaction(async (trx) => {
    await deleteTerm(trx, term.id);
    await bumpLexiconVersion(trx);
    await s.audit.appendIn(trx, actor, [{ action: 'lexicon.term_deleted', subjectType: 'LexiconTerm', subjectId: term.id, details: { term: term.term, locale: term.locale, action: term.action } }]);
  });
}

/**
 * Imports a parsed file in one transaction: every valid row not already in the lexicon is added;
 * the rest are reported with their line and reason. Audited once, with the counts.
 */
export async function importTerms(s: Services, actor: Actor & { id: string }, file: ParsedFile, filename: string) {
  const inserted = await s.db.transaction(async (trx) => {
    const rows = file.terms.map((t) => ({ id: newId(), term: t.term, normalized: t.normalized, locale: t.locale, action: t.action, source: 'import' as const, created_by: actor.id }));
    const added = await insertTermsIfNew(trx, rows);
    if (added.size > 0) {
      await bumpLexiconVersion(trx);
    }
    await s.audit.appendIn(trx, actor, [{
      action: 'lexicon.imported', subjectType: 'LexiconTerm', subjectId: null,
      details: { filename: filename.slice(0, 200), rows: file.terms.length + file.rejected.length, imported: added.size, rejected: file.terms.length - added.size + file.rejected.length },
    }]);
    return added;
  });
  const exists: Rejected[] = file.terms
    .filter((t) => !inserted.has(`${t.locale}\u0000${t.normalized}`))
    .map((t) => ({ line: t.line, text: t.term, reason: 'exists' }));
  const rejected = [...file.rejected, ...exists].sort((a, b) => a.line - b.line);
  return { imported: inserted.size, rejectedCount: rejected.length, rejected: rejected.slice(0, REPORT_MAX) };
}

/** Marks a hit reviewed; audited. A hit already reviewed is a conflict. */
export async function reviewHit(s: Services, actor: Actor & { id: string }, hit: HitRow): Promise<HitRow> {
  return s.db.transaction(async (trx) => {
    if (!(await markHitReviewed(trx, hit.id, actor.id))) {
      throw errors.conflict('This hit was already reviewed.');
    }
    await s.audit.appendIn(trx, actor, [{ action: 'lexicon.hit_reviewed', subjectType: 'LexiconHit', subjectId: hit.id, details: { conversationId: hit.conversation_id, termId: hit.term_id } }]);
    return (await findHit(trx, hit.id))!;
  });
}
