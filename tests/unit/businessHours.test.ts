// Business hours: whether a number is open and when it opens next, across time zones,
// daylight-saving changes, holidays and slots that cross midnight; and how the opening reads.
import { expect } from 'chai';
import { formatOpening, instantOf, isOpen, isTimeZone, nextOpening, type Hours, type Slot } from '../../server/modules/autoreply/hours';

const weekdays = (open: string, close: string): Slot[] => ([1, 2, 3, 4, 5] as const).map((day) => ({ day, open, close }));
const paris: Hours = { timeZone: 'Europe/Paris', weekly: weekdays('09:00', '18:00'), holidays: [] };
const at = (iso: string) => new Date(iso);

describe('business hours', () => {
  it('is open inside a slot and closed outside, in the number’s zone, not the server’s', () => {
    // 2026-12-07 is a Monday; Paris is UTC+1 in winter.
    expect(isOpen(paris, at('2026-12-07T08:00:00Z'))).to.equal(true); // 09:00 Paris: opens
    expect(isOpen(paris, at('2026-12-07T07:59:00Z'))).to.equal(false);
    expect(isOpen(paris, at('2026-12-07T16:59:00Z'))).to.equal(true);
    expect(isOpen(paris, at('2026-12-07T17:00:00Z'))).to.equal(false); // 18:00: closed (end excluded)
    const tokyo: Hours = { ...paris, timeZone: 'Asia/Tokyo' };
    // 09:00 in Tokyo is 00:00 UTC; 08:00 UTC is 17:00 there.
    expect(isOpen(tokyo, at('2026-12-07T00:00:00Z'))).to.equal(true);
    expect(isOpen(tokyo, at('2026-12-07T09:00:00Z'))).to.equal(false);
    const ny: Hours = { ...paris, timeZone: 'America/New_York' };
    expect(isOpen(ny, at('2026-12-07T14:00:00Z'))).to.equal(true); // 09:00 EST
    expect(isOpen(ny, at('2026-12-07T13:59:00Z'))).to.equal(false);
  });

  it('names the next opening: tomorrow morning, or Monday after a weekend', () => {
    expect(nextOpening(paris, at('2026-12-07T19:00:00Z'))!.toISOString()).to.equal('2026-12-08T08:00:00.000Z');
    // Friday evening: back Monday at 09:00.
    expect(nextOpening(paris, at('2026-12-11T18:00:00Z'))!.toISOString()).to.equal('2026-12-14T08:00:00.000Z');
    // Before opening on the same day: that day.
    expect(nextOpening(paris, at('2026-12-08T05:00:00Z'))!.toISOString()).to.equal('2026-12-08T08:00:00.000Z');
  });

  it('follows daylight-saving changes: 09:00 stays 09:00 on the wall clock', () => {
    // Paris moves to UTC+2 on Sunday 2026-03-29: Friday 09:00 is 08:00Z, Monday 09:00 is 07:00Z.
    expect(nextOpening(paris, at('2026-03-27T18:00:00Z'))!.toISOString()).to.equal('2026-03-30T07:00:00.000Z');
    expect(isOpen(paris, at('2026-03-30T07:00:00Z'))).to.equal(true);
    expect(isOpen(paris, at('2026-03-27T07:30:00Z'))).to.equal(false);
    // And back to UTC+1 on Sunday 2026-10-25.
    expect(nextOpening(paris, at('2026-10-23T18:00:00Z'))!.toISOString()).to.equal('2026-10-26T08:00:00.000Z');
    // New York changes on other dates (2026-03-08): Monday 09:00 EDT is 13:00Z.
    const ny: Hours = { ...paris, timeZone: 'America/New_York' };
    expect(nextOpening(ny, at('2026-03-07T12:00:00Z'))!.toISOString()).to.equal('2026-03-09T13:00:00.000Z');
  });

  it('reads a time inside the spring-forward gap as just after it, and a slot on the change night keeps its length on the wall clock', () => {
    // 02:30 does not exist in Paris on 2026-03-29: it reads as 03:30 (UTC+2), i.e. 01:30Z.
    expect(new Date(instantOf(2026, 3, 29, 2, 30, 'Europe/Paris')).toISOString()).to.equal('2026-03-29T01:30:00.000Z');
    // A night shift Saturday 22:00 to Sunday 06:00 across the change lasts 7 real hours.
    const night: Hours = { timeZone: 'Europe/Paris', weekly: [{ day: 6, open: '22:00', close: '06:00' }], holidays: [] };
    expect(isOpen(night, at('2026-03-28T21:00:00Z'))).to.equal(true); // 22:00 UTC+1
    expect(isOpen(night, at('2026-03-29T03:59:00Z'))).to.equal(true); // 05:59 UTC+2
    expect(isOpen(night, at('2026-03-29T04:00:00Z'))).to.equal(false); // 06:00 UTC+2
  });

  it('keeps a slot that crosses midnight open until its close on the next day', () => {
    const bar: Hours = { timeZone: 'Europe/Paris', weekly: [{ day: 5, open: '20:00', close: '02:00' }, { day: 6, open: '20:00', close: '00:00' }], holidays: [] };
    // Friday 2026-12-11 20:00 Paris → Saturday 02:00.
    expect(isOpen(bar, at('2026-12-11T19:00:00Z'))).to.equal(true);
    expect(isOpen(bar, at('2026-12-12T00:30:00Z'))).to.equal(true); // Saturday 01:30
    expect(isOpen(bar, at('2026-12-12T01:00:00Z'))).to.equal(false); // Saturday 02:00
    expect(nextOpening(bar, at('2026-12-12T01:00:00Z'))!.toISOString()).to.equal('2026-12-12T19:00:00.000Z');
    // Saturday's slot closes at midnight (00:00 of Sunday).
    expect(isOpen(bar, at('2026-12-12T22:59:00Z'))).to.equal(true);
    expect(isOpen(bar, at('2026-12-12T23:00:00Z'))).to.equal(false);
    // Then nothing until the next Friday.
    expect(nextOpening(bar, at('2026-12-12T23:00:00Z'))!.toISOString()).to.equal('2026-12-18T19:00:00.000Z');
  });

  it('closes on holidays (local dates) and skips them when naming the next opening', () => {
    const withHolidays: Hours = { ...paris, holidays: ['2026-12-24', '2026-12-25'] };
    expect(isOpen(withHolidays, at('2026-12-24T10:00:00Z'))).to.equal(false);
    expect(isOpen(withHolidays, at('2026-12-23T10:00:00Z'))).to.equal(true);
    // Wednesday 23rd evening: Thursday and Friday are holidays, then the weekend: Monday 28th.
    expect(nextOpening(withHolidays, at('2026-12-23T18:00:00Z'))!.toISOString()).to.equal('2026-12-28T08:00:00.000Z');
    // The holiday is the local date: in Auckland (UTC+13) the 25th starts at 11:00Z on the 24th.
    const auckland: Hours = { timeZone: 'Pacific/Auckland', weekly: weekdays('00:00', '23:59'), holidays: ['2026-12-25'] };
    expect(isOpen(auckland, at('2026-12-24T10:00:00Z'))).to.equal(true); // 23:00 on the 24th
    expect(isOpen(auckland, at('2026-12-24T11:30:00Z'))).to.equal(false); // 00:30 on the 25th
  });

  it('is always open without any slot, and has no next opening when every slot is a holiday for over a year', () => {
    expect(isOpen({ timeZone: 'UTC', weekly: [], holidays: [] }, at('2026-12-07T03:00:00Z'))).to.equal(true);
    const once: Hours = { timeZone: 'UTC', weekly: [], holidays: [] };
    expect(nextOpening(once, at('2026-12-07T03:00:00Z'))).to.equal(null);
  });

  it('says the next opening in the customer’s language, in the number’s zone', () => {
    const monday = at('2026-12-07T08:00:00Z');
    expect(formatOpening(monday, 'Europe/Paris', 'en')).to.equal('Monday, December 7 at 9:00 AM');
    expect(formatOpening(monday, 'Europe/Paris', 'fr')).to.equal('lundi 7 décembre à 9:00');
    expect(formatOpening(monday, 'Asia/Tokyo', 'ja')).to.contain('月曜日');
    expect(formatOpening(monday, 'Europe/Paris', 'zz-not-a-language')).to.equal('Monday, December 7 at 9:00 AM');
  });

  it('knows IANA zones and refuses made-up ones', () => {
    expect(isTimeZone('Europe/Paris')).to.equal(true);
    expect(isTimeZone('Mars/Olympus')).to.equal(false);
  });
});
