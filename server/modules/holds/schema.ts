import { z } from 'zod';

export const idParams = z.strictObject({ id: z.uuid() });
const ids = z.array(z.uuid()).min(1).max(500);
const named = z.object({ id: z.uuid(), label: z.string() });

/**
 * What a hold covers: every criterion given narrows (contacts AND a date range), any id of a
 * list matches. `query` holds the messages a full-text search finds (the archive's search syntax).
 */
export const holdScope = z
  .strictObject({
    contactIds: ids.optional(),
    /** Contacts by WhatsApp number (digits, an optional +): resolved to contactIds when the hold is placed. */
    contactPhones: z.array(z.string().trim().regex(/^\+?\d{6,15}$/, 'A phone number in international format, digits only.')).min(1).max(500).optional(),
    conversationIds: ids.optional(),
    channelIds: ids.optional(),
    agentIds: ids.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    query: z.string().trim().min(1).max(200).optional(),
  })
  .refine((s) => Object.values(s).some((v) => v !== undefined), 'Name at least one thing the hold covers.')
  .refine((s) => !s.from || !s.to || new Date(s.from) < new Date(s.to), { message: 'The range must end after it starts.', path: ['to'] });
export type HoldScopeInput = z.infer<typeof holdScope>;
/** The scope as stored: contacts by id only. */
export type HoldScope = Omit<HoldScopeInput, 'contactPhones'>;

export const createHoldBody = z.strictObject({
  caseRef: z.string().trim().min(1).max(100),
  reason: z.string().trim().min(1).max(1000),
  scope: holdScope,
});
export type CreateHoldInput = z.infer<typeof createHoldBody>;

export const releaseHoldBody = z.strictObject({ reason: z.string().trim().min(1).max(1000) });

export const holdOptionsResponse = z.object({ channels: z.array(named), agents: z.array(named) });

export const listHoldsQuery = z.strictObject({ state: z.enum(['active', 'released', 'all']).default('all') });

/** A hold as the API answers it (present.ts): its scope with names resolved, and what it covers now. */
export const holdSchema = z.object({
  id: z.uuid(),
  caseRef: z.string(),
  reason: z.string(),
  scope: z.object({
    contacts: z.array(named),
    conversations: z.array(named),
    channels: z.array(named),
    agents: z.array(named),
    from: z.string().nullable(),
    to: z.string().nullable(),
    query: z.string().nullable(),
  }),
  coveredMessages: z.number(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  releasedAt: z.string().nullable(),
  releasedBy: z.string().nullable(),
  releaseReason: z.string().nullable(),
});
export const holdListResponse = z.object({ items: z.array(holdSchema) });
export const holdResponse = z.object({ hold: holdSchema });
