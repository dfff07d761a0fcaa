import { z } from 'zod';

const NAME_MAX = 120;
/** Meta allows at most this many characters in one template parameter's text. */
export const PARAMETER_MAX = 1024;
/** Numbers one broadcast may send from: far more than a person picks by hand. */
const CHANNELS_MAX = 50;

export const BROADCAST_STATUSES = ['scheduled', 'running', 'paused', 'completed', 'cancelled'] as const;
export const CONTACT_FIELDS = ['name', 'phone', 'country', 'language'] as const;
export const EXCLUSION_REASONS = ['opted_out', 'no_marketing_opt_in', 'restricted'] as const;

/** Where one template variable's value comes from for each recipient. */
const source = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('field'), field: z.enum(CONTACT_FIELDS) }),
  z.strictObject({ kind: z.literal('attribute'), key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/) }),
  z.strictObject({ kind: z.literal('text'), text: z.string().trim().min(1).max(PARAMETER_MAX) }),
]);

/**
 * One variable of the template ({{n}} of the header or body, or the variable at the end of the
 * URL button at `index`), its source, and the fallback used when a contact has no value for it
 * (WhatsApp refuses an empty parameter, so a contact or attribute source needs one).
 */
export const variableMapping = z
  .strictObject({
    component: z.enum(['header', 'body', 'button']),
    index: z.number().int().min(0).max(99),
    source,
    fallback: z.string().trim().max(PARAMETER_MAX).default(''),
  })
  .superRefine((v, ctx) => {
    if (v.source.kind !== 'text' && v.fallback === '') {
      ctx.addIssue({ code: 'custom', path: ['fallback'], message: 'a fallback is needed when the value comes from the contact' });
    }
  });
export const templateMapping = z.array(variableMapping).max(60);
export type VariableMapping = z.infer<typeof variableMapping>;
export type TemplateMapping = z.infer<typeof templateMapping>;

/** What a draft broadcast names: enough to estimate, preview and create it. */
const draft = {
  templateId: z.uuid(),
  segmentId: z.uuid(),
  channelIds: z.array(z.uuid()).min(1).max(CHANNELS_MAX).refine((ids) => new Set(ids).size === ids.length, 'a number is named twice'),
  mapping: templateMapping,
  /** The file (POST /api/v1/media, the creator's own upload) of a template's image, video or document header. */
  headerMediaId: z.uuid().optional(),
};
export const draftBody = z.strictObject(draft);
export const createBroadcastBody = z.strictObject({
  ...draft,
  name: z.string().trim().min(1).max(NAME_MAX),
  /** Absent: start now. */
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
});
export type DraftInput = z.infer<typeof draftBody>;
export type CreateBroadcastInput = z.infer<typeof createBroadcastBody>;
export const idParams = z.strictObject({ id: z.uuid() });

export const progressSchema = z.object({
  total: z.number(),
  pending: z.number(),
  queued: z.number(),
  sent: z.number(),
  delivered: z.number(),
  read: z.number(),
  failed: z.number(),
  failedByCode: z.array(z.object({ code: z.string(), count: z.number() })),
  cancelled: z.number(),
  // lexicon_blocked: known only as each recipient's message is composed (their own values).
  excluded: z.object({ opted_out: z.number(), no_marketing_opt_in: z.number(), restricted: z.number(), lexicon_blocked: z.number() }),
});
export const broadcastSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  templateId: z.uuid(),
  templateName: z.string().nullable(),
  segmentId: z.uuid(),
  segmentName: z.string().nullable(),
  channelIds: z.array(z.uuid()),
  mapping: templateMapping,
  headerMediaId: z.uuid().nullable(),
  status: z.enum(BROADCAST_STATUSES),
  scheduledAt: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: z.string(),
  progress: progressSchema,
});
export const broadcastResponse = z.object({ broadcast: broadcastSchema });
export const broadcastListResponse = z.object({ items: z.array(broadcastSchema) });

const renderedSchema = z.object({ header: z.string().nullable(), body: z.string().nullable(), footer: z.string().nullable(), buttons: z.array(z.string()) });
const slots = z.array(z.object({ component: z.enum(['header', 'body', 'button']), index: z.number() }));
export const templateQuery = z.strictObject({ templateId: z.uuid() });
/** A template's variables, so a form can offer a source for each. */
export const variablesResponse = z.object({ variables: slots });
export const previewResponse = z.object({
  variables: slots,
  /** blockedTerms: the lexicon's blocking terms in this contact's message (then left out at send time). */
  samples: z.array(z.object({ contactId: z.uuid(), name: z.string().nullable(), rendered: renderedSchema, blockedTerms: z.array(z.string()) })),
});
export const estimateResponse = z.object({
  audience: z.number(),
  recipients: z.number(),
  excluded: z.object({ opted_out: z.number(), no_marketing_opt_in: z.number(), restricted: z.number() }),
  category: z.string(),
  cost: z.object({
    rateCardId: z.uuid().nullable(),
    effectiveFrom: z.string().nullable(),
    currency: z.string().nullable(),
    total: z.number(),
    unpriced: z.number(),
    lines: z.array(z.object({ country: z.string().nullable(), category: z.string(), count: z.number(), unitPrice: z.number().nullable(), amount: z.number().nullable() })),
  }),
  tier: z.object({
    /** Unique recipients the chosen numbers may reach per rolling 24 hours (null: unlimited). */
    limitPer24h: z.number().nullable(),
    /** What is left of it now, after the last 24 hours' sends. */
    availableNow: z.number().nullable(),
    /** Days the send takes at that limit (1 when it fits in today's allowance). */
    days: z.number(),
    numbers: z.array(z.object({ channelId: z.uuid(), tier: z.string().nullable(), limit: z.number().nullable(), used: z.number() })),
  }),
});
