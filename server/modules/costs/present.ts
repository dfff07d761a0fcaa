import type { BudgetAlertRow, SpendGroupRow } from './costRepo';
import type { CardListRow } from './repo';

/** A card as the API answers it; `today` (UTC day) says whether it is in force or still editable. */
export function presentRateCard(c: CardListRow, today: string, currentId: string | null) {
  return {
    id: c.id,
    effectiveFrom: c.effective_from,
    currency: c.currency.trim(),
    note: c.note,
    current: c.id === currentId,
    editable: c.effective_from > today,
    prices: c.prices.map((p) => ({ country: p.country, category: p.category, price: Number(p.price) })),
    createdAt: c.created_at.toISOString(),
    createdBy: c.created_by_email,
  };
}

/** One line of a spend grouping, labelled (numbers by name; other keys as they are). */
export function presentSpendLine(r: SpendGroupRow, labels: Map<string, string> = new Map()) {
  const key = r.key ?? '';
  return {
    key,
    label: labels.get(key) ?? key,
    currency: r.currency?.trim() ?? null,
    amount: Number(r.amount ?? 0),
    messages: r.messages,
    unpriced: r.unpriced,
    free: r.free,
  };
}

export function presentBudgetAlert(a: BudgetAlertRow) {
  return { thresholdPercent: a.threshold_percent, budget: Number(a.budget), spent: Number(a.spent), currency: a.currency.trim(), reachedAt: a.reached_at.toISOString() };
}
