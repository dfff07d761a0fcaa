import type { Services } from '../../services';
import { checkBudget } from './budget';
import { insertCosts, pricedUncosted, uncostedMessages, type CostRow } from './costRepo';
import { costOf, dayOf, monthOf } from './costing';
import { rateCardAt, type RateCard } from './repo';

/**
 * Costs the messages whose status just brought a `pricing` object, once each: Meta sends it on
 * `sent` and again on `delivered` or `read`, and a webhook may be retried, so a message already
 * costed is skipped (and a concurrent insert of the same message is ignored by its key). Then
 * checks the month's budget. Called after the statuses are applied, before Meta hears 200, so a
 * failure is retried with the webhook.
 */
export async function costMessages(s: Services, messages: Array<{ messageId: string; createdAt: Date }>): Promise<void> {
  if (messages.length === 0) {
    return;
  }
  const costed = await s.db.transaction(async (trx) => {
    const candidates = await uncostedMessages(trx, messages);
    const cards = new Map<string, RateCard | null>();
    const rows: CostRow[] = [];
    for (const m of candidates) {
      const day = dayOf(m.created_at);
      if (!cards.has(day)) {
        cards.set(day, await rateCardAt(trx, m.created_at));
      }
      rows.push(costOf(m, cards.get(day)!));
    }
    return insertCosts(trx, rows);
  });
  // What was just costed, per month and currency, for the budget's tally.
  const added = new Map<string, Map<string, number>>();
  for (const c of costed) {
    const month = added.get(monthOf(c.message_created_at)) ?? new Map<string, number>();
    added.set(monthOf(c.message_created_at), month);
    if (c.currency && c.amount !== null) {
      month.set(c.currency.trim(), (month.get(c.currency.trim()) ?? 0) + Number(c.amount));
    }
  }
  for (const [month, amounts] of added) {
    await checkBudget(s, month, amounts);
  }
}

// Statuses are parked only until the send's answer names the wamid (seconds); a day is ample.
const SWEEP_HOURS = 24;
const SWEEP_BATCH = 2000;
// A bound on one run, should a batch ever fail to cost (the next run takes over).
const SWEEP_MAX_BATCHES = 50;

/** Costs what the webhooks could not (see pricedUncosted); returns how many messages it looked at. */
export async function sweepUncosted(s: Services): Promise<number> {
  let seen = 0;
  for (let i = 0; i < SWEEP_MAX_BATCHES; i += 1) {
    const batch = await pricedUncosted(s.db, SWEEP_HOURS, SWEEP_BATCH);
    await costMessages(s, batch);
    seen += batch.length;
    if (batch.length < SWEEP_BATCH) {
      break;
    }
  }
  // An exact look at this month: costs of several processes may have passed a threshold together.
  await checkBudget(s, monthOf(s.clock()), new Map(), true);
  return seen;
}
