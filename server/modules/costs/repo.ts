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

export type CardListRow = { id: string; effective_from: string; currency: string; note: string; created_at: Date; created_by_email: string | null; prices: Array<{ country: string; category: PricingCategory; price: string }> };

/** Every card, newest date first, with its prices and who made it. */
export async function listRateCards(db: Db | Trx, id?: string): Promise<CardListRow[]> {
  const q = db('rate_cards as rc')
    .leftJoin('users as u', 'u.id', 'rc.created_by')
    .select('rc.id', db.raw(`to_char(rc.effective_from, 'YYYY-MM-DD') as effective_from`), 'rc.currency', 'rc.note', 'rc.created_at', 'u.email as created_by_email')
    .select(db.raw(`COALESCE((SELECT json_agg(json_build_object('country', p.country, 'category', p.category, 'price', p.price::text) ORDER BY p.country, p.category)
                      FROM rate_card_prices p WHERE p.rate_card_id = rc.id), '[]') AS prices`))
    .orderBy('rc.effective_from', 'desc');
  if (id) {
    q.where('rc.id', id);
  }
  return q;
}

/** A card's date, locked for the rest of the transaction (an edit and a delete do not cross). */
export async function lockRateCard(trx: Trx, id: string): Promise<{ id: string; effective_from: string; currency: string } | undefined> {
  return trx('rate_cards').where({ id }).forUpdate().first('id', trx.raw(`to_char(effective_from, 'YYYY-MM-DD') as effective_from`), 'currency');
}

/** Whether another card starts on that day (one card per date). */
export async function cardOnDate(db: Db | Trx, day: string, exceptId?: string): Promise<boolean> {
  const q = db('rate_cards').where('effective_from', day);
  if (exceptId) {
    q.whereNot('id', exceptId);
  }
  return (await q.first('id')) !== undefined;
}

/** Replaces a card's date, currency, note and every price. */
export async function replaceRateCard(trx: Trx, id: string, card: Omit<NewRateCard, 'createdBy'>): Promise<void> {
  await trx('rate_cards').where({ id }).update({ effective_from: card.effectiveFrom, currency: card.currency, note: card.note ?? '', updated_at: trx.fn.now() });
  await trx('rate_card_prices').where('rate_card_id', id).delete();
  if (card.prices.length > 0) {
    await trx('rate_card_prices').insert(card.prices.map((p) => ({ rate_card_id: id, country: p.country, category: p.category, price: p.price })));
  }
}

export async function deleteRateCardRow(trx: Trx, id: string): Promise<void> {
  await trx('rate_cards').where({ id }).delete();
}
