import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import { RowDenied } from '../../lib/errors';
import type { Services } from '../../services';
import { loadConversation } from '../conversations';
import { cannedSubject, loadCanned, usableBy } from './access';
import { createCanned, deleteCanned, updateCanned } from './commands';
import { fillVariables } from './fill';
import { presentCanned } from './present';
import { listUsableCanned } from './repo';
import { cannedListResponse, cannedResponse, createCannedBody, idParams, listCannedQuery, updateCannedBody } from './schema';
import { fillValuesFor } from './texts';

/** Canned responses: the user's own and the shared ones, managed as CASL allows, filled for a conversation. */
export function registerCannedRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/canned-responses', tag: 'canned', summary: "Your canned responses and the shared ones (filled for a conversation when one is named)",
    access: access.can('read', 'CannedResponse'), query: listCannedQuery,
    responses: { 200: { description: 'Shared first, then yours, by shortcut', schema: cannedListResponse } },
    handler: async (ctx, { query }) => {
      const { ability, user } = authOf(ctx);
      const rows = (await listUsableCanned(s.db, user.id)).filter((r) => usableBy(ability, user.id, r));
      if (!query.conversationId) {
        ctx.body = { items: rows.map((r) => presentCanned(r)) };
        return;
      }
      const conversation = await loadConversation(s, ability, query.conversationId);
      const values = await fillValuesFor(s.db, conversation.profile_name, user.id);
      ctx.body = { items: rows.map((r) => presentCanned(r, fillVariables(r.body, values))) };
    },
  });
  t.add({
    method: 'post', path: '/canned-responses', tag: 'canned', summary: 'Create a canned response (yours, or shared when allowed)',
    access: access.can('create', 'CannedResponse'), body: createCannedBody,
    responses: { 201: { description: 'Created', schema: cannedResponse }, 403: { description: 'row_action_denied: you may not create shared responses' } },
    handler: async (ctx, { body }) => {
      const { ability, user } = authOf(ctx);
      const ownerId = body.shared ? null : user.id;
      if (!ability.can('create', cannedSubject({ owner_id: ownerId }))) {
        throw new RowDenied('CannedResponse', 'create', null, true);
      }
      ctx.status = 201;
      ctx.body = { cannedResponse: presentCanned(await createCanned(s, actorOf(ctx), ownerId, body)) };
    },
  });
  t.add({
    method: 'patch', path: '/canned-responses/:id', tag: 'canned', summary: "Change a canned response's shortcut, title or body",
    access: access.can('update', 'CannedResponse'), params: idParams, body: updateCannedBody,
    responses: { 200: { description: 'Changed', schema: cannedResponse } },
    handler: async (ctx, { params, body }) => {
      const { ability, user } = authOf(ctx);
      await loadCanned(s.db, ability, user.id, params.id, 'update');
      ctx.body = { cannedResponse: presentCanned(await updateCanned(s, actorOf(ctx), params.id, body)) };
    },
  });
  t.add({
    method: 'delete', path: '/canned-responses/:id', tag: 'canned', summary: 'Delete a canned response',
    access: access.can('delete', 'CannedResponse'), params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      const { ability, user } = authOf(ctx);
      await deleteCanned(s, actorOf(ctx), await loadCanned(s.db, ability, user.id, params.id, 'delete'));
      ctx.status = 204;
    },
  });
}
