import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { whereAccessible } from '../authz/sql';
import { conversationHistory } from '../audit';
import { loadConversation } from '../conversations';
import { removePolicy, savePolicy, setAvailability, setCapacity } from './commands';
import { presentAvailability, presentPolicy } from './present';
import { AVAILABILITY_FIELDS, beat, findAvailability, listAvailability, listPolicies, type AvailabilityRow } from './repo';
import {
  assignmentHistoryResponse, availabilityListResponse, availabilityResponse, capacityBody, conversationParams, policyBody, policyListResponse, policyParams, policyResponse, stateBody, userParams,
} from './schema';

/** The audit actions that change who holds a conversation: what its assignment history shows. */
const ASSIGNMENT_ACTIONS = new Set(['conversation.assigned', 'conversation.transferred', 'conversation.claimed', 'routing.assigned', 'routing.unassigned']);
// A conversation's events read at most (its assignment changes are a small part of them).
const HISTORY_LIMIT = 1000;

/** The row CASL checks an availability action against: the agent it is about (userId), as `id` for refusals. */
const asRow = (r: AvailabilityRow | undefined) => (r ? { id: r.user_id, userId: r.user_id } : undefined);

/** Agent availability (online, away, offline; capacity) and the routing policies of numbers and teams. */
export function registerRoutingRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/availability', tag: 'routing', summary: 'Agents with their state, open conversations and capacity', access: access.can('read', 'Availability'),
    responses: { 200: { description: 'Agents', schema: availabilityListResponse } },
    handler: async (ctx) => {
      const rows = await listAvailability(s.db, (q) => whereAccessible(q, authOf(ctx).ability, 'read', 'Availability', AVAILABILITY_FIELDS));
      ctx.body = { items: rows.map(presentAvailability) };
    },
  });
  t.add({
    method: 'put', path: '/availability/:userId/state', tag: 'routing', summary: 'Set an agent’s state (their own, or a supervisor’s override)',
    access: access.can('update', 'Availability'), params: userParams, body: stateBody, responses: { 200: { description: 'Set', schema: availabilityResponse } },
    handler: async (ctx, { params, body }) => {
      assertCanRow(authOf(ctx).ability, 'update', 'Availability', asRow(await findAvailability(s.db, params.userId)));
      ctx.body = { availability: presentAvailability(await setAvailability(s, actorOf(ctx), params.userId, body.state)) };
    },
  });
  t.add({
    method: 'put', path: '/availability/:userId/capacity', tag: 'routing', summary: 'Set an agent’s capacity (null: the team default, else 6)',
    access: access.can('capacity', 'Availability'), params: userParams, body: capacityBody, responses: { 200: { description: 'Set', schema: availabilityResponse } },
    handler: async (ctx, { params, body }) => {
      assertCanRow(authOf(ctx).ability, 'capacity', 'Availability', asRow(await findAvailability(s.db, params.userId)));
      ctx.body = { availability: presentAvailability(await setCapacity(s, actorOf(ctx), params.userId, body.capacity)) };
    },
  });
  t.add({
    method: 'post', path: '/availability/heartbeat', tag: 'routing', summary: 'The panel is still open (keeps an online agent online)',
    access: access.can('update', 'Availability'), background: true, responses: { 204: { description: 'Noted' } },
    handler: async (ctx) => {
      const { ability, user } = authOf(ctx);
      assertCanRow(ability, 'update', 'Availability', { id: user.id, userId: user.id });
      await beat(s.db, user.id);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'get', path: '/conversations/:id/assignments', tag: 'routing', summary: 'Who held the conversation, who or what changed it, and why (oldest first)',
    access: access.can('read', 'Conversation'), params: conversationParams, responses: { 200: { description: 'Assignment changes', schema: assignmentHistoryResponse } },
    handler: async (ctx, { params }) => {
      await loadConversation(s, authOf(ctx).ability, params.id);
      const history = await conversationHistory(s.db, params.id, { limit: HISTORY_LIMIT });
      // Users' and teams' names only: the panel names the customer as it already shows them (masked or not).
      const names = Object.fromEntries(Object.entries(history.names).filter(([key]) => key.startsWith('User:') || key.startsWith('Team:')));
      ctx.body = { items: history.items.filter((e) => ASSIGNMENT_ACTIONS.has(e.action)), names };
    },
  });
  t.add({
    method: 'get', path: '/routing/policies', tag: 'routing', summary: 'Routing policies of numbers and teams', access: access.can('read', 'RoutingPolicy'),
    responses: { 200: { description: 'Policies', schema: policyListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: (await listPolicies(s.db)).map(presentPolicy) };
    },
  });
  t.add({
    method: 'put', path: '/routing/policies/:scopeType/:scopeId', tag: 'routing', summary: 'Set the routing policy of a number or a team',
    access: access.can('update', 'RoutingPolicy'), params: policyParams, body: policyBody, responses: { 200: { description: 'Saved', schema: policyResponse } },
    handler: async (ctx, { params, body }) => {
      ctx.body = { policy: presentPolicy(await savePolicy(s, actorOf(ctx), params.scopeType, params.scopeId, body)) };
    },
  });
  t.add({
    method: 'delete', path: '/routing/policies/:scopeType/:scopeId', tag: 'routing', summary: 'Remove the routing policy of a number or a team (defaults apply)',
    access: access.can('update', 'RoutingPolicy'), params: policyParams, responses: { 204: { description: 'Removed' } },
    handler: async (ctx, { params }) => {
      await removePolicy(s, actorOf(ctx), params.scopeType, params.scopeId);
      ctx.status = 204;
    },
  });
}
