import { expect } from 'chai';
import { costOf, monthRange } from '../../server/modules/costs/costing';
import type { CostCandidate } from '../../server/modules/costs/costRepo';
import type { RateCard } from '../../server/modules/costs';

const card: RateCard = { id: 'card', effectiveFrom: '2026-07-01', currency: 'EUR', note: '', prices: new Map([['DE:marketing', 0.1365], ['*:utility', 0.004]]) };
const message = (pricing: CostCandidate['pricing'], country: string | null = 'DE'): CostCandidate => ({
  id: 'm', created_at: new Date('2026-07-02T10:00:00Z'), channel_id: 'c', country, pricing, broadcast_id: null,
});

describe('costing one message', () => {
  it("prices a billable message with its country's price, else the card's '*' price", () => {
    expect(costOf(message({ billable: true, category: 'marketing', type: 'regular' }), card)).to.include({ amount: 0.1365, currency: 'EUR', rate_card_id: 'card', billable: true });
    expect(costOf(message({ billable: true, category: 'utility' }, 'US'), card)).to.include({ amount: 0.004 });
  });

  it('costs 0 what Meta does not bill: billable false, or a free_* type', () => {
    expect(costOf(message({ billable: false, category: 'service', type: 'free_customer_service' }), card)).to.include({ amount: 0, billable: false });
    expect(costOf(message({ category: 'utility', type: 'free_entry_point' }), null)).to.include({ amount: 0, billable: false, currency: null });
  });

  it('leaves unpriced (null), never guessed: no card, no price, no category, or a category cards do not list', () => {
    expect(costOf(message({ billable: true, category: 'marketing' }), null).amount).to.equal(null);
    expect(costOf(message({ billable: true, category: 'authentication' }), card)).to.include({ amount: null, currency: 'EUR' });
    expect(costOf(message({ billable: true }), card)).to.include({ amount: null, category: null });
    expect(costOf(message({ billable: true, category: 'authentication_international' }), card)).to.include({ amount: null, category: 'authentication_international' });
  });

  it('bounds a month in UTC, December included', () => {
    expect(monthRange('2026-12')).to.deep.equal({ from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') });
    expect(monthRange('2027-02')).to.deep.equal({ from: new Date('2027-02-01T00:00:00Z'), to: new Date('2027-03-01T00:00:00Z') });
  });
});
