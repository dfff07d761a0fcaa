import { z } from 'zod';
import { eventSchema } from '../audit';

export const userParams = z.strictObject({ userId: z.uuid() });
export const stateSchema = z.enum(['online', 'away', 'offline']);
export const stateBody = z.strictObject({ state: stateSchema });
export const capacityBody = z.strictObject({
  /** null: back to the team's default (else 6). */
  capacity: z.number().int().min(0).max(500).nullable(),
});

const choice = z.enum(['round_robin', 'load_balance']);
const skillRule = z
  .strictObject({
    field: z.enum(['number', 'language', 'label', 'keyword', 'attribute']),
    value: z.string().trim().min(1).max(120),
    /** The contact attribute's key, for `attribute` rules. */
    attribute: z.string().trim().min(1).max(64).optional(),
    teamId: z.uuid(),
    choice: choice.default('round_robin'),
  })
  .refine((r) => r.field !== 'attribute' || r.attribute !== undefined, { message: 'Name the attribute.', path: ['attribute'] });

export const policyParams = z.strictObject({ scopeType: z.enum(['channel', 'team']), scopeId: z.uuid() });
export const policyBody = z
  .strictObject({
    kind: z.enum(['round_robin', 'load_balance', 'skills', 'sticky', 'manual']),
    /** A number's policy: the team its conversations go to (skills rules may choose another). */
    teamId: z.uuid().nullable().default(null),
    /** How the agent is chosen for sticky (when the owner cannot take it) and for skills without a matching rule. */
    fallback: choice.default('round_robin'),
    rules: z.array(skillRule).max(50).default([]),
  });
export type PolicyInput = z.infer<typeof policyBody>;

export const availabilitySchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  state: stateSchema,
  setBy: z.uuid().nullable(),
  changedAt: z.string().nullable(),
  lastHeartbeatAt: z.string().nullable(),
  capacity: z.number().nullable(),
  effectiveCapacity: z.number(),
  open: z.number(),
});
export const availabilityListResponse = z.object({ items: z.array(availabilitySchema) });
export const availabilityResponse = z.object({ availability: availabilitySchema });

export const policySchema = z.object({
  id: z.uuid(),
  scopeType: z.enum(['channel', 'team']),
  scopeId: z.uuid(),
  kind: z.enum(['round_robin', 'load_balance', 'skills', 'sticky', 'manual']),
  teamId: z.uuid().nullable(),
  fallback: choice,
  rules: z.array(z.object({ field: z.string(), value: z.string(), attribute: z.string().optional(), teamId: z.uuid(), choice })),
  updatedAt: z.string(),
});
export const policyListResponse = z.object({ items: z.array(policySchema) });
export const policyResponse = z.object({ policy: policySchema });

export const conversationParams = z.strictObject({ id: z.uuid() });
export const assignmentHistoryResponse = z.object({
  items: z.array(eventSchema),
  names: z.record(z.string(), z.string()).describe('names of the users and teams the events refer to, keyed "Type:id", looked up now'),
});
