import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { conversationHistory } from '../audit';
import { canReadPhone } from '../contacts';
import { whereAccessible } from '../authz/sql';
import { CONVERSATION_FIELDS, decodeCursor, encodeCursor, listMessages, presentMessages } from '../conversations';
import { findMedia, openMediaDownload } from '../media';
import { loadForReview } from './access';
import { recordCustomerSearch, recordReview, recordReviewedMedia, recordReviewedPart } from './commands';
import { presentReviewConversation, presentReviewMessages } from './present';
import { listReviewConversations, mediaInConversation, reviewOptions } from './repo';
import {
  historyQuery, historyResponse, idParams, mediaParams, reviewConversationResponse, reviewListQuery, reviewListResponse, reviewMessagesQuery, reviewMessagesResponse,
  reviewOptionsResponse,
} from './schema';

// The weekly quality review looks at the last 30 days unless a range is given.
const DEFAULT_RANGE_MS = 30 * 86_400_000;

const CAN_REVIEW = access.can('read', 'ConversationReview');

/**
 * Conversation review: the compliance view of any conversation of any date, read-only, with its
 * assignment and audit history. Every opening is audited; so is a search that names a customer.
 */
export function registerReviewRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/review/conversations', tag: 'review', summary: 'Find conversations of any agent and any date (the last 30 days by default)',
    access: CAN_REVIEW, query: reviewListQuery, responses: { 200: { description: 'A page of conversations, most recently started first', schema: reviewListResponse } },
    handler: async (ctx, { query }) => {
      const { ability } = authOf(ctx);
      const from = query.from ? new Date(query.from) : new Date(s.clock().getTime() - DEFAULT_RANGE_MS);
      const to = query.to ? new Date(query.to) : undefined;
      const rows = await listReviewConversations(s.db, { ...query, from, to, cursor: decodeCursor(query.cursor), phoneSearch: canReadPhone(ability) }, (q) =>
        whereAccessible(q, ability, 'read', 'ConversationReview', CONVERSATION_FIELDS),
      );
      if (query.contactId || query.q) {
        await recordCustomerSearch(s, actorOf(ctx), { contactId: query.contactId, byText: query.q !== undefined, found: rows.map((r) => ({ id: r.id, contactId: r.contact_id })) });
      }
      const last = rows[rows.length - 1];
      ctx.body = {
        items: rows.map((r) => presentReviewConversation(r, canReadPhone(ability))),
        nextCursor: rows.length === query.limit && last ? encodeCursor(last.created_at, last.id) : null,
        range: { from: from.toISOString(), to: to?.toISOString() ?? null },
      };
    },
  });
  t.add({
    method: 'get', path: '/review/options', tag: 'review', summary: 'The numbers and users the review can filter on',
    access: CAN_REVIEW, responses: { 200: { description: 'Options', schema: reviewOptionsResponse } },
    handler: async (ctx) => {
      ctx.body = await reviewOptions(s.db);
    },
  });
  t.add({
    method: 'get', path: '/review/conversations/:id', tag: 'review', summary: 'Open a conversation for review (audited: conversation.reviewed)',
    access: CAN_REVIEW, params: idParams, responses: { 200: { description: 'The conversation', schema: reviewConversationResponse } },
    handler: async (ctx, { params }) => {
      const c = await loadForReview(s.db, authOf(ctx).ability, params.id);
      await recordReview(s, actorOf(ctx), c.id);
      ctx.body = { conversation: presentReviewConversation(c, canReadPhone(authOf(ctx).ability)) };
    },
  });
  t.add({
    method: 'get', path: '/review/conversations/:id/messages', tag: 'review', summary: 'The transcript, newest page first; pass nextBefore to load older (audited unless an opening of the last 5 minutes covers it)',
    access: CAN_REVIEW, params: idParams, query: reviewMessagesQuery, responses: { 200: { description: 'A page of messages', schema: reviewMessagesResponse } },
    handler: async (ctx, { params, query }) => {
      const auth = authOf(ctx);
      await loadForReview(s.db, auth.ability, params.id);
      await recordReviewedPart(s, { ...actorOf(ctx), id: auth.user.id }, params.id, 'messages');
      const rows = await listMessages(s.db, params.id, decodeCursor(query.before) ?? null, query.limit);
      const oldest = rows[rows.length - 1];
      ctx.body = {
        items: presentReviewMessages(params.id, await presentMessages(s, params.id, rows)).reverse(),
        nextBefore: rows.length === query.limit && oldest ? encodeCursor(oldest.created_at, oldest.id) : null,
      };
    },
  });
  t.add({
    method: 'get', path: '/review/conversations/:id/history', tag: 'review', summary: 'Who held the conversation when, and everything else the audit log says of it, oldest first (audited like the transcript)',
    access: CAN_REVIEW, params: idParams, query: historyQuery, responses: { 200: { description: 'Audit events of the conversation', schema: historyResponse } },
    handler: async (ctx, { params, query }) => {
      const auth = authOf(ctx);
      await loadForReview(s.db, auth.ability, params.id);
      await recordReviewedPart(s, { ...actorOf(ctx), id: auth.user.id }, params.id, 'history');
      ctx.body = await conversationHistory(s.db, params.id, { afterSeq: query.afterSeq, limit: query.limit });
    },
  });
  t.add({
    method: 'get', path: '/review/conversations/:id/media/:mediaId', tag: 'review', summary: 'A file of the conversation under review (audited: conversation.media_reviewed)',
    access: CAN_REVIEW, params: mediaParams,
    handler: async (ctx, { params }) => {
      const c = await loadForReview(s.db, authOf(ctx).ability, params.id);
      const media = await findMedia(s.db, params.mediaId);
      if (!media || !(await mediaInConversation(s.db, media.id, c.id))) {
        throw errors.notFound('Media');
      }
      const download = await openMediaDownload(s, media);
      // Recorded once the file is known to be there, so a failed download is not on record as read.
      await recordReviewedMedia(s, actorOf(ctx), c.id, media.id).catch((err: unknown) => {
        download.stream.destroy();
        throw err;
      });
      ctx.set(download.headers);
      ctx.body = download.stream;
    },
  });
}
