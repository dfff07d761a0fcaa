import { actorOf, authOf, type AppContext } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { canReadPhone } from '../contacts';
import { createBroadcast, loadDraft, moveBroadcast } from './commands';
import { estimateDraft, previewDraft } from './estimate';
import { templateSlots } from './mapping';
import { presentBroadcast, presentProgress } from './present';
import { findBroadcast, listBroadcasts, progressCounts, type BroadcastRow } from './repo';
import {
  broadcastListResponse, broadcastResponse, createBroadcastBody, draftBody, estimateResponse, idParams, previewResponse, templateQuery, variablesResponse,
} from './schema';
import { findBroadcastTemplate } from './templateRepo';

const signedIn = (ctx: AppContext) => ({ ...actorOf(ctx), id: authOf(ctx).user.id });
const broadcastSubject = (b: BroadcastRow | undefined) => (b ? { id: b.id, createdBy: b.created_by } : undefined);

async function presented(s: Services, b: BroadcastRow) {
  return presentBroadcast(b, presentProgress(await progressCounts(s.db, b.id)));
}

/** Broadcasts: the pre-send estimate and preview, creation (now or scheduled), progress, pause, resume and cancel. */
export function registerBroadcastRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/broadcasts', tag: 'broadcasts', summary: 'List broadcasts with their progress', access: access.can('read', 'Broadcast'),
    responses: { 200: { description: 'The broadcasts', schema: broadcastListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: await Promise.all((await listBroadcasts(s.db)).map((b) => presented(s, b))) };
    },
  });
  t.add({
    method: 'get', path: '/broadcasts/template-variables', tag: 'broadcasts', summary: "A template's variables, each needing a source in a broadcast",
    access: access.can('create', 'Broadcast'), query: templateQuery, responses: { 200: { description: 'The variables', schema: variablesResponse } },
    handler: async (ctx, { query }) => {
      const template = await findBroadcastTemplate(s.db, query.templateId);
      ctx.body = { variables: template ? templateSlots(template.components) : [] };
    },
  });
  t.add({
    method: 'post', path: '/broadcasts/estimate', tag: 'broadcasts', summary: 'Cost per country and category, exclusions and tier impact of a draft',
    access: access.can('create', 'Broadcast'), body: draftBody, responses: { 200: { description: 'The estimate', schema: estimateResponse } },
    handler: async (ctx, { body }) => {
      ctx.body = await estimateDraft(s, await loadDraft(s, authOf(ctx).user.id, body));
    },
  });
  t.add({
    method: 'post', path: '/broadcasts/preview', tag: 'broadcasts', summary: 'The template as three contacts of the segment would receive it',
    access: access.can('create', 'Broadcast'), body: draftBody, responses: { 200: { description: 'The samples', schema: previewResponse } },
    handler: async (ctx, { body }) => {
      ctx.body = await previewDraft(s, await loadDraft(s, authOf(ctx).user.id, body), body, canReadPhone(authOf(ctx).ability));
    },
  });
  t.add({
    method: 'post', path: '/broadcasts', tag: 'broadcasts', summary: 'Create a broadcast: now, or at scheduledAt', access: access.can('create', 'Broadcast'),
    body: createBroadcastBody, responses: { 201: { description: 'Created', schema: broadcastResponse } },
    handler: async (ctx, { body }) => {
      ctx.status = 201;
      ctx.body = { broadcast: await presented(s, await createBroadcast(s, signedIn(ctx), body)) };
    },
  });
  t.add({
    method: 'get', path: '/broadcasts/:id', tag: 'broadcasts', summary: 'A broadcast and its live progress', access: access.can('read', 'Broadcast'),
    params: idParams, responses: { 200: { description: 'The broadcast', schema: broadcastResponse } },
    handler: async (ctx, { params }) => {
      const b = await findBroadcast(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'Broadcast', broadcastSubject(b));
      ctx.body = { broadcast: await presented(s, b!) };
    },
  });
  for (const move of ['pause', 'resume', 'cancel'] as const) {
    t.add({
      method: 'post', path: `/broadcasts/:id/${move}`, tag: 'broadcasts', summary: `${move[0]!.toUpperCase()}${move.slice(1)} a broadcast`,
      access: access.can('control', 'Broadcast'), params: idParams, responses: { 200: { description: 'Done', schema: broadcastResponse } },
      handler: async (ctx, { params }) => {
        const b = await findBroadcast(s.db, params.id);
        assertCanRow(authOf(ctx).ability, 'control', 'Broadcast', broadcastSubject(b));
        ctx.body = { broadcast: await presented(s, await moveBroadcast(s, actorOf(ctx), b!.id, move)) };
      },
    });
  }
}
