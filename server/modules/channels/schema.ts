import { z } from 'zod';

export const idParams = z.strictObject({ id: z.uuid() });
const secret = z.string().trim().min(8).max(1024);
const base = {
  name: z.string().trim().min(1).max(80),
  phoneNumberId: z.string().regex(/^\d{5,32}$/, 'digits only'),
  wabaId: z.string().regex(/^\d{5,32}$/, 'digits only'),
  displayNumber: z.string().trim().regex(/^\+?[\d\s().-]{6,32}$/, 'a phone number'),
  graphBaseUrl: z.url({ protocol: /^https?$/ }).max(300),
  graphVersion: z.string().regex(/^v\d+\.\d+$/, 'like v23.0'),
  appId: z.string().regex(/^\d{5,32}$/, 'digits only').nullable().describe("The Meta app's id, needed to upload template sample files"),
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
