import { z } from 'zod';
import { actorOf, authOf, type AppContext } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { whereAccessible, type FieldMap } from '../authz/sql';
import { errors } from '../../lib/errors';
import { anchorAuditChain } from './anchorCommand';
import { readLatestAnchor, verifyAgainstAnchor } from './anchors';
import { appliancePublicKey } from './applianceKey';
import { listEvents } from './repo';

const AUDIT_FIELDS: FieldMap = {
  action: { column: 'a.action' },
  actorId: { column: 'a.actor_id' },
  subjectType: { column: 'a.subject_type' },
  subjectId: { column: 'a.subject_id' },
};

const listQuery = z.strictObject({
  action: z.string().max(80).optional(),
  actorId: z.uuid().optional(),
  subjectType: z.string().max(40).optional(),
  subjectId: z.string().max(80).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const eventSchema = z.object({
  seq: z.number(), at: z.string(), actorType: z.string(), actorId: z.string().nullable(), actorEmail: z.string().nullable(),
  action: z.string(), subjectType: z.string().nullable(), subjectId: z.string().nullable(), ip: z.string().nullable(),
  requestId: z.string().nullable(), details: z.record(z.string(), z.unknown()), hash: z.string(),
});
const anchorSchema = z.object({ seq: z.number(), hash: z.string(), at: z.string(), fingerprint: z.string() });
const verifySchema = z.object({
  ok: z.boolean(), checked: z.number(), firstBrokenSeq: z.number().nullable(),
  // tail_deleted: the chain ends before the anchored event; history_rewritten: the anchored event's hash changed;
  // anchor_invalid: the latest anchor's signature does not verify with the appliance key.
  reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap', 'tail_deleted', 'history_rewritten', 'anchor_invalid']).nullable(),
  anchor: anchorSchema.nullable(),
});
const ARMORED = { description: 'ASCII-armored OpenPGP data (an attachment)' };

/** Reading and verifying the audit log; both are themselves audited. */
export function registerAuditRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/audit/events', tag: 'audit', summary: 'List audit events, newest first', access: access.can('read', 'AuditEvent'),
    query: listQuery, responses: { 200: { description: 'Events', schema: z.object({ items: z.array(eventSchema), nextBeforeSeq: z.number().nullable() }) } },
    handler: async (ctx, { query }) => {
      const { ability } = authOf(ctx);
      const filter = { ...query, from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined };
      const rows = await listEvents(s.db, filter, (q) => whereAccessible(q, ability, 'read', 'AuditEvent', AUDIT_FIELDS));
      await s.audit.record(actorOf(ctx), { action: 'audit.read', subjectType: 'AuditEvent', details: { filter: query, returned: rows.length } });
      ctx.body = {
        items: rows.map((r) => ({
          seq: r.seq, at: r.at.toISOString(), actorType: r.actor_type, actorId: r.actor_id, actorEmail: r.actor_email,
          action: r.action, subjectType: r.subject_type, subjectId: r.subject_id, ip: r.ip, requestId: r.request_id,
          details: r.details, hash: r.hash,
        })),
        nextBeforeSeq: rows.length === query.limit ? rows[rows.length - 1]!.seq : null,
      };
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
    access: access.can('anchor', 'AuditEvent'), responses: { 201: { description: 'The anchor written', schema: anchorSchema.extend({ key: z.string() }) } },
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

/** A download, never rendered by the browser. */
function attachment(ctx: AppContext, filename: string, type: string, body: string): void {
  ctx.set('Content-Type', type);
  ctx.set('Content-Disposition', `attachment; filename="${filename}"`);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-store');
  ctx.body = body;
}
