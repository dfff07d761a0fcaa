import { z } from 'zod';
import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { whereAccessible, type FieldMap } from '../authz/sql';
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
const verifySchema = z.object({
  ok: z.boolean(), checked: z.number(), firstBrokenSeq: z.number().nullable(),
  reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap']).nullable(),
});

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
      const result = await s.audit.verify();
      await s.audit.record(actorOf(ctx), { action: 'audit.verified', subjectType: 'AuditEvent', details: { ...result } });
      ctx.body = result;
    },
  });
}
