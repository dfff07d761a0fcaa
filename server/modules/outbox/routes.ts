import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { findChannel } from '../channels';
import { laneStatus, resumeLaneCommand } from './commands';
import { presentLane } from './present';
import { laneParams, laneResponse } from './schema';

const asCasl = (c: Awaited<ReturnType<typeof findChannel>>) => (c ? { id: c.id, wabaId: c.waba_id, lane: c.lane, status: c.status } : undefined);

/** A number's sending lane: its backlog, tier use and pause, and the admin's resume. */
export function registerOutboxRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/channels/:id/lane', tag: 'channels', summary: "A number's sending lane: backlog, held messages, tier use, pause", access: access.can('read', 'Channel'),
    params: laneParams,
    responses: { 200: { description: 'The lane', schema: laneResponse } },
    handler: async (ctx, { params }) => {
      const channel = await findChannel(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'Channel', asCasl(channel));
      ctx.body = { lane: presentLane(await laneStatus(s, params.id), channel!.messaging_tier) };
    },
  });
  t.add({
    method: 'post', path: '/channels/:id/lane/resume', tag: 'channels', summary: "Resume a number's paused broadcast traffic", access: access.can('resume', 'Channel'),
    params: laneParams,
    responses: { 200: { description: 'Resumed', schema: laneResponse }, 409: { description: 'The lane is not paused (lane_not_paused)' } },
    handler: async (ctx, { params }) => {
      const channel = await findChannel(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'resume', 'Channel', asCasl(channel));
      await resumeLaneCommand(s, actorOf(ctx), params.id);
      ctx.body = { lane: presentLane(await laneStatus(s, params.id), channel!.messaging_tier) };
    },
  });
}
