import { z } from 'zod';
import { errors } from '../../lib/errors';

export const idParams = z.strictObject({ id: z.uuid() });
const cursor = z.string().max(200).regex(/^[^|]+\|[0-9a-f-]{36}$/, 'not a cursor');
export const listQuery = z.strictObject({
  view: z.enum(['mine', 'unassigned', 'all']).default('all'),
  channelId: z.uuid().optional(),
  status: z.enum(['open', 'pending', 'resolved']).optional(),
  q: z.string().trim().max(100).optional(),
  cursor: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const messagesQuery = z.strictObject({ before: cursor.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
const replyTo = z.uuid().optional();
const templateValue = z.string().trim().min(1).max(1024);
export const sendBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().trim().min(1).max(4096), replyToMessageId: replyTo }),
  z.strictObject({ type: z.literal('media'), mediaId: z.uuid(), caption: z.string().max(1024).optional(), replyToMessageId: replyTo }),
  z.strictObject({
    type: z.literal('template'),
    templateId: z.uuid(),
    // WhatsApp refuses empty values; a value is one line of text.
    parameters: z.array(templateValue).max(20).default([]),
    headerParameter: templateValue.max(60).optional(),
    // An uploaded file (POST /media) for an image, video or document header.
    headerMediaId: z.uuid().optional(),
    buttonParameters: z.array(z.strictObject({ index: z.number().int().min(0).max(9), text: templateValue.max(2000) })).max(10).optional(),
  }),
  z.strictObject({ type: z.literal('reaction'), messageId: z.uuid(), emoji: z.string().max(16) }),
]);
export const assignBody = z.strictObject({ assigneeId: z.uuid().nullable() });
export const transferBody = z.strictObject({ assigneeId: z.uuid().optional(), teamId: z.uuid().optional() }).refine((b) => b.assigneeId || b.teamId, 'Name an assignee or a team.');

/** A keyset cursor: the sort time and the id that breaks ties. */
export const encodeCursor = (at: Date, id: string) => `${at.toISOString()}|${id}`;
/** A cursor back into its time and id; 400 validation_failed when it is not one. */
export function decodeCursor(raw: string | undefined): { at: Date; id: string } | undefined {
  if (!raw) {
    return undefined;
  }
  const [at, id] = raw.split('|') as [string, string];
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) {
    throw errors.validation('Invalid cursor.', { fields: [{ path: 'query.cursor', message: 'invalid' }] });
  }
  return { at: date, id };
}
