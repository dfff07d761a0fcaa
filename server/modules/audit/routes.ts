import type { Knex } from 'knex';
import { actorOf, authOf, type AppContext } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { whereAccessible } from '../authz/sql';
import { errors } from '../../lib/errors';
import { keyedHash } from '../../lib/keyedHash';
import { anchorAuditChain } from './anchorCommand';
import { readLatestAnchor, verifyAgainstAnchor } from './anchors';
import { appliancePublicKey } from './applianceKey';
import { listEvents, suggestActors, type AuditFilter } from './eventRepo';
import { exportAuditEvents } from './exportCommand';
import { resolveNames } from './names';
import { presentEvent } from './present';
import { AUDIT_FIELDS } from './repo';
import {
  actorSuggestionsQuery, actorSuggestionsResponse, anchorResponse, eventListResponse, exportQuery, listEventsQuery, verifySchema, type FilterQuery,
} from './schema';

const ARMORED = { description: 'ASCII-armored OpenPGP data (an attachment)' };

/** Reading and verifying the audit log; both are themselves audited. */
export function registerAuditRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/audit/events', tag: 'audit', summary: 'List audit events, newest first, with the names they refer to', access: access.can('read', 'AuditEvent'),
    query: listEventsQuery, responses: { 200: { description: 'Events', schema: eventListResponse } },
    handler: async (ctx, { query }) => {
      const narrow = readable(ctx);
      const rows = await listEvents(s.db, { ...toFilter(query), beforeSeq: query.beforeSeq, limit: query.limit }, narrow);
      const names = await resolveNames(s.db, rows);
      await s.audit.record(actorOf(ctx), { action: 'audit.read', subjectType: 'AuditEvent', details: { filter: auditedFilter(query, s.masterKey), returned: rows.length } });
      ctx.body = {
        items: rows.map(presentEvent),
        nextBeforeSeq: rows.length === query.limit ? rows[rows.length - 1]!.seq : null,
        names,
      };
    },
  });
  t.add({
    method: 'get', path: '/audit/actors', tag: 'audit', summary: "Suggest actors for the audit filter: users whose name or email contains the text",
    access: access.can('read', 'AuditEvent'), query: actorSuggestionsQuery,
    responses: { 200: { description: 'Matching users', schema: actorSuggestionsResponse } },
    handler: async (ctx, { query }) => {
      const users = await suggestActors(s.db, query.q, query.limit);
      ctx.body = { items: users.map((u) => ({ id: u.id, name: u.name, email: u.email })) };
    },
  });
  t.add({
    method: 'get', path: '/audit/export', tag: 'audit', summary: 'Download the filtered events in chain order, as CSV or JSON Lines (streamed; audited)',
    access: access.can('export', 'AuditEvent'), query: exportQuery,
    responses: { 200: { description: 'text/csv or application/x-ndjson, an attachment' } },
    handler: async (ctx, { query }) => {
      const { format, ...filters } = query;
      const result = await exportAuditEvents(s, actorOf(ctx), { filter: toFilter(filters), query: auditedFilter(filters, s.masterKey), format }, readable(ctx));
      const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
      const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
      attachmentHeaders(ctx, `switchboard-audit-${stamp}-through-${result.throughSeq}.${format}`, type);
      ctx.set('X-Switchboard-Export-Rows', String(result.rows));
      ctx.body = result.stream;
    },
  });
  t.add({
    method: 'get', path: '/audit/verify', tag: 'audit', summary: 'Walk the hash chain and name the first broken link',
    access: access.can('verify', 'AuditEvent'), responses: { 200: { description: 'Result', schema: verifySchema } },
    handler: async (ctx) => {
      const result = await verifyAgainstAnchor(s.audit, s);
      await s.audit.record(actorOf(ctx), { action: 'audit.verified', subjectType: 'AuditEvent', details: { ...result } });
      ctx.body = result;
    },
  });
  t.add({
    method: 'post', path: '/audit/anchors', tag: 'audit', summary: "Sign the chain's head with the appliance key now and keep it outside the database",
    access: access.can('anchor', 'AuditEvent'), responses: { 201: { description: 'The anchor written', schema: anchorResponse } },
    handler: async (ctx) => {
      const anchor = await anchorAuditChain(s, actorOf(ctx), 'request');
      if (!anchor) {
        throw errors.conflict('The audit log is empty: there is nothing to anchor yet.');
      }
      ctx.status = 201;
      ctx.body = { seq: anchor.seq, hash: anchor.hash, at: anchor.at, fingerprint: anchor.fingerprint, key: anchor.key };
    },
  });
  t.add({
    method: 'get', path: '/audit/anchors/latest', tag: 'audit', summary: 'Download the latest anchor (an OpenPGP cleartext-signed statement)',
    access: access.can('verify', 'AuditEvent'), responses: { 200: ARMORED },
    handler: async (ctx) => {
      const latest = await readLatestAnchor(s.media);
      if (!latest) {
        throw errors.notFound('Anchor');
      }
      const seq = latest.statement?.seq ?? 0;
      await s.audit.record(actorOf(ctx), { action: 'audit.anchor_downloaded', subjectType: 'AuditEvent', subjectId: String(seq), details: { seq } });
      attachment(ctx, `switchboard-audit-anchor-${seq}.json.asc`, 'text/plain; charset=utf-8', latest.signed);
    },
  });
  t.add({
    method: 'get', path: '/audit/public-key', tag: 'audit', summary: "Download the appliance's OpenPGP public key, which verifies anchors",
    access: access.can('verify', 'AuditEvent'), responses: { 200: ARMORED },
    handler: async (ctx) => {
      const key = await appliancePublicKey(s.db);
      if (!key) {
        throw errors.notFound('Appliance key');
      }
      await s.audit.record(actorOf(ctx), { action: 'audit.public_key_downloaded', subjectType: 'AuditEvent', details: { fingerprint: key.fingerprint } });
      attachment(ctx, `switchboard-appliance-${key.fingerprint.slice(-16).toLowerCase()}.asc`, 'application/pgp-keys', key.publicKey);
    },
  });
}

