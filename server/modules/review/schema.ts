import { z } from 'zod';
import { eventSchema } from '../audit';
import { conversationSchema, messageSchema } from '../conversations';

const cursor = z.string().max(200).regex(/^[^|]+\|[0-9a-f-]{36}$/, 'not a cursor');

export const idParams = z.strictObject({ id: z.uuid() });
export const mediaParams = z.strictObject({ id: z.uuid(), mediaId: z.uuid() });

/**
 * The review's search. Every filter narrows; `from`/`to` bound the messages (a conversation is in
 * the range when it has a message there). Without `from`, the last 30 days: the weekly quality review.
 */
export const reviewListQuery = z
  .strictObject({
    channelId: z.uuid().optional().describe('The WhatsApp number'),
    agentId: z.uuid().optional().describe('The assignee, or any user who wrote in the conversation within the range'),
    contactId: z.uuid().optional(),
    q: z.string().trim().min(1).max(100).optional().describe("Part of the contact's name or phone number"),
    status: z.enum(['open', 'pending', 'resolved']).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    cursor: cursor.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), { message: 'The range must end after it starts.', path: ['to'] });
export type ReviewListQuery = z.infer<typeof reviewListQuery>;

export const reviewMessagesQuery = z.strictObject({ before: cursor.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
export const historyQuery = z.strictObject({
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});

/** A conversation as the review shows it: the inbox's fields, when it started, and its message count. */
export const reviewConversationSchema = conversationSchema.extend({
  createdAt: z.string().describe('When the conversation started'),
});
export const reviewListResponse = z.object({
  items: z.array(reviewConversationSchema),
  nextCursor: z.string().nullable(),
  range: z.object({ from: z.string(), to: z.string().nullable() }).describe('The date range searched (the default one when none was given)'),
});
export const reviewConversationResponse = z.object({ conversation: reviewConversationSchema });
export const reviewMessagesResponse = z.object({
  items: z.array(messageSchema.describe('media.url points at the review route for the file')),
  nextBefore: z.string().nullable(),
});
export const historyResponse = z.object({
  items: z.array(eventSchema),
  names: z.record(z.string(), z.string()).describe('names of the users, teams and the conversation the events refer to, keyed "Type:id", looked up now'),
  nextAfterSeq: z.number().nullable(),
});
const named = z.object({ id: z.string(), label: z.string() });
export const reviewOptionsResponse = z.object({ channels: z.array(named), agents: z.array(named) });
