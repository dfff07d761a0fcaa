import { z } from 'zod';

export const idParams = z.strictObject({ id: z.uuid() });
const name = z.string().trim().min(1).max(80);
const description = z.string().trim().max(500);
export const createTeamBody = z.strictObject({ name, description: description.default('') });
// The capacity of members without their own (routing): null for the appliance default (6).
const defaultCapacity = z.number().int().min(0).max(500).nullable();
export const updateTeamBody = z
  .strictObject({ name: name.optional(), description: description.optional(), defaultCapacity: defaultCapacity.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');
export type CreateTeamInput = z.infer<typeof createTeamBody>;
export type UpdateTeamInput = z.infer<typeof updateTeamBody>;

/** A team as the API answers it (present.ts). */
/** A team as presentTeam shows it. Fields the viewer's role may not read are left out (CASL field rules). */
export const teamSchema = z.object({ id: z.uuid(), name: z.string(), description: z.string(), memberCount: z.number(), defaultCapacity: z.number().nullable() });
export const teamListResponse = z.object({ items: z.array(teamSchema) });
export const teamResponse = z.object({ team: teamSchema });
