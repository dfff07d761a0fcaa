// The sender's limits: throughput per number, Meta's pair rate per recipient and the unique
// recipients per rolling 24 hours. Invariants checked over random timelines with fast-check.
import { expect } from 'chai';
import fc from 'fast-check';
import { DAY_MS, PAIR_BURST, PAIR_INTERVAL_MS, PairLimiter, TierCounter, TokenBucket } from '../../server/whatsapp/rateLimit';

const EPS = 1e-6;

/** Request times (sorted integer ms): bursts of up to 60 closely spaced requests, separated by pauses. */
const timeline = (maxPause: number, maxBursts: number) =>
  fc
    .array(
      fc.record({ count: fc.integer({ min: 1, max: 60 }), spacing: fc.integer({ min: 0, max: 150 }), pause: fc.integer({ min: 0, max: maxPause }) }),
      { minLength: 1, maxLength: maxBursts },
    )
    .map((bursts) => {
      const times: number[] = [];
      let t = 0;
      for (const b of bursts) {
        t += b.pause;
        for (let i = 0; i < b.count; i++) {
          times.push((t += i === 0 ? 0 : b.spacing));
        }
      }
      return times;
    });

/** The largest count of admitted times in any window [a, b] minus its allowance. */
function worstExcess(admitted: number[], allowance: (windowMs: number) => number): number {
  let worst = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < admitted.length; i++) {
    for (let j = i; j < admitted.length; j++) {
      worst = Math.max(worst, j - i + 1 - allowance(admitted[j]! - admitted[i]!));
    }
  }
  return worst;
}

describe('TokenBucket', () => {
  it('admits a full burst at once, then one token per 1/rate seconds', () => {
    const bucket = new TokenBucket(80, 80);
    for (let i = 0; i < 80; i++) {
      expect(bucket.take(1_000)).to.equal(0);
    }
    expect(bucket.take(1_000)).to.equal(13); // 12.5 ms per token, rounded up
    expect(bucket.take(1_012)).to.equal(1);
    expect(bucket.take(1_013)).to.equal(0);
    expect(bucket.take(1_013)).to.be.greaterThan(0);
  });

  it('is deterministic: the same timeline gives the same answers', () => {
    const times = [0, 0, 0, 1, 3, 3, 40, 41, 500];
    const run = () => {
      const b = new TokenBucket(10, 3);
      return times.map((t) => b.take(t));
    };
    expect(run()).to.deep.equal(run());
    expect(run()).to.deep.equal([0, 0, 0, 99, 97, 97, 60, 59, 0]);
  });

  it('property: never more than rate * t + burst in any window of t seconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 }), timeline(2_000, 8), (rate, burst, times) => {
        const bucket = new TokenBucket(rate, burst);
        const admitted = times.filter((t) => bucket.take(t) === 0);
        expect(worstExcess(admitted, (ms) => (rate * (ms + EPS)) / 1000 + burst)).to.be.at.most(0);
      }),
      { numRuns: 300 },
    );
  });

  it('property: the wait it announces is enough, so the limit is not stricter than it says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 }), timeline(500, 6), (rate, burst, times) => {
        const bucket = new TokenBucket(rate, burst);
        for (const t of times) {
          const wait = bucket.take(t);
          if (wait > 0) {
            expect(bucket.peek(t + wait)).to.equal(0);
            expect(bucket.take(t + wait)).to.equal(0);
            return;
          }
        }
      }),
    );
  });

  it('can be paused (Meta answered 130429) and resumes on time', () => {
    const bucket = new TokenBucket(100, 10);
    bucket.pauseUntil(5_000);
    expect(bucket.take(4_000)).to.equal(1_000);
    expect(bucket.take(5_000)).to.equal(0);
  });
});

