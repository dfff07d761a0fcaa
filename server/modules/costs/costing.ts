// How one sent message is costed: Meta's `pricing` object says whether it is billable and in
// which category; the rate card in force on the message's day says the price for its country.
import type { CostCandidate, CostRow } from './costRepo';
import { unitPrice } from './estimate';
import { PRICING_CATEGORIES, type PricingCategory, type RateCard } from './repo';

const isCardCategory = (c: string | undefined): c is PricingCategory => (PRICING_CATEGORIES as readonly string[]).includes(c ?? '');

/**
 * The cost of one message. Not billable (Meta's `billable: false`, or a `free_*` type) costs 0;
 * a billable one the card cannot price (no card, no price for its country nor '*', or a category
 * the card does not list, e.g. authentication_international) is stored unpriced: null, never a guess.
 */
export function costOf(m: CostCandidate, card: RateCard | null): CostRow {
  const p = m.pricing;
  const billable = p.billable !== false && !(p.type ?? '').startsWith('free_');
  const category = p.category ?? null;
  let amount: number | null = 0;
  if (billable) {
    amount = card && isCardCategory(p.category) ? unitPrice(card, m.country, p.category) : null;
  }
  return {
    message_id: m.id,
    message_created_at: m.created_at,
    channel_id: m.channel_id,
    country: m.country,
    category,
    billable,
    pricing_model: p.pricingModel ?? null,
    pricing_type: p.type ?? null,
    amount,
    currency: card?.currency ?? null,
    rate_card_id: card?.id ?? null,
    broadcast_id: m.broadcast_id,
  };
}

/** The first instant of a month ('2026-12') and of the next, in UTC. */
export function monthRange(month: string): { from: Date; to: Date } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: new Date(Date.UTC(y, m - 1, 1)), to: new Date(Date.UTC(y, m, 1)) };
}

/** The UTC month ('2026-12') of an instant. */
export const monthOf = (at: Date): string => at.toISOString().slice(0, 7);

/** The UTC day ('2026-12-02') of an instant. */
export const dayOf = (at: Date): string => at.toISOString().slice(0, 10);
