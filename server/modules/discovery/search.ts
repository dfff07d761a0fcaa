import { createHmac } from 'node:crypto';
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { presentHit } from './present';
import { wantedLexemes } from './highlights';
import { countMatches, parsedQuery, searchPage, TOTAL_CAP, type Position } from './repo';
import type { SearchFilters, SearchInput } from './schema';

// Separates this keyed hash from any other use of the master key.
const QUERY_HASH_CONTEXT = 'switchboard:discovery-query:v1';

/**
 * What the audit log keeps of a search: the ids it filtered on and a keyed hash of its query,
 * never the query (it may quote a customer) nor a phone number. The hash lets a reviewer see
 * that two searches asked the same thing without learning what.
 */
export function auditedFilters(s: Pick<Services, 'masterKey'>, f: SearchFilters): Record<string, unknown> {
  return {
    queryHash: f.query ? createHmac('sha256', s.masterKey).update(`${QUERY_HASH_CONTEXT}\n${f.query}`).digest('hex') : null,
    queryLength: f.query?.length ?? 0,
    channelIds: f.channelIds ?? [],
    agentIds: f.agentIds ?? [],
    contactIds: f.contactIds ?? [],
    contactPhones: f.contactPhones?.length ?? 0,
    labelIds: f.labelIds ?? [],
    direction: f.direction ?? null,
    types: f.types ?? [],
    from: f.from ?? null,
    to: f.to ?? null,
  };
}

function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.at, p.id])).toString('base64url');
}

function decodeCursor(cursor: string): Position {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof at === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(at) && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) {
      return { at, id };
    }
  } catch {
    // Falls through to the refusal below.
  }
  throw errors.validation('The cursor is not one this server gave.', { fields: [{ path: 'body.cursor', message: 'unknown cursor', code: 'invalid' }] });
}

/**
 * One page of a search, newest first, with keyset paging on (created_at, id): a page boundary
 * never skips or repeats a message, whatever arrives meanwhile. The total is counted up to
 * TOTAL_CAP (an exact count of a broad search over years is not worth its time).
 * Audited as `discovery.searched`.
 */
export async function searchArchive(s: Pick<Services, 'db' | 'audit' | 'masterKey'>, actor: Actor, input: SearchInput) {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const rows = await searchPage(s.db, input.filters, after, input.limit + 1);
  const more = rows.length > input.limit;
  const page = more ? rows.slice(0, input.limit) : rows;
  const counted = await countMatches(s.db, input.filters, TOTAL_CAP + 1);
  const last = page[page.length - 1];
  const wanted = input.filters.query ? wantedLexemes(await parsedQuery(s.db, input.filters.query)) : new Set<string>();
  await s.audit.record(actor, {
    action: 'discovery.searched',
    subjectType: 'Discovery',
    details: { filters: auditedFilters(s, input.filters), page: after ? 'next' : 'first', returned: page.length },
  });
  return {
    items: page.map((h) => presentHit(h, wanted)),
    nextCursor: more && last ? encodeCursor({ at: last.at, id: last.id }) : null,
    total: Math.min(counted, TOTAL_CAP),
    totalCapped: counted > TOTAL_CAP,
  };
}
