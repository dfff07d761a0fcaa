import { actorOf, authOf, type AppContext } from '../../http/context';
import { streamMultipartFile } from '../../http/multipart';
import { access, type RouteTable } from '../../http/route';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { whereAccessible } from '../authz/sql';
import { changeTermAction, createTerm, importTerms, removeTerm, reviewHit } from './commands';
import { verdictOf } from './engine';
import { normaliseTerm, normalisedWords } from './normalise';
import { presentHit, presentTerm } from './present';
import { findHit, findTerm, HIT_FIELDS, listHits, listTerms, statsOf } from './repo';
import {
  createTermBody, hitListResponse, hitResponse, idParams, importQuery, importResponse, listHitsQuery, listTermsQuery, termListResponse, termResponse,
  testBody, testResponse, updateTermBody,
} from './schema';
import { readImportFile } from './termFile';

// An import file: tens of thousands of terms fit in a few MB.
const IMPORT_MAX_BYTES = 16 * 1024 * 1024;
// Spreadsheet programs and browsers label CSV and text files in many ways.
const TEXT_TYPES = /^(text\/|application\/(csv|vnd\.ms-excel|octet-stream)$)/;

const signedIn = (ctx: AppContext) => ({ ...actorOf(ctx), id: authOf(ctx).user.id });
const termSubject = (t: { id: string; locale: string; action: string }) => ({ id: t.id, locale: t.locale, action: t.action });
const hitSubject = (h: Parameters<typeof presentHit>[0] | undefined) => (h ? presentHit(h) : undefined);

/** The outbound lexicon: terms, imports, the "test a message" box, and the hits to review. */
export function registerLexiconRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/lexicon/terms', tag: 'lexicon', summary: 'List terms (search by normalised text), with hit statistics',
    access: access.can('read', 'Lexicon'), query: listTermsQuery,
    responses: { 200: { description: 'A page of terms', schema: termListResponse } },
    handler: async (ctx, { query }) => {
      const search = query.q ? normaliseTerm(query.q) : null;
      const { rows, total } = await listTerms(s.db, { search, locale: query.locale ?? null, offset: query.offset, limit: query.limit });
      const stats = await statsOf(s.db, rows.map((r) => r.id));
      ctx.body = { items: rows.map((r) => presentTerm(r, stats.get(r.id))), total };
    },
  });
  t.add({
    method: 'post', path: '/lexicon/terms', tag: 'lexicon', summary: 'Add a term or phrase', access: access.can('create', 'Lexicon'),
    body: createTermBody, responses: { 201: { description: 'Added', schema: termResponse }, 409: { description: 'The lexicon already holds it' } },
    handler: async (ctx, { body }) => {
      const term = await createTerm(s, signedIn(ctx), body);
      ctx.status = 201;
      ctx.body = { term: presentTerm(term, undefined) };
    },
  });
  t.add({
    method: 'patch', path: '/lexicon/terms/:id', tag: 'lexicon', summary: "Change a term's action", access: access.can('update', 'Lexicon'),
    params: idParams, body: updateTermBody, responses: { 200: { description: 'Changed', schema: termResponse } },
    handler: async (ctx, { params, body }) => {
      const term = await findTerm(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'update', 'Lexicon', term && termSubject(term));
      const changed = await changeTermAction(s, actorOf(ctx), term!, body.action);
      ctx.body = { term: presentTerm(changed, (await statsOf(s.db, [changed.id])).get(changed.id)) };
    },
  });
  t.add({
    method: 'delete', path: '/lexicon/terms/:id', tag: 'lexicon', summary: 'Delete a term (its hits stay)', access: access.can('delete', 'Lexicon'),
    params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      const term = await findTerm(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'delete', 'Lexicon', term && termSubject(term));
      await removeTerm(s, actorOf(ctx), term!);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'post', path: '/lexicon/terms/import', tag: 'lexicon', summary: 'Import terms from a text file (one per line) or CSV (term, action, locale), multipart field "file"',
    access: access.can('import', 'Lexicon'), query: importQuery, streamBody: true,
    responses: { 200: { description: 'Imported; the rejected rows with their line and reason', schema: importResponse }, 413: { description: 'File too large' } },
    handler: async (ctx, { query }) => {
      if (!ctx.is('multipart/form-data')) {
        throw errors.unsupportedMediaType();
      }
      // Parsed while it arrives; stored in one transaction once whole.
      const upload = await streamMultipartFile(ctx, (mime) => (TEXT_TYPES.test(mime) ? IMPORT_MAX_BYTES : null), (mime) => `A term list is a text or CSV file, not ${mime}.`,
        (file, info) => readImportFile(file, info.mime === 'text/csv' || /\.csv$/i.test(info.filename), query));
      ctx.body = await importTerms(s, signedIn(ctx), upload.result, upload.filename);
    },
  });
  t.add({
    method: 'post', path: '/lexicon/test', tag: 'lexicon', summary: 'Test a message against the lexicon (nothing is stored)', access: access.can('read', 'Lexicon'),
    body: testBody, responses: { 200: { description: 'The normalised text and the terms it holds', schema: testResponse } },
    handler: async (ctx, { body }) => {
      const matches = (await s.lexicon.cache.current()).scan(body.text);
      ctx.body = {
        normalized: normalisedWords(body.text).map((w) => w.word).join(' '),
        verdict: verdictOf(matches),
        matches: matches.map((m) => ({ termId: m.termId, term: m.term, locale: m.locale, action: m.action, start: m.start, end: m.end, text: body.text.slice(m.start, m.end) })),
      };
    },
  });
  t.add({
    method: 'get', path: '/lexicon/hits', tag: 'lexicon', summary: 'Hits to review (or all), newest first', access: access.can('read', 'LexiconHit'),
    query: listHitsQuery, responses: { 200: { description: 'A page of hits', schema: hitListResponse } },
    handler: async (ctx, { query }) => {
      const { ability } = authOf(ctx);
      const rows = await listHits(s.db, { pending: query.pending, termId: query.termId ?? null, offset: query.offset, limit: query.limit },
        (b) => whereAccessible(b, ability, 'read', 'LexiconHit', HIT_FIELDS));
      ctx.body = { items: rows.map(presentHit) };
    },
  });
  t.add({
    method: 'post', path: '/lexicon/hits/:id/review', tag: 'lexicon', summary: 'Mark a hit reviewed', access: access.can('review', 'LexiconHit'),
    params: idParams, responses: { 200: { description: 'Reviewed', schema: hitResponse }, 409: { description: 'Already reviewed' } },
    handler: async (ctx, { params }) => {
      const hit = await findHit(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'review', 'LexiconHit', hitSubject(hit));
      ctx.body = { hit: presentHit(await reviewHit(s, signedIn(ctx), hit!)) };
    },
  });
}