describe('PairLimiter', () => {
  it('models Meta\'s pair rate: 1 per 6 s steady, bursts of 45, and a burst is paid back (20 cost 2 minutes)', () => {
    const pair = new PairLimiter();
    expect(PAIR_INTERVAL_MS).to.equal(6_000);
    expect(PAIR_BURST).to.equal(45);
    for (let i = 0; i < 20; i++) {
      expect(pair.take('16505551234', i * 100)).to.equal(0);
    }
    expect(pair.take('16505551234', 7_000)).to.equal(120_000 - 7_000);
    expect(pair.take('16505551234', 119_999)).to.equal(1);
    expect(pair.take('16505551234', 120_000)).to.equal(0);

    const steady = new PairLimiter();
    for (let t = 0; t < 600_000; t += 6_000) {
      expect(steady.take('447700900123', t)).to.equal(0);
    }
  });

  it('stops a burst at 45 messages even within 6 seconds', () => {
    const pair = new PairLimiter();
    const answers = Array.from({ length: 46 }, (_, i) => pair.take('x', i * 10));
    expect(answers.slice(0, 45).every((w) => w === 0)).to.equal(true);
    expect(answers[45]).to.equal(45 * 6_000 - 450);
  });

  it('property: per recipient, at most 45 in any 6 s and at most 45 + t / 6 s in any window of t', () => {
    fc.assert(
      fc.property(timeline(300_000, 8), (times) => {
        const pair = new PairLimiter();
        const admitted = times.filter((t) => pair.take('r', t) === 0);
        expect(worstExcess(admitted, (ms) => (ms < 6_000 ? PAIR_BURST : PAIR_BURST + (ms + EPS) / PAIR_INTERVAL_MS))).to.be.at.most(0);
        expect(worstExcess(admitted, (ms) => PAIR_BURST + (ms + EPS) / PAIR_INTERVAL_MS)).to.be.at.most(0);
      }),
      { numRuns: 300 },
    );
  });

  it('property: recipients are independent: interleaving others changes no answer', () => {
    const event = fc.record({ who: fc.integer({ min: 0, max: 4 }), gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20_000 })) });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 300 }), (events) => {
        let t = 0;
        const timed = events.map((e) => ({ who: `r${e.who}`, at: (t += e.gap) }));
        const shared = new PairLimiter();
        const together = timed.map((e) => shared.take(e.who, e.at));
        for (const who of new Set(timed.map((e) => e.who))) {
          const alone = new PairLimiter();
          timed.forEach((e, i) => {
            if (e.who === who) {
              expect(alone.take(who, e.at)).to.equal(together[i]);
            }
          });
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps memory bounded: recipients whose borrowed time is repaid are forgotten', () => {
    const pair = new PairLimiter();
    for (let i = 0; i < 10_000; i++) {
      pair.take(`r${i}`, i);
    }
    expect(pair.size).to.equal(10_000);
    pair.take('late', 60_000);
    expect(pair.size).to.equal(1);
    pair.take('late', 60_001);
    pair.sweep(200_000, true);
    expect(pair.size).to.equal(0);
  });

  it('honours a block set from Meta\'s 131056 answer', () => {
    const pair = new PairLimiter();
    pair.block('r', 16_000);
    expect(pair.take('r', 4_000)).to.equal(12_000);
    expect(pair.take('r', 16_000)).to.equal(0);
  });
});

describe('TierCounter', () => {
  it('counts unique recipients over a moving 24 hours', () => {
    const tier = new TierCounter();
    tier.record('a', 0);
    tier.record('b', 1_000);
    tier.record('a', 2_000);
    expect(tier.count(3_000)).to.equal(2);
    expect(tier.wouldExceed('c', 2, 3_000)).to.equal(true);
    expect(tier.wouldExceed('a', 2, 3_000)).to.equal(false); // already counted: no new recipient
    expect(tier.count(DAY_MS + 1_000)).to.equal(1); // b expired, a (renewed at 2 s) remains
    expect(tier.wouldExceed('c', 2, DAY_MS + 1_000)).to.equal(false);
    expect(tier.count(DAY_MS + 2_000)).to.equal(0);
  });

  it('property: matches a brute-force count of distinct recipients in the last 24 hours', () => {
    const step = fc.record({ who: fc.integer({ min: 0, max: 30 }), gap: fc.integer({ min: 0, max: 6 * 60 * 60 * 1000 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), fc.integer({ min: 1, max: 20 }), (steps, limit) => {
        const tier = new TierCounter();
        const log: Array<{ who: string; at: number }> = [];
        let t = 0;
        for (const s of steps) {
          t += s.gap;
          const who = `u${s.who}`;
          const distinct = new Set(log.filter((e) => e.at > t - DAY_MS).map((e) => e.who));
          expect(tier.count(t)).to.equal(distinct.size);
          expect(tier.wouldExceed(who, limit, t)).to.equal(!distinct.has(who) && distinct.size >= limit);
          if (!tier.wouldExceed(who, limit, t)) {
            tier.record(who, t);
            log.push({ who, at: t });
          }
          expect(tier.count(t)).to.be.at.most(Math.max(limit, distinct.size));
        }
      }),
      { numRuns: 200 },
    );
  });
});
