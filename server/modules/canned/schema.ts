import { z } from 'zod';

export const idParams = z.strictObject({ id: z.uuid() });

/** What follows the `/` in the composer: a lowercase slug, so it is typed without the shift key. */
const shortcut = z.string().trim().toLowerCase().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'Lowercase letters, digits, - and _ (up to 32), starting with a letter or digit.');
const title = z.string().trim().min(1).max(100);
// WhatsApp's text body limit (4,096 characters); variables may lengthen it a little when filled.
const body = z.string().trim().min(1).max(4000);

export const createCannedBody = z.strictObject({
  /** Shared with everyone (managed by supervisors), or the author's own. */
  shared: z.boolean().default(false),
  shortcut,
  title,
  body,
});
export type CreateCannedInput = z.infer<typeof createCannedBody>;

export const updateCannedBody = z
  .strictObject({ shortcut: shortcut.optional(), title: title.optional(), body: body.optional() })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'Change at least one field.');
export type UpdateCannedInput = z.infer<typeof updateCannedBody>;

export const listCannedQuery = z.strictObject({
  /** Fill each response's variables for this conversation (its contact, and you as the agent). */
  conversationId: z.uuid().optional(),
});

export const cannedSchema = z.object({
  id: z.uuid(),
  shared: z.boolean(),
  ownerId: z.uuid().nullable(),
  shortcut: z.string(),
  title: z.string(),
  body: z.string(),
  /** The body with its variables filled for the conversation asked for; null without one. */
  text: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const cannedListResponse = z.object({ items: z.array(cannedSchema) });
export const cannedResponse = z.object({ cannedResponse: cannedSchema });
