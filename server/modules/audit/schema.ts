import { z } from 'zod';

// An action family is the action's text before its first dot (auth, conversation, user, ...).
const family = z.string().regex(/^[a-z_]+$/, 'a family is lower-case letters and underscores (auth, conversation, ...)').max(40);

/** The filters the list and the export share. */
const filterFields = {
  action: z.string().max(80).optional(),
  family: family.optional(),
  actorId: z.uuid().optional(),
  actor: z.string().trim().min(1).max(120).optional().describe("part of the acting user's name or email"),
  subjectType: z.string().max(40).optional(),
  subjectId: z.string().max(80).optional(),
  subject: z.string().trim().min(1).max(120).optional().describe("part of the subject's name (a conversation is named by its contact)"),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
};

export const listEventsQuery = z.strictObject({
  ...filterFields,
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const exportQuery = z.strictObject({ ...filterFields, format: z.enum(['csv', 'jsonl']) });
export type FilterQuery = Omit<z.infer<typeof listEventsQuery>, 'beforeSeq' | 'limit'>;

export const actorSuggestionsQuery = z.strictObject({
  q: z.string().trim().min(1).max(120),
  limit: z.coerce.number().int().min(1).max(20).default(10),
});
export const actorSuggestionsResponse = z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), email: z.string() })) });

/** An audit event as the API answers it (present.ts). */
export const eventSchema = z.object({
  seq: z.number(), at: z.string(), actorType: z.string(), actorId: z.string().nullable(), actorEmail: z.string().nullable(), actorName: z.string().nullable(),
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

export const eventListResponse = z.object({
  items: z.array(eventSchema),
  nextBeforeSeq: z.number().nullable(),
  names: z.record(z.string(), z.string()).describe('names of the users, teams, roles, numbers, templates and conversations (by contact) the page refers to, keyed "Type:id", looked up now'),
});
export const anchorResponse = anchorSchema.extend({ key: z.string() });
