import { expect } from 'chai';
import { costsSweep } from '../../server/jobs/costsSweep';
import { JOBS } from '../../server/jobs/worker';
import { newId } from '../../server/lib/ids';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { SseClient } from '../support/sse';
import { addChannel, inbound, postWebhook, statusUpdate, wamid, type TestChannel } from '../support/whatsapp';

const DE = '4915112340001';
const FR = '33612340002';
const pricing = (category: string, billable = true, type = 'regular') => ({ pricing: { billable, pricing_model: 'PMP', category, type } });

/** UTC dates relative to this month, so the test reads the same whatever month it runs in. */
const now = new Date();
const monthStart = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
const dayIn = (offset: number, day: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, day, 12));
const ymd = (d: Date) => d.toISOString().slice(0, 10);
const previousMonth = monthStart(-1).toISOString().slice(0, 7);
const thisMonth = monthStart(0).toISOString().slice(0, 7);

describe('costs: rate cards, per-message costs from status webhooks, spend and the monthly budget', () => {
  let app: TestApp;
  let admin: ApiClient;
  let channel: TestChannel;
  const db = () => app.runtime.services.db;
  const cardA = { effectiveFrom: ymd(monthStart(-2)), currency: 'EUR', prices: [
    { country: 'DE', category: 'marketing', price: 0.12 }, { country: 'DE', category: 'utility', price: 0.05 }, { country: '*', category: 'marketing', price: 0.1 },
  ] };
  const cardB = { effectiveFrom: ymd(dayIn(-1, 15)), currency: 'EUR', note: 'Meta, from the 15th', prices: [
    { country: 'DE', category: 'marketing', price: 0.45 }, { country: 'DE', category: 'utility', price: 0.06 }, { country: '*', category: 'marketing', price: 0.11 },
  ] };
  let cardAId: string;

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    channel = await addChannel(admin);
    for (const from of [DE, FR]) {
      expect(await postWebhook(app.url, channel.appSecret, inbound(channel, from, { type: 'text', text: { body: 'hello' } }))).to.equal(200);
    }
    const a = await admin.post('/api/v1/costs/rate-cards', cardA);
    expect(a.status, JSON.stringify(a.body)).to.equal(201);
    cardAId = a.body.card.id;
    expect((await admin.post('/api/v1/costs/rate-cards', cardB)).status).to.equal(201);
  });
  after(async () => app.stop());

  /** An outbound message as the sender leaves it (a row with its wamid), sent at `createdAt`, maybe for a broadcast. */
  async function sent(to: string, createdAt: Date, broadcastId: string | null = null): Promise<{ id: string; wamid: string }> {
    const w = wamid();
    const conv = await db()('conversations').join('contacts', 'contacts.id', 'conversations.contact_id').where('contacts.wa_id', to).where('conversations.channel_id', channel.id)
      .first('conversations.id', 'conversations.contact_id');
    const id = newId();
    await db()('messages').insert({ id, created_at: createdAt, conversation_id: conv.id, channel_id: channel.id, contact_id: conv.contact_id, direction: 'out', wamid: w, type: 'template', text: 'offer', author_type: 'broadcast', status: 'queued', status_times: JSON.stringify({}) });
    await db()('message_wamids').insert({ wamid: w, message_id: id, message_created_at: createdAt });
    await db()('outbox').insert({ id: newId(), message_id: id, message_created_at: createdAt, channel_id: channel.id, to_wa_id: to, payload: JSON.stringify({}), state: 'sent', broadcast_id: broadcastId });
    return { id, wamid: w };
  }
  const status = async (to: string, w: string, s: string, extra: Record<string, unknown>) => {
    expect(await postWebhook(app.url, channel.appSecret, statusUpdate(channel, w, s, to, extra))).to.equal(200);
  };
  const costOf = (id: string) => db()('message_costs').where({ message_id: id }).first();

  it("costs a message once, with the price of the card in force on the message's day; free is 0, unpriced is counted", async () => {
    const broadcastId = newId();
    const early = await sent(DE, dayIn(-1, 10));
    const late = await sent(DE, dayIn(-1, 20));
    const restOfWorld = await sent(FR, dayIn(-1, 20));
    const free = await sent(FR, dayIn(-1, 21));
    const unpriced = await sent(DE, dayIn(-1, 21));
    const inBroadcast = await sent(FR, dayIn(-1, 22), broadcastId);
    // Meta sends pricing on sent and on delivered (or read), and retries: the message is costed once.
    await status(DE, early.wamid, 'sent', pricing('marketing'));
    await status(DE, early.wamid, 'delivered', pricing('marketing'));
    await status(DE, early.wamid, 'sent', pricing('marketing'));
    await status(DE, late.wamid, 'read', pricing('marketing'));
    await status(FR, restOfWorld.wamid, 'sent', pricing('marketing'));
    await status(FR, free.wamid, 'sent', pricing('service', false, 'free_customer_service'));
    await status(DE, unpriced.wamid, 'sent', pricing('authentication'));
    await status(FR, inBroadcast.wamid, 'delivered', pricing('marketing'));
    // A status without pricing costs nothing.
    const none = await sent(DE, dayIn(-1, 23));
    await status(DE, none.wamid, 'sent', {});

    expect(await db()('message_costs').where({ message_id: early.id }).count('* as n').first()).to.deep.equal({ n: 1 });
    const earlyCost = await costOf(early.id);
    expect(Number(earlyCost.amount)).to.equal(0.12);
    expect(earlyCost.rate_card_id).to.equal(cardAId);
    expect(earlyCost).to.include({ country: 'DE', category: 'marketing', billable: true, pricing_model: 'PMP', channel_id: channel.id });
    expect(Number((await costOf(late.id)).amount)).to.equal(0.45);
    expect(Number((await costOf(restOfWorld.id)).amount)).to.equal(0.11);
    expect(await costOf(free.id)).to.include({ billable: false, amount: '0.000000' });
    expect(await costOf(unpriced.id)).to.include({ amount: null, category: 'authentication' });
    expect(await costOf(inBroadcast.id)).to.include({ broadcast_id: broadcastId, amount: '0.110000' });
    expect(await costOf(none.id)).to.equal(undefined);

    const spend = await admin.get(`/api/v1/costs/spend?month=${previousMonth}`);
    expect(spend.status).to.equal(200);
    expect(spend.body.totals).to.deep.equal([{ currency: 'EUR', amount: 0.79, messages: 6, unpriced: 1, free: 1 }]);
    expect(spend.body.byNumber).to.have.length(1);
    expect(spend.body.byNumber[0]).to.include({ key: channel.id, amount: 0.79, messages: 6 });
    expect(spend.body.byNumber[0].label).to.contain('Number');
    const by = (lines: Array<{ key: string; amount: number; messages: number; unpriced: number }>) => Object.fromEntries(lines.map((l) => [l.key, [l.amount, l.messages, l.unpriced]]));
    expect(by(spend.body.byCountry)).to.deep.equal({ DE: [0.57, 3, 1], FR: [0.22, 3, 0] });
    expect(by(spend.body.byCategory)).to.deep.equal({ marketing: [0.79, 4, 0], service: [0, 1, 0], authentication: [0, 1, 1] });
    expect(by(spend.body.byBroadcast)).to.deep.equal({ [broadcastId]: [0.11, 1, 0] });
    const csv = await admin.get(`/api/v1/costs/spend.csv?month=${previousMonth}`);
    expect(csv.headers.get('content-type')).to.contain('text/csv');
    const csvLines = String(csv.body).trim().split('\n');
    expect(csvLines[0]).to.equal('month,by,key,label,currency,amount,messages,unpriced,free');
    expect(csvLines).to.include(`${previousMonth},country,DE,DE,EUR,0.570000,3,1,0`);
    expect(csvLines).to.include(`${previousMonth},broadcast,${broadcastId},${broadcastId},EUR,0.110000,1,0,0`);
    // Another month is empty.
    const other = await admin.get(`/api/v1/costs/spend?month=${ymd(monthStart(-3)).slice(0, 7)}`);
    expect(other.body.totals).to.deep.equal([]);
    expect((await admin.get('/api/v1/costs/spend?month=2026-13')).body.error.id).to.equal('validation_failed');
  });

  it('alerts once per month at the alert threshold and again at 100%, in the audit log, live, and on the spend report', async () => {
    const patched = await admin.patch('/api/v1/settings', { monthlyBudget: { amount: 1, currency: 'EUR' }, budgetAlertPercent: 80 });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    const supervisor = await app.userWithRoles(['supervisor']);
    const agent = await app.userWithRoles(['agent']);
    const [adminLive, supervisorLive, agentLive] = await Promise.all([admin, supervisor.client, agent.client].map((c) => SseClient.connect(app.url, c)));
    const alerts = () => db()('audit_events').where({ action: 'costs.budget_threshold_reached' }).orderBy('seq');
    try {
      // Card B prices today's DE marketing at 0.45: 45%, 90% (80% passed), 135% (100% passed), 180%.
      const spentAfter: number[] = [];
      for (let i = 0; i < 4; i += 1) {
        const m = await sent(DE, new Date());
        await status(DE, m.wamid, 'sent', pricing('marketing'));
        spentAfter.push((await alerts()).length);
      }
      expect(spentAfter).to.deep.equal([0, 1, 2, 2]);
      const events = await alerts();
      expect(events.map((e) => e.details.thresholdPercent)).to.deep.equal([80, 100]);
      expect(events[0].details).to.include({ month: thisMonth, budget: 1, spent: 0.9, currency: 'EUR', alert: true });
      expect(events[0].actor_type).to.equal('system');
      await adminLive.waitFor('costs.budget_threshold', (d) => d.thresholdPercent === 100 && d.month === thisMonth);
      await supervisorLive.waitFor('costs.budget_threshold', (d) => d.thresholdPercent === 80);
      // Agents do not read spend: nothing reached them (the admin's stream got both, so theirs had the time to).
      await adminLive.waitFor('costs.budget_threshold', (d) => d.thresholdPercent === 80);
      expect(agentLive.received('costs.budget_threshold')).to.deep.equal([]);

      const spend = await supervisor.client.get('/api/v1/costs/spend');
      expect(spend.body.month).to.equal(thisMonth);
      expect(spend.body.budget).to.deep.equal({ amount: 1, currency: 'EUR', alertPercent: 80, spent: 1.8, percentUsed: 180 });
      expect(spend.body.alerts.map((a: { thresholdPercent: number; spent: number }) => [a.thresholdPercent, a.spent])).to.deep.equal([[80, 0.9], [100, 1.35]]);
    } finally {
      [adminLive, supervisorLive, agentLive].forEach((c) => c.close());
    }
  });

  it('costs, in the sweep job, a message whose priced status was parked and applied later by the sender, and raises a threshold passed unseen', async () => {
    // The sender applies a parked status (pricing included) when it learns the wamid: no webhook costs it then.
    const m = await sent(FR, new Date());
    await db()('messages').where({ id: m.id }).update({ status: 'sent', pricing: JSON.stringify({ billable: true, pricingModel: 'PMP', category: 'marketing', type: 'regular' }) });
    expect(await costOf(m.id)).to.equal(undefined);
    await costsSweep.perform(app.runtime.services, {});
    expect(await costOf(m.id)).to.include({ amount: '0.110000', country: 'FR' });
    expect(JOBS.map((j) => j.name), 'the worker schedules it').to.include('costs.sweep');
    // Twice is harmless.
    await costsSweep.perform(app.runtime.services, {});
    expect(await db()('message_costs').where({ message_id: m.id }).count('* as n').first()).to.deep.equal({ n: 1 });
    // A lower alert share set after the spend passed it: the sweep's exact look at the month raises it, once.
    expect((await admin.patch('/api/v1/settings', { budgetAlertPercent: 50 })).status).to.equal(200);
    await costsSweep.perform(app.runtime.services, {});
    await costsSweep.perform(app.runtime.services, {});
    const raised = await db()('audit_events').where({ action: 'costs.budget_threshold_reached' }).orderBy('seq');
    expect(raised.map((e) => e.details.thresholdPercent)).to.deep.equal([80, 100, 50]);
  });

  it('lets admins change and delete only cards not yet in force; past cards are immutable (409, audited)', async () => {
    const future = { effectiveFrom: ymd(monthStart(13)), currency: 'EUR', prices: [{ country: 'DE', category: 'marketing', price: 0.5 }] };
    const created = await admin.post('/api/v1/costs/rate-cards', future);
    expect(created.status).to.equal(201);
    expect(created.body.card).to.include({ editable: true, current: false, createdBy: app.admin.email });
    const id = created.body.card.id;
    const changed = await admin.request('PUT', `/api/v1/costs/rate-cards/${id}`, { ...future, prices: [{ country: 'DE', category: 'marketing', price: 0.55 }, { country: '*', category: 'utility', price: 0.01 }] });
    expect(changed.status).to.equal(200);
    expect(changed.body.card.prices).to.deep.equal([{ country: '*', category: 'utility', price: 0.01 }, { country: 'DE', category: 'marketing', price: 0.55 }]);
    expect(await db()('audit_events').where({ action: 'rate_card.updated', subject_id: id }).first()).to.not.equal(undefined);

    const list = (await admin.get('/api/v1/costs/rate-cards')).body.items as Array<{ id: string; effectiveFrom: string; current: boolean; editable: boolean }>;
    expect(list.map((c) => [c.effectiveFrom, c.current, c.editable])).to.deep.equal([[future.effectiveFrom, false, true], [cardB.effectiveFrom, true, false], [cardA.effectiveFrom, false, false]]);

    const refusedEdit = await admin.request('PUT', `/api/v1/costs/rate-cards/${cardAId}`, cardA);
    expect(refusedEdit.status).to.equal(409);
    expect(refusedEdit.body.error.id).to.equal('rate_card_in_force');
    const refusedDelete = await admin.delete(`/api/v1/costs/rate-cards/${cardAId}`);
    expect(refusedDelete.body.error.id).to.equal('rate_card_in_force');
    await eventually('the refusals audited', async () => (await db()('audit_events').where({ action: 'access.denied', subject_id: cardAId })).length === 2);
    expect((await admin.get(`/api/v1/costs/rate-cards/${cardAId}`)).body.card.prices).to.have.length(3);

    const sameDay = await admin.post('/api/v1/costs/rate-cards', { ...future, prices: [] });
    expect(sameDay.status).to.equal(409);
    expect(sameDay.body.error.details.fields[0].path).to.equal('body.effectiveFrom');
    const twice = await admin.post('/api/v1/costs/rate-cards', { ...future, effectiveFrom: ymd(monthStart(14)), prices: [future.prices[0], future.prices[0]] });
    expect(twice.status).to.equal(400);
    expect(twice.body.error.id).to.equal('validation_failed');
    const badCountry = await admin.post('/api/v1/costs/rate-cards', { ...future, effectiveFrom: ymd(monthStart(14)), prices: [{ country: 'Germany', category: 'marketing', price: 1 }] });
    expect(badCountry.status).to.equal(400);

    expect((await admin.delete(`/api/v1/costs/rate-cards/${id}`)).status).to.equal(204);
    expect((await admin.get(`/api/v1/costs/rate-cards/${id}`)).status).to.equal(404);
    expect(await db()('audit_events').whereIn('action', ['rate_card.created', 'rate_card.deleted']).where({ subject_id: id }).pluck('action')).to.have.members(['rate_card.created', 'rate_card.deleted']);
  });

  it('lets supervisors read spend and cards but not change them; agents see neither', async () => {
    const supervisor = (await app.userWithRoles(['supervisor'])).client;
    const agent = (await app.userWithRoles(['agent'])).client;
    expect((await supervisor.get('/api/v1/costs/spend')).status).to.equal(200);
    expect((await supervisor.get('/api/v1/costs/rate-cards')).status).to.equal(200);
    expect((await supervisor.post('/api/v1/costs/rate-cards', { ...cardA, effectiveFrom: ymd(monthStart(20)) })).status).to.equal(403);
    expect((await supervisor.delete(`/api/v1/costs/rate-cards/${cardAId}`)).status).to.equal(403);
    expect((await agent.get('/api/v1/costs/spend')).status).to.equal(403);
    expect((await agent.get('/api/v1/costs/rate-cards')).status).to.equal(403);
  });
});
