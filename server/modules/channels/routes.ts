import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { whereAccessible } from '../authz/sql';
import { createChannel, editChannel, removeChannel, testChannel } from './commands';
import { CHANNEL_DEFAULTS } from './egress';
import { presentChannel } from './present';
import { CHANNEL_FIELDS, findChannel, listChannels, type ChannelRow } from './repo';
import { SANDBOX_USE, SIMULATOR_PATH } from './sandboxChannel';
import { channelResponse, channelsResponse, channelTestResponse, createChannelBody, idParams, sandboxResponse, updateChannelBody } from './schema';

const asCasl = (c: ChannelRow | undefined) => (c ? { id: c.id, wabaId: c.waba_id, lane: c.lane, status: c.status } : undefined);

/** WhatsApp numbers (channels). */
export function registerChannelRoutes(t: RouteTable, s: Services): void {
  registerSandboxRoutes(t, s);
  // Koa's ctx.origin is the Origin header, which browsers leave out of same-origin GETs; the
  // address comes from PUBLIC_URL, else from the request itself (X-Forwarded-* only with TRUST_PROXY).
  const publicUrl = (ctx: { protocol: string; host: string }) => s.config.publicUrl ?? `${ctx.protocol}://${ctx.host}`;
  t.add({
    method: 'get', path: '/channels', tag: 'channels', summary: 'List WhatsApp numbers', access: access.can('read', 'Channel'),
    responses: { 200: { description: 'The numbers the caller may read', schema: channelsResponse } },
    handler: async (ctx) => {
      const { ability } = authOf(ctx);
      const rows = await listChannels(s.db, (q) => whereAccessible(q, ability, 'read', 'Channel', CHANNEL_FIELDS));
      ctx.body = { items: rows.map((c) => presentChannel(c, ability, publicUrl(ctx))), defaults: CHANNEL_DEFAULTS };
    },
  });
  t.add({
    method: 'post', path: '/channels', tag: 'channels', summary: 'Add a WhatsApp number', access: access.can('create', 'Channel'), body: createChannelBody,
    responses: {
      201: { description: 'Added', schema: channelResponse },
      400: { description: 'A field is invalid (validation_failed), or graphBaseUrl is not Meta\'s, an origin of GRAPH_ALLOWED_HOSTS or the sandbox (graph_host_not_allowed)' },
    },
    handler: async (ctx, { body }) => {
      const row = await createChannel(s, actorOf(ctx), body);
      ctx.status = 201;
      ctx.body = { channel: presentChannel(row, authOf(ctx).ability, publicUrl(ctx)) };
    },
  });
  t.add({
    method: 'patch', path: '/channels/:id', tag: 'channels', summary: 'Edit a number (secrets only when given)', access: access.can('update', 'Channel'),
    params: idParams, body: updateChannelBody,
    responses: {
      200: { description: 'Edited', schema: channelResponse },
      400: { description: 'graph_host_not_allowed (see POST), or access_token_required: a new graphBaseUrl needs the access token in the same request' },
    },
    handler: async (ctx, { params, body }) => {
      assertCanRow(authOf(ctx).ability, 'update', 'Channel', asCasl(await findChannel(s.db, params.id)));
      const row = await editChannel(s, actorOf(ctx), params.id, body);
      ctx.body = { channel: presentChannel(row, authOf(ctx).ability, publicUrl(ctx)) };
    },
  });
  t.add({
    method: 'delete', path: '/channels/:id', tag: 'channels', summary: 'Remove a number without conversations', access: access.can('delete', 'Channel'), params: idParams,
    handler: async (ctx, { params }) => {
      assertCanRow(authOf(ctx).ability, 'delete', 'Channel', asCasl(await findChannel(s.db, params.id)));
      await removeChannel(s, actorOf(ctx), params.id);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'post', path: '/channels/:id/test', tag: 'channels', summary: 'Test the connection and refresh quality, tier and templates', access: access.can('test', 'Channel'), params: idParams,
    responses: { 200: { description: 'The outcome (ok false when Meta refused or was unreachable)', schema: channelTestResponse } },
    handler: async (ctx, { params }) => {
      assertCanRow(authOf(ctx).ability, 'test', 'Channel', asCasl(await findChannel(s.db, params.id)));
      ctx.body = await testChannel(s, actorOf(ctx), params.id);
    },
  });
}

/** `GET /api/v1/sandbox`: whether this appliance runs the sandbox, so the panel links to the simulator only then. */
function registerSandboxRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/sandbox', tag: 'sandbox', summary: 'Whether the built-in WhatsApp sandbox runs here, and its customer simulator',
    access: access.can(SANDBOX_USE.action, SANDBOX_USE.subject),
    responses: { 200: { description: 'The sandbox', schema: sandboxResponse } },
    handler: async (ctx) => {
      const running = s.config.sandbox;
      ctx.body = { running, simulatorPath: running ? SIMULATOR_PATH : null };
    },
  });
}
