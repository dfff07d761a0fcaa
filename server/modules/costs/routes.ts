import { actorOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { createRateCard, deleteRateCard, updateRateCard } from './cardCommands';
import { dayOf, monthOf } from './costing';
import { presentRateCard } from './present';
import { listRateCards, rateCardAt } from './repo';
import { idParams, rateCardBody, rateCardListResponse, rateCardResponse, spendQuery, spendResponse } from './schema';
import { spendReport } from './spend';
import { spendCsv } from './spendCsv';

/** Costs: the dated rate cards (admins edit cards not yet in force) and the month's spend. */
export function registerCostRoutes(t: RouteTable, s: Services): void {
  const cards = async (id?: string) => {
    const now = s.clock();
    const current = await rateCardAt(s.db, now);
    return (await listRateCards(s.db, id)).map((c) => presentRateCard(c, dayOf(now), current?.id ?? null));
  };
  const one = async (id: string) => {
    const [card] = await cards(id);
    if (!card) {
      throw errors.notFound('Rate card');
    }
    return card;
  };
  t.add({
    method: 'get', path: '/costs/spend', tag: 'costs', summary: "A month's spend by number, category, country and broadcast, with the budget",
    access: access.can('read', 'Cost'), query: spendQuery, responses: { 200: { description: 'Spend', schema: spendResponse } },
    handler: async (ctx, { query }) => {
      ctx.body = await spendReport(s.db, query.month ?? monthOf(s.clock()));
    },
  });
  t.add({
    method: 'get', path: '/costs/spend.csv', tag: 'costs', summary: "A month's spend as CSV (one line per number, category, country and broadcast)",
    access: access.can('read', 'Cost'), query: spendQuery, responses: { 200: { description: 'text/csv, an attachment' } },
    handler: async (ctx, { query }) => {
      const month = query.month ?? monthOf(s.clock());
      ctx.set('Content-Type', 'text/csv; charset=utf-8');
      ctx.set('Content-Disposition', `attachment; filename="spend-${month}.csv"`);
      ctx.body = spendCsv(await spendReport(s.db, month));
    },
  });
  t.add({
    method: 'get', path: '/costs/rate-cards', tag: 'costs', summary: 'The dated rate cards, newest first', access: access.can('read', 'RateCard'),
    responses: { 200: { description: 'Cards', schema: rateCardListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: await cards() };
    },
  });
  t.add({
    method: 'get', path: '/costs/rate-cards/:id', tag: 'costs', summary: 'One rate card with its prices', access: access.can('read', 'RateCard'),
    params: idParams, responses: { 200: { description: 'Card', schema: rateCardResponse } },
    handler: async (ctx, { params }) => {
      ctx.body = { card: await one(params.id) };
    },
  });
  t.add({
    method: 'post', path: '/costs/rate-cards', tag: 'costs', summary: 'Add a dated rate card', access: access.can('create', 'RateCard'),
    body: rateCardBody, responses: { 201: { description: 'Added', schema: rateCardResponse } },
    handler: async (ctx, { body }) => {
      const id = await createRateCard(s, actorOf(ctx), body);
      ctx.status = 201;
      ctx.body = { card: await one(id) };
    },
  });
  t.add({
    method: 'put', path: '/costs/rate-cards/:id', tag: 'costs', summary: 'Change a rate card not yet in force', access: access.can('update', 'RateCard'),
    params: idParams, body: rateCardBody, responses: { 200: { description: 'Changed', schema: rateCardResponse } },
    handler: async (ctx, { params, body }) => {
      await updateRateCard(s, actorOf(ctx), params.id, body);
      ctx.body = { card: await one(params.id) };
    },
  });
  t.add({
    method: 'delete', path: '/costs/rate-cards/:id', tag: 'costs', summary: 'Delete a rate card not yet in force', access: access.can('delete', 'RateCard'),
    params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      await deleteRateCard(s, actorOf(ctx), params.id);
      ctx.status = 204;
    },
  });
}
