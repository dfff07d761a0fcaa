import { z } from 'zod';
import { conversationSchema } from '../conversations';

export const idParams = z.strictObject({ id: z.uuid() });
export const runParams = z.strictObject({ id: z.uuid(), macroId: z.uuid() });

/**
 * One step of a macro. Each runs through the command the inbox's own button uses, authorized
 * for whoever runs the macro. Message texts may hold {{contact.name}}, {{contact.first_name}}
 * and {{agent.name}}, filled as canned responses are.
 */
export const macroAction = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('add_label'), labelId: z.uuid() }),
  z.strictObject({ type: z.literal('remove_label'), labelId: z.uuid() }),
  z.strictObject({ type: z.literal('assign_team'), teamId: z.uuid() }),
  z.strictObject({ type: z.literal('send_text'), text: z.string().trim().min(1).max(4000) }),
  z.strictObject({ type: z.literal('send_canned'), cannedId: z.uuid() }),
  z.strictObject({ type: z.literal('resolve') }),
]);
export type MacroAction = z.infer<typeof macroAction>;
export const MACRO_ACTION_TYPES = ['add_label', 'remove_label', 'assign_team', 'send_text', 'send_canned', 'resolve'] as const;

// Ten steps cover every flow we know of; a longer list is a routing rule, not a click.
const actions = z.array(macroAction).min(1).max(10);
const name = z.string().trim().min(1).max(100);

export const createMacroBody = z.strictObject({ shared: z.boolean().default(false), name, actions });
export type CreateMacroInput = z.infer<typeof createMacroBody>;

export const updateMacroBody = z
  .strictObject({ name: name.optional(), actions: actions.optional() })
  .refine((b) => b.name !== undefined || b.actions !== undefined, 'Change the name or the actions.');
export type UpdateMacroInput = z.infer<typeof updateMacroBody>;

export const macroSchema = z.object({
  id: z.uuid(),
  shared: z.boolean(),
  ownerId: z.uuid().nullable(),
  name: z.string(),
  actions: z.array(macroAction),
  /** Whether you may run it (the Macro:run rule on this macro). */
  runnable: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const macroListResponse = z.object({ items: z.array(macroSchema) });
export const macroResponse = z.object({ macro: macroSchema });

export const macroRunResponse = z.object({ conversation: conversationSchema.nullable() });
