import type { Db, Trx } from '../../db/knex';
import { newId } from '../../lib/ids';

export const PRICING_CATEGORIES = ['marketing', 'utility', 'authentication', 'service'] as const;
export type PricingCategory = (typeof PRICING_CATEGORIES)[number];

export type RateCard = {
  id: string;
  effectiveFrom: string;
  currency: string;
  note: string;
  /** Price of one message, keyed `${country}:${category}`; country '*' stands for every other. */
  prices: Map<string, number>;
};

type CardRow = { id: string; effective_from: string; currency: string; note: string };

async function withPrices(db: Db | Trx, card: CardRow): Promise<RateCard> {
  const rows: Array<{ country: string; category: string; price: string }> = await db('rate_card_prices').where('rate_card_id', card.id).select('country', 'category', 'price');
  return {
    id: card.id, effectiveFrom: card.effective_from, currency: card.currency.trim(), note: card.note,
    prices: new Map(rows.map((r) => [`${r.country}:${r.category}`, Number(r.price)])),
  };
}

/** The card in force on `at` (a UTC day): the latest one effective on or before it. */
export async function rateCardAt(db: Db | Trx, at: Date): Promise<RateCard | null> {
  const day = at.toISOString().slice(0, 10);
  const card: CardRow | undefined = await db('rate_cards')
    .where('effective_from', '<=', day)
    .orderBy('effective_from', 'desc')
    .first('id', db.raw(`to_char(effective_from, 'YYYY-MM-DD') as effective_from`), 'currency', 'note');
  return card ? withPrices(db, card) : null;
}

export type NewRateCard = {
  effectiveFrom: string;
  currency: string;
  note?: string;
  prices: Array<{ country: string; category: PricingCategory; price: number }>;
  createdBy: string | null;
};

/** Stores a dated card with its prices (in the caller's transaction). */
export async function insertRateCard(trx: Trx, card: NewRateCard): Promise<string> {
  const id = newId();
  await trx('rate_cards').insert({ id, effective_from: card.effectiveFrom, currency: card.currency, note: card.note ?? '', created_by: card.createdBy });
  if (card.prices.length > 0) {
    await trx('rate_card_prices').insert(card.prices.map((p) => ({ rate_card_id: id, country: p.country, category: p.category, price: p.price })));
  }
  return id;
}
