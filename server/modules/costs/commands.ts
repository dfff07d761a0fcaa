import { systemActor } from '../../lib/actor';
import type { Services } from '../../services';
import { publishNotice } from '../inbox';
import { currentSettings } from '../settings';
import { insertBudgetAlert, insertCosts, pricedUncosted, spentIn, uncostedMessages, type CostRow } from './costRepo';
import { costOf, dayOf, monthOf, monthRange } from './costing';
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
  const months = await s.db.transaction(async (trx) => {
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
  for (const month of new Set(months.map(monthOf))) {
    await checkBudget(s, month);
  }
}

/**
 * Raises the budget alerts a month's spend has reached: the alert threshold, then 100%, each once
 * per month (budget_alerts' key), as an audit event flagged as an alert and a live notice to those
 * who read spend. Its own transaction, after the costs are committed, so the last costing of a
 * burst sees every cost before it.
 */
export async function checkBudget(s: Services, month: string): Promise<void> {
  const settings = await currentSettings(s.db);
  const budget = settings.monthlyBudget;
  if (!budget) {
    return;
  }
  const { from, to } = monthRange(month);
  const thresholds = [...new Set([settings.budgetAlertPercent, 100])].sort((a, b) => a - b);
  await s.db.transaction(async (trx) => {
    const spent = await spentIn(trx, budget.currency, from, to);
    for (const threshold of thresholds) {
      if (spent * 100 < budget.amount * threshold) {
        break;
      }
      if (await insertBudgetAlert(trx, { month: `${month}-01`, thresholdPercent: threshold, budget: budget.amount, spent, currency: budget.currency })) {
        await s.audit.appendIn(trx, systemActor, [{
          action: 'costs.budget_threshold_reached', subjectType: 'Cost',
          details: { name: `${month} · ${threshold}%`, month, thresholdPercent: threshold, budget: budget.amount, spent, currency: budget.currency, alert: true },
        }]);
        await publishNotice(trx, { type: 'costs.budget_threshold', month, thresholdPercent: threshold });
      }
    }
  });
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
  return seen;
}
