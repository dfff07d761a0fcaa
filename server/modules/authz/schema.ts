import { z } from 'zod';
import { namedFormat } from '../../lib/formats';

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

export const idParams = z.strictObject({ id: z.uuid() });
export const createRoleBody = z.strictObject({
  // A named format: the refusal names it (`role_key`), which the panel words in the user's language.
  key: namedFormat('role_key', /^[a-z][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, 2 to 40 characters'),
  name: z.string().trim().min(1).max(80),
  description: z.string().trim().max(500).default(''),
  rules: rawRulesSchema,
});
export const updateRoleBody = z
  .strictObject({ name: z.string().trim().min(1).max(80).optional(), description: z.string().trim().max(500).optional(), rules: rawRulesSchema.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');
/** A role as the API answers it (present.ts). */
const roleTextsSchema = z.object({ name: z.string(), description: z.string() });
export const roleSchema = z.object({
  id: z.uuid(), key: z.string(), name: z.string(), description: z.string(), builtin: z.boolean(), rules: rawRulesSchema, userCount: z.number(),
  translations: z
    .object({ en: roleTextsSchema, fr: roleTextsSchema })
    .nullable()
    .describe("A built-in role's name and description in each language of the panel; null for a custom role, whose name is its author's"),
  grantable: z.boolean().describe('Whether the caller holds every right of this role (a hint for the UI; each grant is still checked)'),
});
const labelsSchema = z.object({ en: z.string(), fr: z.string() });
export const catalogueSchema = z.object({
  subjects: z.record(z.string(), labelsSchema).describe('The name of each subject (a group of actions) in each language of the panel'),
  actions: z.array(z.object({ key: z.string(), subject: z.string(), action: z.string(), labels: labelsSchema, buttons: z.array(z.string()) })),
});
export const roleListResponse = z.object({ items: z.array(roleSchema) });
export const roleResponse = z.object({ role: roleSchema });
