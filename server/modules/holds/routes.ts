import { actorOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { placeHold, releaseHold } from './commands';
import { presentHold } from './present';
import { holdOptions, listHolds, scopeLabels, type HoldListRow } from './repo';
import { createHoldBody, holdListResponse, holdOptionsResponse, holdResponse, idParams, listHoldsQuery, releaseHoldBody } from './schema';

/** Legal holds: placed with a case reference and a scope, listed with what they cover, released by permitted roles. */
export function registerHoldRoutes(t: RouteTable, s: Services): void {
  const present = async (rows: HoldListRow[]) => {
    const labels = await scopeLabels(s.db, rows.map((r) => r.scope));
    return rows.map((r) => presentHold(r, labels));
  };
  t.add({
    method: 'get', path: '/legal-holds', tag: 'legal-holds', summary: 'List legal holds with what they cover', access: access.can('read', 'LegalHold'),
    query: listHoldsQuery, responses: { 200: { description: 'Holds', schema: holdListResponse } },
    handler: async (ctx, { query }) => {
      ctx.body = { items: await present(await listHolds(s.db, query.state)) };
    },
  });
  t.add({
    method: 'get', path: '/legal-holds/options', tag: 'legal-holds', summary: 'The numbers and agents a new hold may name',
    access: access.can('create', 'LegalHold'), responses: { 200: { description: 'Options', schema: holdOptionsResponse } },
    handler: async (ctx) => {
      ctx.body = await holdOptions(s.db);
    },
  });
  t.add({
    method: 'post', path: '/legal-holds', tag: 'legal-holds', summary: 'Place a legal hold', access: access.can('create', 'LegalHold'),
    body: createHoldBody, responses: { 201: { description: 'Placed', schema: holdResponse } },
    handler: async (ctx, { body }) => {
      const hold = await placeHold(s, actorOf(ctx), body);
      ctx.status = 201;
      ctx.body = { hold: (await present([hold]))[0] };
    },
  });
  t.add({
    method: 'post', path: '/legal-holds/:id/release', tag: 'legal-holds', summary: 'Release a legal hold', access: access.can('release', 'LegalHold'),
    params: idParams, body: releaseHoldBody, responses: { 200: { description: 'Released', schema: holdResponse } },
    handler: async (ctx, { params, body }) => {
      const hold = await releaseHold(s, actorOf(ctx), params.id, body.reason);
      ctx.body = { hold: (await present([hold]))[0] };
    },
  });
}
