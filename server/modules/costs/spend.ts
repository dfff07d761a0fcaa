import type { Db } from '../../db/knex';
import { currentSettings } from '../settings';
import { broadcastNames, budgetAlertsOf, channelNames, spendBy, spentIn } from './costRepo';
import { monthRange } from './costing';
import { presentBudgetAlert, presentSpendLine } from './present';
import type { SpendReport } from './schema';

// Millionths, as the estimate does: sums of six-decimal prices stay exact.
const MICROS = 1_000_000;

/** The spend of one month (UTC): totals per currency, by number, category, country and broadcast, and the budget. */
export async function spendReport(db: Db, month: string): Promise<SpendReport> {
  const { from, to } = monthRange(month);
  const [byChannel, byCategory, byCountry, byBroadcast] = await Promise.all([
    spendBy(db, 'channel', from, to), spendBy(db, 'category', from, to), spendBy(db, 'country', from, to), spendBy(db, 'broadcast', from, to),
  ]);
  const keys = (rows: typeof byChannel) => rows.flatMap((r) => (r.key ? [r.key] : []));
  const [names, broadcasts] = await Promise.all([channelNames(db, keys(byChannel)), broadcastNames(db, keys(byBroadcast))]);
  const totals = new Map<string | null, { currency: string | null; amount: number; messages: number; unpriced: number; free: number }>();
  for (const line of byChannel.map((r) => presentSpendLine(r))) {
    const t = totals.get(line.currency) ?? { currency: line.currency, amount: 0, messages: 0, unpriced: 0, free: 0 };
    t.amount = (Math.round(t.amount * MICROS) + Math.round(line.amount * MICROS)) / MICROS;
    t.messages += line.messages;
    t.unpriced += line.unpriced;
    t.free += line.free;
    totals.set(line.currency, t);
  }
  const settings = await currentSettings(db);
  const b = settings.monthlyBudget;
  const spent = b ? await spentIn(db, b.currency, from, to) : 0;
  return {
    month,
    totals: [...totals.values()],
    byNumber: byChannel.map((r) => presentSpendLine(r, names)),
    byCategory: byCategory.map((r) => presentSpendLine(r)),
    byCountry: byCountry.map((r) => presentSpendLine(r)),
    byBroadcast: byBroadcast.map((r) => presentSpendLine(r, broadcasts)),
    budget: b ? { amount: b.amount, currency: b.currency, alertPercent: settings.budgetAlertPercent, spent, percentUsed: Math.round((spent / b.amount) * 1000) / 10 } : null,
    alerts: (await budgetAlertsOf(db, `${month}-01`)).map(presentBudgetAlert),
  };
}
