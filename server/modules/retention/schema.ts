import { z } from 'zod';
import { DATA_CLASSES, MAX_DAYS, MIN_DAYS } from './periods';

export const idParams = z.strictObject({ id: z.uuid() });
export const dataClass = z.enum(DATA_CLASSES);

/** Sets the period of a class, for every number (channelId null) or one number (messages and media only). */
export const setPolicyBody = z.strictObject({
  dataClass,
  channelId: z.uuid().nullable().default(null),
  days: z.number().int().min(MIN_DAYS).max(MAX_DAYS),
});
export type SetPolicyInput = z.infer<typeof setPolicyBody>;

export const listRunsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20) });

/** A policy as the API answers it (present.ts). */
export const policySchema = z.object({
  id: z.uuid(),
  dataClass,
  channelId: z.uuid().nullable(),
  days: z.number(),
  locked: z.boolean(),
  lockedAt: z.string().nullable(),
  updatedAt: z.string(),
});
export const policyListResponse = z.object({
  items: z.array(policySchema),
  limits: z.object({ minDays: z.number(), maxDays: z.number() }),
  perNumberClasses: z.array(dataClass),
  numbers: z.array(z.object({ id: z.uuid(), name: z.string(), displayNumber: z.string() })),
});
export const policyResponse = z.object({ policy: policySchema });

const countsSchema = z.object({
  messages: z.object({ total: z.number(), byChannel: z.record(z.string(), z.number()) }),
  droppedPartitions: z.array(z.string()),
  media: z.object({ total: z.number(), byChannel: z.record(z.string(), z.number()) }),
  mediaFilesRemoved: z.number(),
  inactiveContacts: z.number(),
  sessions: z.number(),
  auditEvents: z.number(),
  auditStart: z.number().nullable(),
  previewsCleared: z.number(),
  exports: z.number(),
});
export const runSchema = z.object({
  id: z.uuid(),
  trigger: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: countsSchema.partial(),
});
export const runListResponse = z.object({ items: z.array(runSchema) });
export const runResponse = z.object({ run: runSchema });

export const previewResponse = z.object({
  at: z.string(),
  lines: z.array(z.object({ dataClass, channelId: z.uuid().nullable(), count: z.number() })),
});
