// The sender lane's adaptive parts: AIMD back-off on 130429, rate changes of the token bucket,
// Meta's 4^n pair back-off on 131056, and the messaging-limit tier gate. Pure, replayable
// timelines; invariants checked with fast-check.
import { expect } from 'chai';
import fc from 'fast-check';
import { LaneLimits } from '../../server/modules/outbox/lane';
import { backoffHintMs } from '../../server/whatsapp/errors';
import { AdaptiveRate, DAY_MS, DEFAULT_TIER_LIMIT, TierCounter, tierGate, tierLimit, TokenBucket } from '../../server/whatsapp/rateLimit';

describe('AdaptiveRate (AIMD on 130429)', () => {
  it('halves on throttling, counts one burst of 130429 once, and recovers additively to the ceiling', () => {
    const rate = new AdaptiveRate(1000, 1, 50, 1000);
    expect(rate.current(0)).to.equal(1000);
    expect(rate.throttled(10)).to.equal(500);
    expect(rate.throttled(20)).to.be.closeTo(500.5, 1e-9); // same burst (within holdMs): no second cut, only the recovery
    expect(rate.current(1010)).to.equal(550);
    expect(rate.throttled(1010)).to.equal(275);
    expect(rate.current(1010 + 14_500)).to.equal(1000);
  });

  it('never goes below its floor', () => {
    const rate = new AdaptiveRate(80, 10, 4, 0);
    for (let t = 0; t < 10; t++) {
      rate.throttled(t);
    }
    expect(rate.current(9)).to.equal(10);
  });

  it('property: the rate stays within [floor, ceiling], each cut at least halves it, and it grows back between cuts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 1000 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 5_000 }), throttle: fc.boolean() }), { minLength: 1, maxLength: 60 }),
        (ceiling, recover, steps) => {
          const floor = Math.max(1, Math.floor(ceiling / 100));
          const rate = new AdaptiveRate(ceiling, floor, recover, 500);
          let now = 0;
          let before = rate.current(now);
          for (const step of steps) {
            now += step.gap;
            const grown = rate.current(now);
            expect(grown).to.be.within(floor, ceiling);
            if (step.throttle) {
              const after = rate.throttled(now);
              expect(after).to.be.within(floor, ceiling);
              expect(after === grown || after <= Math.max(floor, grown / 2) + 1e-9).to.equal(true);
            } else if (step.gap > 0) {
              expect(grown).to.be.at.least(before - 1e-9);
            }
            before = rate.current(now);
          }
          // Without further throttling, the full rate is back after (ceiling - floor) / recover seconds.
          expect(rate.current(now + ((ceiling - floor) / recover) * 1000 + 1)).to.equal(ceiling);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('TokenBucket.setRate', () => {
  it('spaces the next tokens at the new rate', () => {
    const bucket = new TokenBucket(100, 1);
    expect(bucket.take(0)).to.equal(0);
    expect(bucket.take(0)).to.equal(10);
    bucket.setRate(10);
    expect(bucket.ratePerSecond).to.equal(10);
    expect(bucket.take(10)).to.equal(0);
    expect(bucket.take(10)).to.equal(100);
    expect(() => bucket.setRate(0)).to.throw(RangeError);
  });

  it('property: after a rate change, no window of t ms holds more than newRate * t + burst tokens', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 20 }), fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 300 }), (r1, r2, burst, gaps) => {
        const bucket = new TokenBucket(r1, burst);
        let now = 0;
        // Spend freely at the first rate, then switch.
        for (let i = 0; i < 50; i++) {
          now += bucket.take(now);
        }
        bucket.setRate(r2);
        const switchedAt = now;
        const admitted: number[] = [];
        for (const gap of gaps) {
          now += gap;
          if (bucket.take(now) === 0) {
            admitted.push(now);
          }
        }
        // Tokens promised before the switch may land just after it: at most a burst plus one of the old rate.
        const slack = burst + 1;
        for (let i = 0; i < admitted.length; i++) {
          for (let j = i; j < admitted.length; j++) {
            const t = admitted[j]! - Math.max(admitted[i]!, switchedAt);
            expect(j - i + 1).to.be.at.most((r2 * (t + 1e-6)) / 1000 + burst + slack);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('pair back-off on 131056', () => {
  it("follows Meta's 4^n seconds on the n-th retry, capped at an hour", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffHintMs(131056, n))).to.deep.equal([4_000, 16_000, 64_000, 256_000, 1_024_000]);
    expect(backoffHintMs(131056, 9)).to.equal(3_600_000);
  });
});

describe('tier accounting', () => {
  it("reads Meta's tier names; an unknown or missing tier is the starting 250", () => {
    expect(tierLimit('TIER_1K')).to.equal(1000);
    expect(tierLimit('TIER_100K')).to.equal(100_000);
    expect(tierLimit('TIER_UNLIMITED')).to.equal(Number.POSITIVE_INFINITY);
    expect(tierLimit(null)).to.equal(DEFAULT_TIER_LIMIT);
    expect(tierLimit('TIER_SOMETHING')).to.equal(DEFAULT_TIER_LIMIT);
  });

  it('holds a new recipient beyond the tier until the oldest slot frees; inside the window nothing counts', () => {
    const counter = new TierCounter();
    expect(tierGate(counter, 'a', 2, true, 0)).to.deep.equal({ go: true });
    expect(tierGate(counter, 'b', 2, true, 1_000)).to.deep.equal({ go: true });
    expect(tierGate(counter, 'c', 2, false, 2_000)).to.deep.equal({ go: true });
    expect(tierGate(counter, 'a', 2, true, 3_000)).to.deep.equal({ go: true }); // already counted
    expect(tierGate(counter, 'c', 2, true, 4_000)).to.deep.equal({ go: false, until: 1_000 + DAY_MS });
    expect(tierGate(counter, 'c', 2, true, 1_000 + DAY_MS)).to.deep.equal({ go: true });
  });

  it('property: following the gate, no rolling 24 h holds more unique outside-window recipients than the tier', () => {
    const send = fc.record({ gap: fc.integer({ min: 0, max: 6 * 3_600_000 }), to: fc.integer({ min: 0, max: 30 }), outside: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.array(send, { minLength: 1, maxLength: 120 }), (limit, sends) => {
        const counter = new TierCounter();
        const counted: Array<{ to: string; at: number }> = [];
        let now = 0;
        for (const s of sends) {
          now += s.gap;
          const to = `w${s.to}`;
          const decision = tierGate(counter, to, limit, s.outside, now);
          if (decision.go && s.outside) {
            counted.push({ to, at: now });
          }
          if (!decision.go) {
            // Held, never failed: until the recipient whose last counted send is oldest leaves the window.
            const last = new Map<string, number>();
            counted.filter((c) => c.at > now - DAY_MS).forEach((c) => last.set(c.to, c.at));
            expect(decision.until).to.equal(Math.min(...last.values()) + DAY_MS);
          }
        }
        for (const { at } of counted) {
          const inWindow = new Set(counted.filter((c) => c.at > at - DAY_MS && c.at <= at).map((c) => c.to));
          expect(inWindow.size).to.be.at.most(limit);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('LaneLimits: the state a lane takes over', () => {
  it('rebuilds the tier from recipients reached outside their window and blocks recent pairs until their time is repaid', () => {
    const now = Date.now();
    const limits = new LaneLimits(80);
    limits.rebuild([
      // Reached outside the window an hour ago, once: counted, its pair time long repaid.
      { to_wa_id: 'a', last_counted: new Date(now - 3_600_000), hour_first: null, hour_count: 0, last_sent: new Date(now - 3_600_000) },
      // Inside the window only (not counted), but a burst of 10 just now: blocked for 60 s from its first.
      { to_wa_id: 'b', last_counted: null, hour_first: new Date(now - 1_000), hour_count: 10, last_sent: new Date(now - 500) },
    ]);
    expect(limits.tier.count(now)).to.equal(1);
    expect(limits.tierGate('c', 'TIER_50', true, now)).to.deep.equal({ go: true });
    expect(limits.pairs.take('a', now)).to.equal(0);
    const wait = limits.pairs.take('b', now);
    expect(wait).to.be.within(58_000, 59_000);
  });

  it('halves the rate of its bucket on 130429 and spaces calls at the rate in force', () => {
    const limits = new LaneLimits(100);
    const t0 = 1_000_000;
    let admitted = 0;
    for (let t = t0; t < t0 + 1000; t++) {
      if (limits.takeThroughput(t) === 0) {
        admitted += 1;
      }
    }
    // The rate, plus the bucket's quarter second of burst at the start.
    expect(limits.bucket.burst).to.equal(25);
    expect(admitted).to.be.within(100, 100 + limits.bucket.burst);
    limits.throttled(t0 + 1000);
    expect(limits.bucket.ratePerSecond).to.equal(50);
    // Paused for a second after the throttle, then at about half the rate.
    expect(limits.takeThroughput(t0 + 1500)).to.be.greaterThan(0);
  });
});
