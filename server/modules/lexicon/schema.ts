import { z } from 'zod';

/** Longest term or phrase (characters as written). */
export const TERM_MAX_LENGTH = 200;
/** Longest text the "test a message" box takes: WhatsApp's limit on a text message. */
const TEST_TEXT_MAX = 4096;

export const LOCALE_PATTERN = /^[a-z]{2,3}(-[A-Z]{2})?$/;
export const locale = z.string().regex(LOCALE_PATTERN, 'a language code such as en, fr or fr-CA');
export const action = z.enum(['block', 'flag']);
const termText = z.string().trim().min(1).max(TERM_MAX_LENGTH);

export const idParams = z.strictObject({ id: z.uuid() });

export const listTermsQuery = z.strictObject({
  q: z.string().trim().max(TERM_MAX_LENGTH).optional(),
  locale: locale.optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const createTermBody = z.strictObject({ term: termText, locale, action });
export const updateTermBody = z.strictObject({ action });
export const importQuery = z.strictObject({
  /** Locale and action of rows that do not say (plain text lines, or CSV without those columns). */
  locale: locale.default('en'),
  action: action.default('block'),
});
export const testBody = z.strictObject({ text: z.string().min(1).max(TEST_TEXT_MAX) });
export const listHitsQuery = z.strictObject({
  pending: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  termId: z.uuid().optional(),
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export type CreateTermInput = z.infer<typeof createTermBody>;

/** A term as the API answers it (present.ts), with its hit statistics. */
export const termSchema = z.object({
  id: z.uuid(), term: z.string(), normalized: z.string(), locale: z.string(), action, source: z.enum(['default', 'manual', 'import']),
  createdAt: z.string(), updatedAt: z.string(),
  stats: z.object({ hits: z.number(), blocked: z.number(), flagged: z.number(), lastHitAt: z.string().nullable() }),
});
export const termListResponse = z.object({ items: z.array(termSchema), total: z.number() });
export const termResponse = z.object({ term: termSchema });

export const importResponse = z.object({
  imported: z.number(),
  rejectedCount: z.number(),
  /** The rejected rows (the first 1,000): line number, the text, and why. */
  rejected: z.array(z.object({
    line: z.number(), text: z.string(),
    reason: z.enum(['empty', 'no_letters', 'too_long', 'bad_locale', 'bad_action', 'malformed', 'duplicate_in_file', 'exists', 'too_many_rows']),
  })),
});

const matchSchema = z.object({ termId: z.uuid(), term: z.string(), locale: z.string(), action, start: z.number(), end: z.number(), text: z.string() });
export const testResponse = z.object({ normalized: z.string(), verdict: action.nullable(), matches: z.array(matchSchema) });

export const hitSchema = z.object({
  id: z.uuid(), termId: z.uuid().nullable(), term: z.string(), action, direction: z.enum(['in', 'out']),
  conversationId: z.uuid(), messageId: z.uuid().nullable(), authorId: z.uuid().nullable(), at: z.string(),
  reviewedBy: z.uuid().nullable(), reviewedAt: z.string().nullable(),
});
export const hitListResponse = z.object({ items: z.array(hitSchema) });
export const hitResponse = z.object({ hit: hitSchema });
