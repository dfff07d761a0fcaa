import { z } from 'zod';
import { namedFormat } from '../../lib/formats';

export const idParams = z.strictObject({ id: z.uuid() });
const secret = z.string().trim().min(8).max(1024);
// Named formats: a refusal names the format (`digits`), which the panel words in the user's language.
const digits = namedFormat('digits', /^\d{5,32}$/, 'digits only');
const base = {
  name: z.string().trim().min(1).max(80),
  phoneNumberId: digits,
  wabaId: digits,
  displayNumber: namedFormat('phone_number', /^\+?[\d\s().-]{6,32}$/, 'a phone number', z.string().trim()),
  graphBaseUrl: z.url({ protocol: /^https?$/ }).max(300),
  graphVersion: namedFormat('graph_version', /^v\d+\.\d+$/, 'like v23.0'),
  appId: digits.nullable().describe("The Meta app's id, needed to upload template sample files"),
  accessToken: secret,
  appSecret: secret,
  verifyToken: secret,
  lane: z.enum(['shared', 'dedicated']),
  throughputMps: z.number().int().min(1).max(1000),
};
export const createChannelBody = z.strictObject({ ...base, graphBaseUrl: base.graphBaseUrl.optional(), graphVersion: base.graphVersion.optional(), appId: base.appId.optional(), lane: base.lane.optional(), throughputMps: base.throughputMps.optional() });
export const updateChannelBody = z.strictObject(Object.fromEntries(Object.entries(base).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof base]: z.ZodOptional<(typeof base)[K]> })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');

export const sandboxResponse = z.object({ running: z.boolean(), simulatorPath: z.string().nullable() });

/** Whether a secret is stored, and its last four characters; the secret itself never leaves the server. */
const secretState = z.object({ set: z.boolean(), last4: z.string().nullable() });

/** A number as presentChannel shows it. Fields the viewer's role may not read are left out (CASL field rules). */
export const channelSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  phoneNumberId: z.string(),
  wabaId: z.string(),
  displayNumber: z.string(),
  graphBaseUrl: z.string(),
  graphVersion: z.string(),
  appId: z.string().nullable().describe("The Meta app's id, needed to upload template sample files"),
  lane: base.lane,
  throughputMps: z.number().int(),
  qualityRating: z.string().describe("Meta's rating as last reported: GREEN, YELLOW, RED or UNKNOWN"),
  messagingTier: z.string().nullable(),
  status: z.enum(['active', 'token_invalid', 'disabled']),
  statusReason: z.string().nullable(),
  webhookUrl: z.string().describe("The callback URL to configure in Meta's app dashboard"),
  secrets: z.object({ accessToken: secretState, appSecret: secretState, verifyToken: secretState }),
  lastTestAt: z.string().nullable(),
  lastTestOk: z.boolean().nullable(),
  createdAt: z.string(),
  isSandbox: z.boolean().describe('Wired to the built-in WhatsApp sandbox rather than Meta'),
});
export const channelsResponse = z.object({
  items: z.array(channelSchema),
  defaults: z.object({ graphBaseUrl: z.string(), graphVersion: z.string() }).describe('What a new number gets when these are left out'),
});
export const channelResponse = z.object({ channel: channelSchema });

/** What testChannel answers: the number's info and the synced template count, or the error met. */
export const channelTestResponse = z.object({
  ok: z.boolean(),
  checkedAt: z.string(),
  details: z.object({
    verifiedName: z.string().nullable().optional(),
    displayPhoneNumber: z.string().nullable().optional(),
    qualityRating: z.string().nullable().optional(),
    throughputLevel: z.string().nullable().optional(),
    messagingLimitTier: z.string().nullable().optional(),
    templates: z.number().int().optional().describe('How many templates were synced'),
    error: z.object({ code: z.number(), message: z.string() }).optional(),
  }),
});
