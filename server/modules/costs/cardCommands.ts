import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { dayOf } from './costing';
import { cardOnDate, deleteRateCardRow, insertRateCard, lockRateCard, replaceRateCard } from './repo';
import type { RateCardInput } from './schema';

const taken = () => errors.taken('Another rate card starts on this date.', 'body.effectiveFrom');
/** What the audit keeps of a card: its date and currency (the subject's label), and how many prices. */
const audited = (input: RateCardInput) => ({ name: `${input.effectiveFrom} (${input.currency})`, effectiveFrom: input.effectiveFrom, currency: input.currency, prices: input.prices.length });

/** Adds a dated card. Any date: the first card usually starts before today (Meta's published rates). */
export async function createRateCard(s: Services, actor: Actor, input: RateCardInput): Promise<string> {
  return s.db.transaction(async (trx) => {
    if (await cardOnDate(trx, input.effectiveFrom)) {
      throw taken();
    }
    const id = await insertRateCard(trx, { ...input, createdBy: actor.id });
    await s.audit.appendIn(trx, actor, [{ action: 'rate_card.created', subjectType: 'RateCard', subjectId: id, details: audited(input) }]);
    return id;
  });
}

/**
 * Loads a card that may still change: one that starts after today. A card in force, or past,
 * priced messages already, so it is refused (409, audited as a denied change).
 */
async function lockFutureCard(s: Services, actor: Actor, trx: Parameters<typeof lockRateCard>[0], id: string, action: 'update' | 'delete') {
  const card = await lockRateCard(trx, id);
  if (!card) {
    throw errors.notFound('Rate card');
  }
  if (card.effective_from <= dayOf(s.clock())) {
    await s.audit.record(actor, { action: 'access.denied', subjectType: 'RateCard', subjectId: id, details: { reason: 'rate_card_in_force', permission: `RateCard:${action}` } });
    throw errors.rateCardInForce(card.effective_from);
  }
  return card;
}

/** Replaces a future card's date, currency, note and prices. */
export async function updateRateCard(s: Services, actor: Actor, id: string, input: RateCardInput): Promise<void> {
  await s.db.transaction(async (trx) => {
    await lockFutureCard(s, actor, trx, id, 'update');
    if (await cardOnDate(trx, input.effectiveFrom, id)) {
      throw taken();
    }
    await replaceRateCard(trx, id, input);
    await s.audit.appendIn(trx, actor, [{ action: 'rate_card.updated', subjectType: 'RateCard', subjectId: id, details: audited(input) }]);
  });
}

/** Deletes a future card. */
export async function deleteRateCard(s: Services, actor: Actor, id: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    const card = await lockFutureCard(s, actor, trx, id, 'delete');
    await deleteRateCardRow(trx, id);
    await s.audit.appendIn(trx, actor, [{ action: 'rate_card.deleted', subjectType: 'RateCard', subjectId: id, details: { name: `${card.effective_from} (${card.currency.trim()})`, effectiveFrom: card.effective_from } }]);
  });
}