/** The reader's ability over audit events, as SQL. */
function readable(ctx: AppContext) {
  const { ability } = authOf(ctx);
  return (q: Knex.QueryBuilder) => whereAccessible(q, ability, 'read', 'AuditEvent', AUDIT_FIELDS);
}

function toFilter(query: FilterQuery): AuditFilter {
  return { ...query, from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined };
}

/**
 * The filter as the audit log keeps it. The subject's name search may be a customer's name or
 * number, which the log must never hold in clear: it records that one was made, not its text. A
 * subject id that is not an id (a phone number typed there) is kept as a keyed hash.
 */
function auditedFilter(query: FilterQuery, masterKey: Buffer): Record<string, unknown> {
  const { subject, subjectId, ...rest } = query;
  const out: Record<string, unknown> = { ...rest };
  if (subject !== undefined) {
    out.subjectNameSearched = true;
  }
  if (subjectId !== undefined) {
    if (UUID_OR_SEQ.test(subjectId)) {
      out.subjectId = subjectId;
    } else {
      out.subjectIdHash = keyedHash(masterKey, 'audit-filter/v1', subjectId);
    }
  }
  return out;
}

// An entity id (UUID) or an audit sequence number (at most 9 digits: a phone number has more).
const UUID_OR_SEQ = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{1,9})$/i;

/** Download headers: never rendered by the browser, never cached. */
function attachmentHeaders(ctx: AppContext, filename: string, type: string): void {
  ctx.set('Content-Type', type);
  ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-store');
}

/** A download, never rendered by the browser. */
function attachment(ctx: AppContext, filename: string, type: string, body: string): void {
  attachmentHeaders(ctx, filename, type);
  ctx.body = body;
}
