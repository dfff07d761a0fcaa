import { z } from 'zod';

export const listEventsQuery = z.strictObject({
  action: z.string().max(80).optional(),
  actorId: z.uuid().optional(),
  subjectType: z.string().max(40).optional(),
  subjectId: z.string().max(80).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
/** An audit event as the API answers it (present.ts). */
export const eventSchema = z.object({
  seq: z.number(), at: z.string(), actorType: z.string(), actorId: z.string().nullable(), actorEmail: z.string().nullable(),
  action: z.string(), subjectType: z.string().nullable(), subjectId: z.string().nullable(), ip: z.string().nullable(),
  requestId: z.string().nullable(), details: z.record(z.string(), z.unknown()), hash: z.string(),
});
export const anchorSchema = z.object({ seq: z.number(), hash: z.string(), at: z.string(), fingerprint: z.string() });
export const verifySchema = z.object({
  ok: z.boolean(), checked: z.number(), firstBrokenSeq: z.number().nullable(),
  // tail_deleted: the chain ends before the anchored event; history_rewritten: the anchored event's hash changed;
  // anchor_invalid: the latest anchor's signature does not verify with the appliance key.
  reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap', 'tail_deleted', 'history_rewritten', 'anchor_invalid']).nullable(),
  anchor: anchorSchema.nullable(),
});

export const eventListResponse = z.object({ items: z.array(eventSchema), nextBeforeSeq: z.number().nullable() });
export const anchorResponse = anchorSchema.extend({ key: z.string() });
