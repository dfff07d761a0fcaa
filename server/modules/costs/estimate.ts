import type { PricingCategory, RateCard } from './repo';

export type EstimateLine = { country: string | null; category: PricingCategory; count: number };
export type PricedLine = EstimateLine & {
  /** The card's price of one message, null when the card has no price for it (nor a '*' one). */
  unitPrice: number | null;
  amount: number | null;
};
export type Estimate = { rateCardId: string | null; effectiveFrom: string | null; currency: string | null; lines: PricedLine[]; total: number; unpriced: number };

// Prices have six decimals; sums are made in millionths so that 10,000 × 0.0125 is exactly 125.
const MICROS = 1_000_000;
const micros = (n: number): number => Math.round(n * MICROS);

/** The price of one message to `country` in `category`, falling back to the card's '*' price. */
export function unitPrice(card: RateCard, country: string | null, category: PricingCategory): number | null {
  return (country ? card.prices.get(`${country}:${category}`) : undefined) ?? card.prices.get(`*:${category}`) ?? null;
}

/** Prices counts of messages per country and category with a card; lines it cannot price are counted in `unpriced`. */
export function estimateCost(card: RateCard | null, lines: EstimateLine[]): Estimate {
  let total = 0;
  let unpriced = 0;
  const priced = lines.map((line): PricedLine => {
    const price = card ? unitPrice(card, line.country, line.category) : null;
    if (price === null) {
      unpriced += line.count;
      return { ...line, unitPrice: null, amount: null };
    }
    const amount = micros(price) * line.count;
    total += amount;
    return { ...line, unitPrice: price, amount: amount / MICROS };
  });
  return { rateCardId: card?.id ?? null, effectiveFrom: card?.effectiveFrom ?? null, currency: card?.currency ?? null, lines: priced, total: total / MICROS, unpriced };
}
