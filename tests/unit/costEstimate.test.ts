import { expect } from 'chai';
import { estimateCost, unitPrice, type RateCard } from '../../server/modules/costs';

const card: RateCard = {
  id: 'card', effectiveFrom: '2026-07-01', currency: 'EUR', note: '',
  prices: new Map([['FR:marketing', 0.0859], ['FR:utility', 0.03], ['*:marketing', 0.0625]]),
};

describe('cost estimate from a rate card', () => {
  it("uses the country's price, then the card's '*' price, and counts what it cannot price", () => {
    expect(unitPrice(card, 'FR', 'marketing')).to.equal(0.0859);
    expect(unitPrice(card, 'DE', 'marketing')).to.equal(0.0625);
    expect(unitPrice(card, null, 'marketing')).to.equal(0.0625);
    expect(unitPrice(card, 'DE', 'utility')).to.equal(null);
    const e = estimateCost(card, [
      { country: 'FR', category: 'marketing', count: 10_000 },
      { country: 'DE', category: 'marketing', count: 3 },
      { country: 'DE', category: 'utility', count: 7 },
    ]);
    expect(e.lines.map((l) => l.amount)).to.deep.equal([859, 0.1875, null]);
    // Summed in millionths: no floating-point drift in the total.
    expect(e.total).to.equal(859.1875);
    expect(e.unpriced).to.equal(7);
    expect(e.currency).to.equal('EUR');
  });

  it('prices nothing without a card', () => {
    const e = estimateCost(null, [{ country: 'FR', category: 'utility', count: 5 }]);
    expect(e).to.include({ rateCardId: null, total: 0, unpriced: 5 });
  });
});
