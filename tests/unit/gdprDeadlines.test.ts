import { expect } from 'chai';
import fc from 'fast-check';
import { addMonths, daysLeft, dueAfterReceipt } from '../../server/modules/gdpr/deadlines';

describe('GDPR deadlines', () => {
  it('adds calendar months, clamping to the last day of a shorter month', () => {
    expect(dueAfterReceipt(new Date('2026-01-31T10:00:00Z')).toISOString()).to.equal('2026-02-28T10:00:00.000Z');
    expect(dueAfterReceipt(new Date('2028-01-31T10:00:00Z')).toISOString()).to.equal('2028-02-29T10:00:00.000Z');
    expect(addMonths(new Date('2026-12-15T00:00:00Z'), 2).toISOString()).to.equal('2027-02-15T00:00:00.000Z');
    expect(addMonths(new Date('2026-03-31T23:59:00Z'), 1).toISOString()).to.equal('2026-04-30T23:59:00.000Z');
  });

  it('always lands 28 to 31 days per month later, in the month that many months on, at the same time of day', () => {
    fc.assert(fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), fc.integer({ min: 1, max: 3 }), (at, n) => {
      const due = addMonths(at, n);
      const days = (due.getTime() - at.getTime()) / 86_400_000;
      expect(days).to.be.within(28 * n, 31 * n);
      expect((due.getUTCFullYear() * 12 + due.getUTCMonth()) - (at.getUTCFullYear() * 12 + at.getUTCMonth())).to.equal(n);
      expect(due.getUTCHours() * 3600 + due.getUTCMinutes() * 60 + due.getUTCSeconds()).to.equal(at.getUTCHours() * 3600 + at.getUTCMinutes() * 60 + at.getUTCSeconds());
    }));
  });

  it('counts whole days left, negative once overdue', () => {
    const now = new Date('2026-05-10T12:00:00Z');
    expect(daysLeft(new Date('2026-05-15T12:00:00Z'), now)).to.equal(5);
    expect(daysLeft(new Date('2026-05-10T18:00:00Z'), now)).to.equal(0);
    expect(daysLeft(new Date('2026-05-09T12:00:00Z'), now)).to.equal(-1);
  });
});
