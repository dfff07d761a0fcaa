import { subject as asSubject } from '@casl/ability';
import { permittedFieldsOf } from '@casl/ability/extra';
import { z } from 'zod';
import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import type { AppAbility } from '../authz/ability';
import { assertCanRow } from '../authz/guard';
import { whereAccessible } from '../authz/sql';
import { createChannel, editChannel, removeChannel, testChannel } from './commands';
import { CHANNEL_FIELDS, findChannel, listChannels, type ChannelRow } from './repo';
import { SANDBOX_USE, SIMULATOR_PATH } from './sandboxChannel';

const idParams = z.strictObject({ id: z.uuid() });
const secret = z.string().trim().min(8).max(1024);
const base = {
  name: z.string().trim().min(1).max(80),
  phoneNumberId: z.string().regex(/^\d{5,32}$/, 'digits only'),
  wabaId: z.string().regex(/^\d{5,32}$/, 'digits only'),
  displayNumber: z.string().trim().regex(/^\+?[\d\s().-]{6,32}$/, 'a phone number'),
  graphBaseUrl: z.url({ protocol: /^https?$/ }).max(300),
  graphVersion: z.string().regex(/^v\d+\.\d+$/, 'like v23.0'),
  appId: z.string().regex(/^\d{5,32}$/, 'digits only').nullable().describe("The Meta app's id, needed to upload template sample files"),
  accessToken: secret,
  appSecret: secret,
  verifyToken: secret,
  lane: z.enum(['shared', 'dedicated']),
  throughputMps: z.number().int().min(1).max(1000),
};
const createBody = z.strictObject({ ...base, graphBaseUrl: base.graphBaseUrl.optional(), graphVersion: base.graphVersion.optional(), appId: base.appId.optional(), lane: base.lane.optional(), throughputMps: base.throughputMps.optional() });
const updateBody = z.strictObject(Object.fromEntries(Object.entries(base).map(([k, v]) => [k, v.optional()])) as { [K in keyof typeof base]: z.ZodOptional<(typeof base)[K]> })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');

const ALL_FIELDS = ['id', 'name', 'phoneNumberId', 'wabaId', 'displayNumber', 'graphBaseUrl', 'graphVersion', 'appId', 'lane', 'throughputMps', 'qualityRating', 'messagingTier', 'status', 'statusReason', 'webhookUrl', 'secrets', 'lastTestAt', 'lastTestOk', 'createdAt', 'isSandbox'];

/** A number as the API shows it: secrets only as "set" and their last four characters. */
export function presentChannel(c: ChannelRow, ability: AppAbility, publicUrl: string) {
  const full: Record<string, unknown> = {
    id: c.id, name: c.name, phoneNumberId: c.phone_number_id, wabaId: c.waba_id, displayNumber: c.display_number,
    graphBaseUrl: c.graph_base_url, graphVersion: c.graph_version, appId: c.app_id ?? null, lane: c.lane, throughputMps: c.throughput_mps,
    qualityRating: c.quality_rating, messagingTier: c.messaging_tier, status: c.status, statusReason: c.status_reason,
    webhookUrl: `${publicUrl}/webhooks/whatsapp`,
    secrets: {
      accessToken: { set: true, last4: c.access_token_last4 },
      appSecret: { set: true, last4: c.app_secret_last4 },
      verifyToken: { set: true, last4: c.verify_token_last4 },
    },
    lastTestAt: c.last_test_at?.toISOString() ?? null, lastTestOk: c.last_test_ok, createdAt: c.created_at.toISOString(), isSandbox: c.is_sandbox,
  };
  const allowed = new Set(permittedFieldsOf(ability, 'read', asSubject('Channel', { id: c.id, wabaId: c.waba_id, lane: c.lane, status: c.status }), { fieldsFrom: (r) => r.fields ?? ALL_FIELDS }));
  return Object.fromEntries(ALL_FIELDS.filter((f) => f === 'id' || allowed.has(f)).map((f) => [f, full[f]]));
}

const asCasl = (c: ChannelRow | undefined) => (c ? { id: c.id, wabaId: c.waba_id, lane: c.lane, status: c.status } : undefined);

/** WhatsApp numbers (channels). */
export function registerChannelRoutes(t: RouteTable, s: Services): void {
  registerSandboxRoutes(t, s);
  // Koa's ctx.origin is the Origin header, which browsers leave out of same-origin GETs; the
  // address comes from PUBLIC_URL, else from the request itself (X-Forwarded-* only with TRUST_PROXY).
  const publicUrl = (ctx: { protocol: string; host: string }) => s.config.publicUrl ?? `${ctx.protocol}://${ctx.host}`;
  t.add({
    method: 'get', path: '/channels', tag: 'channels', summary: 'List WhatsApp numbers', access: access.can('read', 'Channel'),
    handler: async (ctx) => {
      const { ability } = authOf(ctx);
      const rows = await listChannels(s.db, (q) => whereAccessible(q, ability, 'read', 'Channel', CHANNEL_FIELDS));
      ctx.body = { items: rows.map((c) => presentChannel(c, ability, publicUrl(ctx))) };
    },
  });
  t.add({
    method: 'post', path: '/channels', tag: 'channels', summary: 'Add a WhatsApp number', access: access.can('create', 'Channel'), body: createBody,
    responses: {
      201: { description: 'Added' },
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
    params: idParams, body: updateBody,
    responses: {
      200: { description: 'Edited' },
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
    responses: { 200: { description: 'The sandbox', schema: z.object({ running: z.boolean(), simulatorPath: z.string().nullable() }) } },
    handler: async (ctx) => {
      const running = s.config.sandbox;
      ctx.body = { running, simulatorPath: running ? SIMULATOR_PATH : null };
    },
  });
}
