import { z } from 'zod';

/** Longest saved segment name. */
const NAME_MAX = 120;
/** Ids per label, country or number list in a filter: far more than a person picks by hand. */
const LIST_MAX = 100;
const ATTRIBUTE_CONDITIONS_MAX = 20;

export const ATTRIBUTE_OPS = ['equals', 'contains', 'greater', 'less', 'before', 'after', 'is_set', 'not_set'] as const;
export const OPT_STATES = ['unknown', 'in', 'out'] as const;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');
const attributeCondition = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/),
  op: z.enum(ATTRIBUTE_OPS),
  /** Text for equals/contains on text and choice, a number, true/false, or YYYY-MM-DD for before/after. */
  value: z.union([z.string().max(500), z.number().finite(), z.boolean()]).optional(),
});

/**
 * Which contacts a segment holds. Every part is optional and the parts combine with AND; an
 * empty filter is every contact.
 */
export const segmentFilter = z.strictObject({
  labels: z.strictObject({
    all: z.array(z.uuid()).max(LIST_MAX).optional(),
    any: z.array(z.uuid()).max(LIST_MAX).optional(),
    none: z.array(z.uuid()).max(LIST_MAX).optional(),
  }).optional(),
  countries: z.array(z.string().regex(/^[A-Z]{2}$/, 'an ISO country code such as FR')).max(LIST_MAX).optional(),
  attributes: z.array(attributeCondition).max(ATTRIBUTE_CONDITIONS_MAX).optional(),
  lastInbound: z.strictObject({
    before: z.iso.datetime({ offset: true }).optional(),
    after: z.iso.datetime({ offset: true }).optional(),
    withinDays: z.number().int().min(1).max(3650).optional(),
  }).optional(),
  optStates: z.array(z.enum(OPT_STATES)).max(3).optional(),
  /** Contacts who have a conversation on one of these numbers. */
  channelIds: z.array(z.uuid()).max(LIST_MAX).optional(),
});
export type SegmentFilter = z.infer<typeof segmentFilter>;
export type AttributeCondition = z.infer<typeof attributeCondition>;
export { isoDate };

export const idParams = z.strictObject({ id: z.uuid() });
export const countBody = z.strictObject({ filter: segmentFilter });
export const createSegmentBody = z.strictObject({ name: z.string().trim().min(1).max(NAME_MAX), filter: segmentFilter });
export const updateSegmentBody = z.strictObject({ name: z.string().trim().min(1).max(NAME_MAX).optional(), filter: segmentFilter.optional() });
export const previewQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/** An unsaved filter to export, as JSON in the query string (a download link cannot POST). */
export const exportQuery = z.strictObject({
  filter: z.string().max(20_000).transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'the filter must be JSON' });
      return z.NEVER;
    }
  }).pipe(segmentFilter),
});

export type CreateSegmentInput = z.infer<typeof createSegmentBody>;
export type UpdateSegmentInput = z.infer<typeof updateSegmentBody>;

export const segmentSchema = z.object({
  id: z.uuid(), name: z.string(), filter: segmentFilter, createdBy: z.uuid().nullable(), createdAt: z.string(), updatedAt: z.string(),
});
export const segmentResponse = z.object({ segment: segmentSchema });
export const segmentListResponse = z.object({ items: z.array(segmentSchema) });
export const countResponse = z.object({ count: z.number() });
export const contactPreviewSchema = z.object({
  id: z.uuid(), name: z.string().nullable(), waId: z.string().nullable(), country: z.string().nullable(), language: z.string().nullable(),
  labelIds: z.array(z.uuid()), optState: z.enum(OPT_STATES), lastInboundAt: z.string().nullable(),
});
export const previewResponse = z.object({ items: z.array(contactPreviewSchema), total: z.number() });
export const optionsResponse = z.object({
  labels: z.array(z.object({ id: z.uuid(), name: z.string() })),
  attributes: z.array(z.object({ key: z.string(), name: z.string(), type: z.enum(['text', 'number', 'date', 'boolean', 'choice']), options: z.array(z.string()) })),
  channels: z.array(z.object({ id: z.uuid(), name: z.string() })),
});
