import { z } from 'zod';
import { isTimeZone } from './hours';
import { REGEX_MAX_LENGTH } from './safeRegex';

/** WhatsApp's limit on a text message. */
const TEXT_MAX = 4096;
const KEYWORD_MAX = 200;
const LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2})?$/;
const language = z.string().regex(LANGUAGE, 'a language code such as en, fr or fr-CA');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time such as 09:00');

export const idParams = z.strictObject({ id: z.uuid() });
export const channelParams = z.strictObject({ channelId: z.uuid() });

/** What a rule answers: text, a stored file, an approved template, reply buttons, or an integration's answer. */
export const answerSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('text'), text: z.string().trim().min(1).max(TEXT_MAX) }),
  z.strictObject({ kind: z.literal('media'), mediaId: z.uuid(), caption: z.string().max(1024).optional() }),
  z.strictObject({ kind: z.literal('template'), templateId: z.uuid(), parameters: z.array(z.string().min(1).max(1024)).max(20).default([]) }),
  z.strictObject({
    kind: z.literal('interactive'), text: z.string().trim().min(1).max(1024),
    // Meta's reply buttons: 1 to 3, titles of at most 20 characters, all different.
    buttons: z.array(z.string().trim().min(1).max(20)).min(1).max(3).refine((b) => new Set(b).size === b.length, 'the buttons must differ'),
  }),
  z.strictObject({ kind: z.literal('lookup'), integrationId: z.uuid() }),
]);
export type Answer = z.infer<typeof answerSchema>;

const ruleFields = {
  name: z.string().trim().min(1).max(120),
  enabled: z.boolean().default(true),
  priority: z.number().int().min(-1000).max(1000).default(0),
  mode: z.enum(['contains', 'word', 'exact', 'regex']),
  keywords: z.array(z.string().min(1).max(Math.max(KEYWORD_MAX, REGEX_MAX_LENGTH))).min(1).max(50),
  channelIds: z.array(z.uuid()).max(500).default([]),
  /** How long before the same rule answers the same contact again (0: every time). */
  cooldownSeconds: z.number().int().min(0).max(30 * 24 * 3600).default(3600),
  answer: answerSchema,
};
export const createRuleBody = z.strictObject(ruleFields);
export const updateRuleBody = z.strictObject({
  name: ruleFields.name.optional(), enabled: z.boolean().optional(), priority: z.number().int().min(-1000).max(1000).optional(),
  mode: ruleFields.mode.optional(), keywords: ruleFields.keywords.optional(), channelIds: z.array(z.uuid()).max(500).optional(),
  cooldownSeconds: z.number().int().min(0).max(30 * 24 * 3600).optional(), answer: answerSchema.optional(),
});
export type CreateRuleInput = z.infer<typeof createRuleBody>;
export type UpdateRuleInput = z.infer<typeof updateRuleBody>;

export const testBody = z.strictObject({ text: z.string().min(1).max(TEXT_MAX), channelId: z.uuid().optional() });

const texts = z.record(z.string().regex(LANGUAGE), z.string().trim().min(1).max(TEXT_MAX));
export const settingsBody = z.strictObject({
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone such as Europe/Paris'),
  weekly: z.array(z.strictObject({ day: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5), z.literal(6), z.literal(7)]), open: hhmm, close: z.union([hhmm, z.literal('24:00')]) })).max(50),
  holidays: z.array(z.iso.date()).max(400),
  defaultLanguage: language,
  outOfOffice: z.strictObject({ enabled: z.boolean(), texts }),
  welcome: z.strictObject({ enabled: z.boolean(), texts }),
});
export type SettingsInput = z.infer<typeof settingsBody>;

export const statsQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(366).default(30) });

export const ruleSchema = z.object({
  id: z.uuid(), name: z.string(), enabled: z.boolean(), priority: z.number(), mode: z.enum(['contains', 'word', 'exact', 'regex']),
  keywords: z.array(z.string()), channelIds: z.array(z.uuid()), cooldownSeconds: z.number(), answer: answerSchema,
  answerName: z.string().nullable().describe("The name of the answer's file, template or integration (null for a text, or when it is gone)"),
  createdAt: z.string(), updatedAt: z.string(),
});
export const ruleListResponse = z.object({ items: z.array(ruleSchema) });
export const ruleResponse = z.object({ rule: ruleSchema });
export const testResponse = z.object({
  normalized: z.string(),
  /** The rule that would answer (highest priority among those matching on that number), or null. */
  fires: ruleSchema.nullable(),
  matches: z.array(z.object({ id: z.uuid(), name: z.string(), priority: z.number() })),
});
export const settingsSchema = z.object({
  channelId: z.uuid(), timeZone: z.string(), weekly: z.array(z.object({ day: z.number(), open: z.string(), close: z.string() })), holidays: z.array(z.string()),
  defaultLanguage: z.string(), outOfOffice: z.object({ enabled: z.boolean(), texts: z.record(z.string(), z.string()) }),
  welcome: z.object({ enabled: z.boolean(), texts: z.record(z.string(), z.string()) }),
  openNow: z.boolean(), nextOpening: z.string().nullable(),
});
export const settingsResponse = z.object({ settings: settingsSchema });
export const statsResponse = z.object({ days: z.number(), resolved: z.number(), resolvedByBot: z.number(), share: z.number().nullable() });
