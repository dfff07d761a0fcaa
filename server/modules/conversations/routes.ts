import type { z } from 'zod';
import { actorOf, authOf } from '../../http/context';
import { BACKGROUND_HEADER } from '../../http/middleware/auth';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { recordConversationView } from '../audit/viewCommand';
import { whereAccessible } from '../authz/sql';
import { subject as asSubject } from '@casl/ability';
import { errors } from '../../lib/errors';
import { assignConversation, claimConversation, markRead, setConversationStatus } from './commands';
import { loadConversation } from './access';
import { eligibleAssignees } from './assignees';
import { presentAssignee, presentConversation, presentMessages } from './present';
import {
  assignBody, assigneesQuery, assigneesResponse, conversationResponse, conversationsResponse, decodeCursor, encodeCursor, idParams, listQuery, messagesQuery, messagesResponse, sendBody, sentMessageResponse, transferBody,
  unassignedCountResponse,
} from './schema';
import { CONVERSATION_FIELDS, countUnassigned, listConversations, listMessages } from './repo';
import { sendFromAgent } from './send';
import { canReadPhone } from '../contacts';
import type { AppContext } from '../../http/context';

/** Whether this request's user sees contacts' numbers in clear (the contacts' field rule). */
const phoneShown = (ctx: AppContext) => canReadPhone(authOf(ctx).ability);

