// The monthly budget's alerts. Costing runs on the webhook's path, so it must not sum a whole
// month of costs for every status: each process keeps a tally of the month's spend, read exactly
// at most every RESYNC_MS and otherwise advanced by what this process costed. The tally only
// says when to look; an alert is raised on an exact sum, once per month and threshold.
import type { Db } from '../../db/knex';
import { systemActor } from '../../lib/actor';
import type { Services } from '../../services';
import { publishNotice } from '../inbox';
import { currentSettings, type Settings } from '../settings';
import { budgetAlertsOf, insertBudgetAlert, spentIn } from './costRepo';
import { monthRange } from './costing';

// Other processes' costs reach this tally within this long (their own alerts are raised by them).
const RESYNC_MS = 10_000;
const MICROS = 1_000_000;

type Budget = NonNullable<Settings['monthlyBudget']>;
type Tally = { key: string; spent: number; readAt: number; fired: Set<number> };

// Per database (tests run several apps in one process), per month.
const tallies = new WeakMap<Db, Map<string, Tally>>();

const thresholdsOf = (settings: Settings) => [...new Set([settings.budgetAlertPercent, 100])].sort((a, b) => a - b);

/**
 * Checks a month's budget after costing: `added` is what was just costed, per currency. With
 * `exact`, the tally is read again first (the sweep job does, so a threshold passed by costs of
 * several processes together is not missed).
 */
export async function checkBudget(s: Services, month: string, added: Map<string, number>, exact = false): Promise<void> {
  const settings = await currentSettings(s.db);
  const budget = settings.monthlyBudget;
  if (!budget) {
    return;
  }
  const thresholds = thresholdsOf(settings);
  const key = `${budget.currency}:${budget.amount}:${thresholds.join(',')}`;
  const perDb = tallies.get(s.db) ?? new Map<string, Tally>();
  tallies.set(s.db, perDb);
  let tally = perDb.get(month);
  const now = Date.now();
  if (exact || !tally || tally.key !== key || now - tally.readAt >= RESYNC_MS) {
    const { from, to } = monthRange(month);
    const fired = (await budgetAlertsOf(s.db, `${month}-01`)).map((a) => a.threshold_percent);
    tally = { key, spent: await spentIn(s.db, budget.currency, from, to), readAt: now, fired: new Set(fired) };
    perDb.set(month, tally);
  } else {
    tally.spent = (Math.round(tally.spent * MICROS) + Math.round((added.get(budget.currency) ?? 0) * MICROS)) / MICROS;
  }
  const spent = tally.spent;
  if (thresholds.some((t) => !tally.fired.has(t) && spent * 100 >= budget.amount * t)) {
    await raiseAlerts(s, month, budget, thresholds, tally);
  }
}

/**
 * Raises the alerts the month's exact spend has reached: the alert threshold, then 100%, each once
 * per month (budget_alerts' key), as an audit event flagged as an alert and a live notice to those
 * who read spend, all in one transaction.
 */
async function raiseAlerts(s: Services, month: string, budget: Budget, thresholds: number[], tally: Tally): Promise<void> {
  const { from, to } = monthRange(month);
  await s.db.transaction(async (trx) => {
    const spent = await spentIn(trx, budget.currency, from, to);
    tally.spent = spent;
    for (const threshold of thresholds.filter((t) => spent * 100 >= budget.amount * t)) {
      tally.fired.add(threshold);
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
