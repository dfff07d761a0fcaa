import { z } from 'zod';

export const idParams = z.strictObject({ id: z.uuid() });

export const listRequestsQuery = z.strictObject({ state: z.enum(['open', 'all']).default('open') });

export const createRequestBody = z.strictObject({
  type: z.enum(['access', 'erasure']),
  contactId: z.uuid(),
  /** When the subject's request arrived (defaults to now); the deadline runs from it. Not in the future. */
  receivedAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateRequestInput = z.infer<typeof createRequestBody>;

export const extendRequestBody = z.strictObject({
  months: z.union([z.literal(1), z.literal(2)]),
  reason: z.string().trim().min(1).max(1000),
});
export type ExtendRequestInput = z.infer<typeof extendRequestBody>;

export const contactSearchQuery = z.strictObject({
  phone: z.string().trim().regex(/^\+?[\d ]{3,20}$/, 'Digits of the phone number (at least 3).'),
});

const subject = z.object({
  contactId: z.string().nullable(),
  /** Resolved when read; null once the subject's data is erased. */
  name: z.string().nullable(),
  phone: z.string().nullable(),
  restricted: z.boolean(),
  /** The keyed hash naming the subject (the first 16 hex digits are shown). */
  hash: z.string(),
});

/** A request as the API answers it (present.ts). */
export const requestSchema = z.object({
  id: z.uuid(),
  type: z.enum(['access', 'erasure']),
  state: z.enum(['open', 'completed', 'refused']),
  subject,
  receivedAt: z.string(),
  dueAt: z.string(),
  extendedDueAt: z.string().nullable(),
  extensionReason: z.string().nullable(),
  /** The deadline in force (the extended one if any) and the whole days left until it (negative: overdue). */
  effectiveDueAt: z.string(),
  daysLeft: z.number(),
  overdue: z.boolean(),
  refusalReason: z.string().nullable(),
  outcome: z.record(z.string(), z.unknown()),
  archive: z.object({ sha256: z.string(), url: z.string() }).nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  completedAt: z.string().nullable(),
});
export const requestListResponse = z.object({ items: z.array(requestSchema) });
export const requestResponse = z.object({ request: requestSchema });

export const contactSearchResponse = z.object({ items: z.array(z.object({ id: z.string(), label: z.string(), restricted: z.boolean() })) });

export const reapplyResponse = z.object({
  subjects: z.number(),
  contacts: z.number(),
  messages: z.number(),
  media: z.number(),
});
