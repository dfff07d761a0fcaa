import { expect } from 'chai';
import fc from 'fast-check';
import { cutoffsFor, earliestCutoff, latestCutoff } from '../../server/modules/retention/cutoffs';
import {
  changeAllowed, DATA_CLASSES, effectiveDays, loadDefaultPeriods, MAX_DAYS, MIN_DAYS, parsePeriod, type PolicyPeriod,
} from '../../server/modules/retention/periods';

const DAY_MS = 86_400_000;
const days = fc.integer({ min: MIN_DAYS, max: MAX_DAYS });
const channel = fc.constantFrom('a', 'b', 'c');

describe('retention periods', () => {
  it('ships the defaults the issue names: messages 5 years, media 2, audit 7', () => {
    const d = loadDefaultPeriods();
    expect(d.messages).to.equal(1826);
    expect(d.media).to.equal(731);
    expect(d.audit).to.equal(2557);
    expect(Object.keys(d).sort()).to.deep.equal([...DATA_CLASSES].sort());
  });

  it('reads 30d to 10y and refuses anything outside', () => {
    expect(parsePeriod('30d')).to.equal(30);
    expect(parsePeriod('10y')).to.equal(MAX_DAYS);
    for (const bad of ['29d', '11y', '5 years', '', '3m']) {
      expect(() => parsePeriod(bad), bad).to.throw();
    }
  });

  it('property: the longest applicable period wins, so a number never keeps less than the default', () => {
    fc.assert(
      fc.property(days, fc.array(fc.record({ channelId: channel, days }), { maxLength: 5 }), channel, (base, own, asked) => {
        const policies: PolicyPeriod[] = [
          { dataClass: 'messages', channelId: null, days: base },
          ...own.map((o) => ({ dataClass: 'messages' as const, ...o })),
          { dataClass: 'media', channelId: asked, days: MAX_DAYS },
        ];
        const effective = effectiveDays(policies, 'messages', asked);
        const mine = own.filter((o) => o.channelId === asked).map((o) => o.days);
        expect(effective).to.equal(Math.max(base, ...mine));
        expect(effective).to.be.at.least(base);
      }),
    );
  });

  it('property: the cutoffs order every number between the earliest and the latest', () => {
    fc.assert(
      fc.property(days, fc.array(fc.record({ channelId: channel, days }), { maxLength: 4 }), (base, own) => {
        const now = new Date('2026-12-02T00:00:00Z');
        const policies: PolicyPeriod[] = [{ dataClass: 'messages', channelId: null, days: base }, ...own.map((o) => ({ dataClass: 'messages' as const, ...o }))];
        const c = cutoffsFor(policies, 'messages', now);
        const all = [c.fallback, ...Object.values(c.byChannel)].map((d) => d.getTime());
        expect(earliestCutoff(c).getTime()).to.equal(Math.min(...all));
        expect(latestCutoff(c).getTime()).to.equal(now.getTime() - base * DAY_MS);
      }),
    );
  });

  it('property: a locked policy only lengthens; an unlocked one changes freely', () => {
    fc.assert(
      fc.property(days, days, (before, after) => {
        expect(changeAllowed({ days: before, locked: true }, after)).to.equal(after >= before);
        expect(changeAllowed({ days: before, locked: false }, after)).to.equal(true);
      }),
    );
  });
});
