import { z } from 'zod';
import { errors } from '../../lib/errors';

export const idParams = z.strictObject({ id: z.uuid() });
const cursor = z.string().max(200).regex(/^[^|]+\|[0-9a-f-]{36}$/, 'not a cursor');
export const listQuery = z.strictObject({
  view: z.enum(['mine', 'unassigned', 'all']).default('all'),
  channelId: z.uuid().optional(),
  status: z.enum(['open', 'pending', 'resolved']).optional(),
  q: z.string().trim().max(100).optional(),
  overdue: z.enum(['true', 'false']).optional().transform((v) => v === 'true')
    .describe('Only open conversations whose customer has waited for an answer past the first-response target (FIRST_RESPONSE_TARGET_SECONDS)'),
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
export const assigneesQuery = z.strictObject({
  for: z.enum(['assign', 'transfer']).default('assign').describe('The action the list is for: the caller must be allowed it on this conversation'),
  teamId: z.uuid().optional().describe('For a transfer: the team the conversation would move to'),
});
export const assigneesResponse = z.object({
  items: z.array(z.object({ id: z.string(), name: z.string() })).describe('Active users whose roles would let them read and reply in the conversation once it is theirs'),
});
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

const direction = z.enum(['in', 'out']);

/** A conversation as presentConversation shows it. */
export const conversationSchema = z.object({
  id: z.uuid(),
  status: z.enum(['open', 'pending', 'resolved']),
  channel: z.object({ id: z.string(), name: z.string(), displayNumber: z.string() }),
  contact: z.object({ id: z.string(), waId: z.string(), phoneMasked: z.boolean(), profileName: z.string().nullable(), country: z.string().nullable(), restricted: z.boolean() }),
  assignee: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  teamId: z.string().nullable(),
  lastMessageAt: z.string().nullable(),
  lastMessagePreview: z.string().nullable(),
  lastMessageDirection: direction.nullable(),
  lastMessageAuthor: z.object({ id: z.string(), name: z.string().nullable() }).nullable().describe('Who wrote the last message, when it is an outbound one written by a user'),
  windowExpiresAt: z.string().nullable().describe("End of the 24-hour customer-service window; null or past means closed"),
  unreadCount: z.number().int(),
  waitingSince: z.string().nullable().describe('While the last message is the customer’s: when they wrote it (how long they have waited for an answer); otherwise null'),
});
export const conversationResponse = z.object({ conversation: conversationSchema });
export const conversationsResponse = z.object({ items: z.array(conversationSchema), nextCursor: z.string().nullable() });

/** Statuses in the order they may follow one another; `played` is WhatsApp's for a voice message heard. */
export const MESSAGE_STATUSES = ['received', 'queued', 'sent', 'delivered', 'read', 'failed', 'played'] as const;

/** A stored file as the inbox and the upload show it. */
export const mediaRefSchema = z.object({
  id: z.string(),
  mimeType: z.string(),
  size: z.number().int().nullable(),
  filename: z.string().nullable(),
  state: z.enum(['pending', 'stored', 'failed']).describe('Inbound media are fetched from WhatsApp after the webhook: pending until stored'),
  url: z.string().describe('Same-origin download URL: /api/v1/media/{id}'),
});

export const messageErrorSchema = z.object({ code: z.number(), title: z.string(), details: z.string().nullable() });

/** A message as presentMessage shows it: text and structured content, never the raw webhook payload. */
export const messageSchema = z.object({
  id: z.string(),
  direction,
  type: z.string().describe('text, image, audio, video, document, sticker, location, contacts, interactive, button, template, unsupported, ...'),
  text: z.string().nullable(),
  content: z.record(z.string(), z.unknown()),
  media: mediaRefSchema.nullable(),
  replyTo: z.object({ id: z.string(), text: z.string().nullable() }).nullable(),
  reactions: z.array(z.object({ emoji: z.string(), direction })),
  author: z.object({ type: z.enum(['customer', 'agent', 'bot', 'broadcast', 'system']), id: z.string().nullable(), name: z.string().nullable() }),
  status: z.enum(MESSAGE_STATUSES),
  statusTimes: z.record(z.string(), z.string()).describe('When each status was reached, by status'),
  error: messageErrorSchema.nullable(),
  createdAt: z.string().describe('When the appliance stored it'),
  sentAt: z.string().nullable().describe("WhatsApp's time: when the customer sent it (inbound), or when WhatsApp accepted it (outbound)"),
});
export const messagesResponse = z.object({ items: z.array(messageSchema), nextBefore: z.string().nullable() });
export const sentMessageResponse = z.object({ message: messageSchema.nullable().describe('null for a reaction: it shows on the message it reacts to') });

/** The unassigned counter of the panel's navigation and inbox. */
export const unassignedCountResponse = z.object({
  count: z.number().int().min(0).describe('Open conversations no agent has taken yet, among those the caller may read'),
});
