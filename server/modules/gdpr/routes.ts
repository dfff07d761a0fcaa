import { actorOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { createRequest, exportAccess, extendRequest, openArchive } from './commands';
import { eraseForRequest, reapplyLedger } from './erasure';
import { presentContactChoice, presentRequest } from './present';
import { listRequests, searchContactsByPhone } from './repo';
import {
  contactSearchQuery, contactSearchResponse, createRequestBody, extendRequestBody, idParams, listRequestsQuery, reapplyResponse, requestListResponse, requestResponse,
} from './schema';

const TAG = 'gdpr';

/** GDPR requests: the request log and its dashboard, access archives, erasure, and the erasure ledger. */
export function registerGdprRoutes(t: RouteTable, s: Services): void {
  const one = async (id: string) => presentRequest((await listRequests(s.db, 'all', id))[0]!);
  t.add({
    method: 'get', path: '/gdpr/requests', tag: TAG, summary: 'List GDPR requests: open ones by time left (overdue first)', access: access.can('read', 'GdprRequest'),
    query: listRequestsQuery, responses: { 200: { description: 'Requests', schema: requestListResponse } },
    handler: async (ctx, { query }) => {
      const now = new Date();
      ctx.body = { items: (await listRequests(s.db, query.state)).map((r) => presentRequest(r, now)) };
    },
  });
  t.add({
    method: 'get', path: '/gdpr/contacts', tag: TAG, summary: 'Find the subject of a new request by phone number', access: access.can('create', 'GdprRequest'),
    query: contactSearchQuery, responses: { 200: { description: 'Contacts', schema: contactSearchResponse } },
    handler: async (ctx, { query }) => {
      ctx.body = { items: (await searchContactsByPhone(s.db, query.phone.replace(/\D/g, ''), 20)).map(presentContactChoice) };
    },
  });
  t.add({
    method: 'post', path: '/gdpr/requests', tag: TAG, summary: 'Log a GDPR request (deadline: one month after receipt)', access: access.can('create', 'GdprRequest'),
    body: createRequestBody, responses: { 201: { description: 'Logged', schema: requestResponse } },
    handler: async (ctx, { body }) => {
      const row = await createRequest(s, actorOf(ctx), body);
      ctx.status = 201;
      ctx.body = { request: presentRequest(row) };
    },
  });
  t.add({
    method: 'post', path: '/gdpr/requests/:id/extend', tag: TAG, summary: 'Extend a request by one or two further months, with the reason', access: access.can('update', 'GdprRequest'),
    params: idParams, body: extendRequestBody, responses: { 200: { description: 'Extended', schema: requestResponse } },
    handler: async (ctx, { params, body }) => {
      ctx.body = { request: presentRequest(await extendRequest(s, actorOf(ctx), params.id, body)) };
    },
  });
  t.add({
    method: 'post', path: '/gdpr/requests/:id/export', tag: TAG, summary: "Answer an access request: build the subject's archive", access: access.can('export', 'GdprRequest'),
    params: idParams, responses: { 200: { description: 'Archive built, request completed', schema: requestResponse } },
    handler: async (ctx, { params }) => {
      ctx.body = { request: presentRequest(await exportAccess(s, actorOf(ctx), params.id)) };
    },
  });
  t.add({
    method: 'get', path: '/gdpr/requests/:id/archive', tag: TAG, summary: 'Download the access archive (zip; audited)', access: access.can('export', 'GdprRequest'),
    params: idParams, responses: { 200: { description: 'application/zip, an attachment' } },
    handler: async (ctx, { params }) => {
      const file = await openArchive(s, actorOf(ctx), params.id);
      ctx.set('Content-Type', 'application/zip');
      ctx.set('Content-Disposition', `attachment; filename="gdpr-access-${params.id}.zip"`);
      ctx.set('Content-Length', String(file.size));
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Archive-SHA256', file.sha256);
      ctx.body = file.stream;
    },
  });
  t.add({
    method: 'post', path: '/gdpr/requests/:id/erase', tag: TAG, summary: "Answer an erasure request: delete the subject's data (refused with its reason under a hold or locked retention)",
    access: access.can('erase', 'GdprRequest'), params: idParams, responses: { 200: { description: 'Erased', schema: requestResponse } },
    handler: async (ctx, { params }) => {
      await eraseForRequest(s, actorOf(ctx), params.id);
      ctx.body = { request: await one(params.id) };
    },
  });
  t.add({
    method: 'post', path: '/gdpr/ledger/reapply', tag: TAG, summary: 'Re-apply the erasure ledger (after a restore): erase erased subjects found again',
    access: access.can('reapplyLedger', 'GdprRequest'), responses: { 200: { description: 'What was erased again', schema: reapplyResponse } },
    handler: async (ctx) => {
      ctx.body = await reapplyLedger(s, actorOf(ctx), 'request');
    },
  });
}
