import { z } from 'zod';

const oneOrMany = z.union([z.string().min(1).max(64), z.array(z.string().min(1).max(64)).min(1).max(64)]);

/** A CASL raw rule as stored in roles.rules and edited in the UI. */
export const rawRuleSchema = z.strictObject({
  action: oneOrMany,
  subject: oneOrMany,
  conditions: z.record(z.string(), z.unknown()).optional(),
  fields: z.array(z.string().min(1).max(64)).min(1).max(100).optional(),
  inverted: z.boolean().optional(),
  reason: z.string().max(500).optional(),
});

export const rawRulesSchema = z.array(rawRuleSchema).max(500);
export type RawRuleInput = z.infer<typeof rawRuleSchema>;
