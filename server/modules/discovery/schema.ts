import { z } from 'zod';

export const idParams = z.strictObject({ id: z.uuid() });
const ids = z.array(z.uuid()).min(1).max(100);
const named = z.object({ id: z.uuid(), label: z.string() });

/** Page sizes: a screen of results; the export has no page. */
export const PAGE_MAX = 100;

/**
 * What a search finds: every filter given narrows (AND); any id of one list matches. `query` is
 * the archive's search syntax (websearch: words, "a phrase", a OR b, -excluded), accents and
 * case ignored. The same filters define an export, and map onto a legal hold's scope.
 */
export const searchFilters = z
  .strictObject({
    query: z.string().trim().min(1).max(200).optional(),
    channelIds: ids.optional(),
    agentIds: ids.optional(),
    contactIds: ids.optional(),
    /** Contacts by WhatsApp number (digits, an optional +). */
    contactPhones: z.array(z.string().trim().regex(/^\+?\d{6,15}$/, 'A phone number in international format, digits only.')).min(1).max(100).optional(),
    labelIds: ids.optional(),
    direction: z.enum(['in', 'out']).optional(),
    types: z.array(z.string().regex(/^[a-z_]{1,30}$/)).min(1).max(20).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((f) => !f.from || !f.to || new Date(f.from) < new Date(f.to), { message: 'The range must end after it starts.', path: ['to'] });
export type SearchFilters = z.infer<typeof searchFilters>;

export const searchBody = z.strictObject({
  filters: searchFilters,
  /** From the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(PAGE_MAX).default(25),
});
export type SearchInput = z.infer<typeof searchBody>;

const mark = z.object({ start: z.number().int(), end: z.number().int() });
/** A piece of the message around the words found; marks are [start, end) in UTF-16 code units of `text`. */
const fragment = z.object({ text: z.string(), marks: z.array(mark) });

export const searchHitSchema = z.object({
  id: z.uuid(),
  createdAt: z.string(),
  direction: z.enum(['in', 'out']),
  type: z.string(),
  conversationId: z.uuid(),
  channel: named,
  contact: z.object({ id: z.uuid(), label: z.string() }),
  author: z.object({ type: z.string(), id: z.string().nullable(), label: z.string().nullable() }),
  mediaId: z.string().nullable(),
  text: z.string().nullable(),
  /** Plain text with ranges, never markup: the panel draws the marks, so message text cannot inject HTML. */
  highlights: z.array(fragment),
});
export const searchResponse = z.object({
  items: z.array(searchHitSchema),
  nextCursor: z.string().nullable(),
  /** How many messages match, counted up to `totalCap`; `totalCapped` says there are more. */
  total: z.number().int(),
  totalCapped: z.boolean(),
});

export const optionsResponse = z.object({
  channels: z.array(named),
  agents: z.array(named),
  labels: z.array(named),
  types: z.array(z.string()),
});

export const createExportBody = z.strictObject({ filters: searchFilters });

export const exportSchema = z.object({
  id: z.uuid(),
  state: z.enum(['queued', 'running', 'done', 'failed', 'expired']),
  filters: z.record(z.string(), z.unknown()),
  totalMessages: z.number().int().nullable(),
  doneMessages: z.number().int(),
  mediaFiles: z.number().int(),
  sha256: z.string().nullable(),
  size: z.number().int().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  finishedAt: z.string().nullable(),
  expiresAt: z.string(),
});
export const exportResponse = z.object({ export: exportSchema });
export const exportListResponse = z.object({ items: z.array(exportSchema) });
