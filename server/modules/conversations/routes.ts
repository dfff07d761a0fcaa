import { subject as asSubject } from '@casl/ability';
import { z } from 'zod';
import { actorOf, authOf, type AppContext } from '../../http/context';
import { errors, RowDenied } from '../../lib/errors';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { whereAccessible } from '../authz/sql';
import { assignConversation, markRead, setConversationStatus } from './commands';
import { presentConversation, presentMessage } from './present';
import { CONVERSATION_FIELDS, findConversation, listConversations, listMessages, messagesByWamid, reactionsFor, type ConversationRow } from './repo';
import { sendFromAgent } from './send';

const idParams = z.strictObject({ id: z.uuid() });
const cursor = z.string().max(200).regex(/^[^|]+\|[0-9a-f-]{36}$/, 'not a cursor');
const listQuery = z.strictObject({
  view: z.enum(['mine', 'unassigned', 'all']).default('all'),
  channelId: z.uuid().optional(),
  status: z.enum(['open', 'pending', 'resolved']).optional(),
  q: z.string().trim().max(100).optional(),
  cursor: cursor.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
const messagesQuery = z.strictObject({ before: cursor.optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });
const replyTo = z.uuid().optional();
const templateValue = z.string().trim().min(1).max(1024);
const sendBody = z.discriminatedUnion('type', [
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
const assignBody = z.strictObject({ assigneeId: z.uuid().nullable() });
const transferBody = z.strictObject({ assigneeId: z.uuid().optional(), teamId: z.uuid().optional() }).refine((b) => b.assigneeId || b.teamId, 'Name an assignee or a team.');

const encodeCursor = (at: Date, id: string) => `${at.toISOString()}|${id}`;
function decodeCursor(raw: string | undefined): { at: Date; id: string } | undefined {
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

const asCasl = (c: ConversationRow) => asSubject('Conversation', { id: c.id, assigneeId: c.assignee_id, teamId: c.team_id, channelId: c.channel_id, status: c.status });

/** Loads a conversation and checks an action on it (404 when missing or not allowed). */
export async function loadConversation(s: Services, ctx: AppContext, id: string, action = 'read'): Promise<ConversationRow> {
  const c = await findConversation(s.db, id);
  const ability = authOf(ctx).ability;
  if (!c) {
    throw errors.notFound('Conversation');
  }
  if (!ability.can('read', asCasl(c)) || !ability.can(action, asCasl(c))) {
    throw new RowDenied('Conversation', action, c.id);
  }
  return c;
}

/** Presents a page of messages with their reply quotes and reactions. */
export async function presentMessages(s: Services, conversationId: string, rows: Awaited<ReturnType<typeof listMessages>>, opts: { fresh?: boolean } = {}) {
  const visible = rows.filter((m) => m.type !== 'reaction');
  const contexts = await messagesByWamid(s.db, conversationId, visible.flatMap((m) => (m.context_wamid ? [m.context_wamid] : [])));
  // A message that has just arrived cannot have reactions yet.
  const reactions = opts.fresh ? [] : await reactionsFor(s.db, conversationId, visible.flatMap((m) => (m.wamid ? [m.wamid] : [])));
  return visible.map((m) => {
    const quoted = m.context_wamid ? contexts.find((c) => c.wamid === m.context_wamid) : undefined;
    // The latest reaction per side wins; an empty emoji removes it.
    const latest = new Map<string, string>();
    for (const r of reactions.filter((r) => r.context_wamid === m.wamid)) {
      latest.set(r.direction, r.emoji ?? '');
    }
    return presentMessage(m, {
      replyTo: quoted ? { id: quoted.id, text: quoted.text } : null,
      reactions: [...latest].filter(([, e]) => e).map(([direction, emoji]) => ({ emoji, direction: direction as 'in' | 'out' })),
    });
  });
}

/** The inbox: lists, history, sending, reading, assignment and resolution. */
export function registerConversationRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/conversations', tag: 'inbox', summary: 'List conversations (mine, unassigned or all, as permissions allow)',
    access: access.can('read', 'Conversation'), query: listQuery,
    handler: async (ctx, { query }) => {
      const auth = authOf(ctx);
      const rows = await listConversations(
        s.db,
        { ...query, userId: auth.user.id, cursor: decodeCursor(query.cursor) },
        (q) => whereAccessible(q, auth.ability, 'read', 'Conversation', CONVERSATION_FIELDS),
      );
      const last = rows[rows.length - 1];
      ctx.body = {
        items: rows.map(presentConversation),
        nextCursor: rows.length === query.limit && last?.last_message_at ? encodeCursor(last.last_message_at, last.id) : null,
      };
    },
  });
  t.add({
    method: 'get', path: '/conversations/:id', tag: 'inbox', summary: 'Get a conversation', access: access.can('read', 'Conversation'), params: idParams,
    handler: async (ctx, { params }) => {
      ctx.body = { conversation: presentConversation(await loadConversation(s, ctx, params.id)) };
    },
  });
  t.add({
    method: 'get', path: '/conversations/:id/messages', tag: 'inbox', summary: 'History, oldest first within a page; pass nextBefore to load older',
    access: access.can('read', 'Conversation'), params: idParams, query: messagesQuery,
    handler: async (ctx, { params, query }) => {
      await loadConversation(s, ctx, params.id);
      const rows = await listMessages(s.db, params.id, decodeCursor(query.before) ?? null, query.limit);
      const oldest = rows[rows.length - 1];
      ctx.body = {
        items: (await presentMessages(s, params.id, rows)).reverse(),
        nextBefore: rows.length === query.limit && oldest ? encodeCursor(oldest.created_at, oldest.id) : null,
      };
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/messages', tag: 'inbox', summary: 'Send text, media, a template or a reaction',
    access: access.can('create', 'Message'), params: idParams, body: sendBody as unknown as z.ZodType<Record<string, unknown>>,
    handler: async (ctx, { params, body }) => {
      await loadConversation(s, ctx, params.id);
      const auth = authOf(ctx);
      const row = await sendFromAgent(s, { ...actorOf(ctx), id: auth.user.id }, params.id, body as z.infer<typeof sendBody>);
      ctx.status = 201;
      ctx.body = { message: (await presentMessages(s, params.id, [row]))[0] ?? null };
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/read', tag: 'inbox', summary: 'Mark the conversation read (and tell WhatsApp)',
    access: access.can('read', 'Conversation'), params: idParams,
    handler: async (ctx, { params }) => {
      const c = await loadConversation(s, ctx, params.id);
      await markRead(s, actorOf(ctx), c);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/assign', tag: 'inbox', summary: 'Assign (or unassign) a conversation',
    access: access.can('assign', 'Conversation'), params: idParams, body: assignBody,
    handler: async (ctx, { params, body }) => {
      await loadConversation(s, ctx, params.id, 'assign');
      const c = await assignConversation(s, actorOf(ctx), params.id, { assigneeId: body.assigneeId }, 'conversation.assigned');
      ctx.body = { conversation: presentConversation(c) };
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/transfer', tag: 'inbox', summary: 'Transfer a conversation to another agent or team',
    access: access.can('transfer', 'Conversation'), params: idParams, body: transferBody as unknown as z.ZodType<Record<string, unknown>>,
    handler: async (ctx, { params, body }) => {
      await loadConversation(s, ctx, params.id, 'transfer');
      const b = body as z.infer<typeof transferBody>;
      const c = await assignConversation(s, actorOf(ctx), params.id, { assigneeId: b.assigneeId ?? null, teamId: b.teamId }, 'conversation.transferred');
      ctx.body = { conversation: presentConversation(c) };
    },
  });
  for (const [verb, status] of [['resolve', 'resolved'], ['reopen', 'open']] as const) {
    t.add({
      method: 'post', path: `/conversations/:id/${verb}`, tag: 'inbox', summary: verb === 'resolve' ? 'Resolve a conversation' : 'Reopen a conversation',
      access: access.can('resolve', 'Conversation'), params: idParams,
      handler: async (ctx, { params }) => {
        await loadConversation(s, ctx, params.id, 'resolve');
        ctx.body = { conversation: presentConversation(await setConversationStatus(s, actorOf(ctx), params.id, status)) };
      },
    });
  }
}