/** The inbox: lists, history, sending, reading, assignment and resolution. */
export function registerConversationRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/conversations', tag: 'inbox', summary: 'List conversations (mine, unassigned or all, as permissions allow)',
    access: access.can('read', 'Conversation'), query: listQuery,
    responses: { 200: { description: 'A page of conversations, latest message first', schema: conversationsResponse } },
    handler: async (ctx, { query }) => {
      const auth = authOf(ctx);
      const rows = await listConversations(
        s.db,
        {
          ...query, userId: auth.user.id, cursor: decodeCursor(query.cursor), phoneSearch: phoneShown(ctx),
          waitingOverSeconds: query.overdue ? s.config.firstResponseTargetSeconds : undefined,
        },
        (q) => whereAccessible(q, auth.ability, 'read', 'Conversation', CONVERSATION_FIELDS),
      );
      const last = rows[rows.length - 1];
      ctx.body = {
        items: rows.map((r) => presentConversation(r, phoneShown(ctx))),
        nextCursor: rows.length === query.limit && last?.last_message_at ? encodeCursor(last.last_message_at, last.id) : null,
      };
    },
  });
  t.add({
    method: 'get', path: '/conversations/unassigned/count', tag: 'inbox', summary: 'How many open conversations wait for an agent (among those you may read)',
    // The panel asks on its own (at sign-in, after a reconnection): not the user's activity.
    access: access.can('read', 'Conversation'), background: true,
    responses: { 200: { description: 'The count; live updates arrive as `unassigned.count` events on /events', schema: unassignedCountResponse } },
    handler: async (ctx) => {
      const { ability } = authOf(ctx);
      ctx.body = { count: await countUnassigned(s.db, (q) => whereAccessible(q, ability, 'read', 'Conversation', CONVERSATION_FIELDS)) };
    },
  });
  t.add({
    method: 'get', path: '/conversations/:id', tag: 'inbox', summary: 'Get a conversation', access: access.can('read', 'Conversation'), params: idParams,
    responses: { 200: { description: 'The conversation', schema: conversationResponse } },
    handler: async (ctx, { params }) => {
      const conversation = await loadConversation(s, authOf(ctx).ability, params.id);
      // Who read which conversation, when: the panel's own refetches (background) are not a reading.
      if (ctx.get(BACKGROUND_HEADER) !== '1') {
        await recordConversationView(s, actorOf(ctx), conversation.id);
      }
      ctx.body = { conversation: presentConversation(conversation, phoneShown(ctx)) };
    },
  });
  t.add({
    method: 'get', path: '/conversations/:id/messages', tag: 'inbox', summary: 'History, oldest first within a page; pass nextBefore to load older',
    access: access.can('read', 'Conversation'), params: idParams, query: messagesQuery,
    responses: { 200: { description: 'A page of messages', schema: messagesResponse } },
    handler: async (ctx, { params, query }) => {
      await loadConversation(s, authOf(ctx).ability, params.id);
      const rows = await listMessages(s.db, params.id, decodeCursor(query.before) ?? null, query.limit);
      const oldest = rows[rows.length - 1];
      ctx.body = {
        items: (await presentMessages(s, params.id, rows)).reverse(),
        nextBefore: rows.length === query.limit && oldest ? encodeCursor(oldest.created_at, oldest.id) : null,
      };
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/messages', tag: 'inbox',
    summary: 'Send text, media, a template or a reaction (never changes the assignee; reopens a resolved conversation)',
    access: access.can('create', 'Message'), params: idParams, body: sendBody as unknown as z.ZodType<Record<string, unknown>>,
    responses: {
      201: { description: 'Stored and queued for WhatsApp', schema: sentMessageResponse },
      403: { description: 'claim_required: the conversation waits in the queue and the caller takes work from it (may claim, may not assign): claim it first' },
    },
    handler: async (ctx, { params, body }) => {
      const auth = authOf(ctx);
      await loadConversation(s, auth.ability, params.id);
      const row = await sendFromAgent(s, { ...actorOf(ctx), id: auth.user.id }, auth.ability, params.id, body as z.infer<typeof sendBody>);
      ctx.status = 201;
      ctx.body = { message: (await presentMessages(s, params.id, [row]))[0] ?? null };
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/read', tag: 'inbox', summary: 'Mark the conversation read (and tell WhatsApp)',
    access: access.can('read', 'Conversation'), params: idParams,
    handler: async (ctx, { params }) => {
      const c = await loadConversation(s, authOf(ctx).ability, params.id);
      await markRead(s, actorOf(ctx), c);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/assign', tag: 'inbox', summary: 'Assign (or unassign) a conversation',
    access: access.can('assign', 'Conversation'), params: idParams, body: assignBody,
    responses: { 200: { description: 'The conversation', schema: conversationResponse } },
    handler: async (ctx, { params, body }) => {
      await loadConversation(s, authOf(ctx).ability, params.id, 'assign');
      const c = await assignConversation(s, actorOf(ctx), params.id, { assigneeId: body.assigneeId }, 'conversation.assigned');
      ctx.body = { conversation: presentConversation(c, phoneShown(ctx)) };
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/transfer', tag: 'inbox', summary: 'Transfer a conversation to another agent or team',
    access: access.can('transfer', 'Conversation'), params: idParams, body: transferBody as unknown as z.ZodType<Record<string, unknown>>,
    responses: { 200: { description: 'The conversation', schema: conversationResponse } },
    handler: async (ctx, { params, body }) => {
      const { ability } = authOf(ctx);
      await loadConversation(s, ability, params.id, 'transfer');
      const b = body as z.infer<typeof transferBody>;
      // A team the caller may not see answers like a missing one.
      if (b.teamId && !ability.can('read', asSubject('Team', { id: b.teamId }))) {
        throw errors.validation('Unknown team.', { fields: [{ path: 'body.teamId', message: 'unknown' }] });
      }
      const c = await assignConversation(s, actorOf(ctx), params.id, { assigneeId: b.assigneeId ?? null, teamId: b.teamId }, 'conversation.transferred');
      ctx.body = { conversation: presentConversation(c, phoneShown(ctx)) };
    },
  });
  t.add({
    method: 'get', path: '/conversations/:id/assignees', tag: 'inbox', summary: 'Who the conversation may be assigned or transferred to',
    access: access.can('read', 'Conversation'), params: idParams, query: assigneesQuery,
    responses: { 200: { description: 'Eligible assignees, by name', schema: assigneesResponse } },
    handler: async (ctx, { params, query }) => {
      const c = await loadConversation(s, authOf(ctx).ability, params.id, query.for);
      const users = await eligibleAssignees(s.db, { ...c, team_id: query.teamId ?? c.team_id });
      ctx.body = { items: users.map(presentAssignee) };
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/claim', tag: 'inbox', summary: 'Take an unassigned conversation from the queue',
    access: access.can('claim', 'Conversation'), params: idParams,
    responses: { 200: { description: 'The conversation, now yours', schema: conversationResponse }, 409: { description: 'Someone else took it first (conflict)' } },
    handler: async (ctx, { params }) => {
      const auth = authOf(ctx);
      await loadConversation(s, auth.ability, params.id, 'claim');
      ctx.body = { conversation: presentConversation(await claimConversation(s, { ...actorOf(ctx), id: auth.user.id }, params.id), phoneShown(ctx)) };
    },
  });
  const statusVerbs = [['resolve', 'resolved', 'Resolve a conversation'], ['reopen', 'open', 'Reopen a conversation'], ['pending', 'pending', 'Set a conversation pending: waiting on the customer (their next message opens it again)']] as const;
  for (const [verb, status, summary] of statusVerbs) {
    t.add({
      method: 'post', path: `/conversations/:id/${verb}`, tag: 'inbox', summary,
      access: access.can('resolve', 'Conversation'), params: idParams,
      responses: { 200: { description: 'The conversation', schema: conversationResponse } },
      handler: async (ctx, { params }) => {
        await loadConversation(s, authOf(ctx).ability, params.id, 'resolve');
        ctx.body = { conversation: presentConversation(await setConversationStatus(s, actorOf(ctx), params.id, status), phoneShown(ctx)) };
      },
    });
  }
}
