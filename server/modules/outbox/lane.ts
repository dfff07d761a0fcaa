import type { Agent } from 'undici';
import { createPool } from '../../whatsapp/http';
import { AdaptiveRate, PAIR_INTERVAL_MS, PairLimiter, TierCounter, tierGate, tierLimit, TokenBucket } from '../../whatsapp/rateLimit';

/** Meta's 131048 (spam rate limit) is quality-based, not a short back-off: broadcasts wait this long. */
export const SPAM_HOLD_MS = 15 * 60_000;

/** How a lane is sized: a dedicated one claims bigger batches and keeps more calls in flight on its own pool. */
export function laneShape(lane: 'shared' | 'dedicated', mps: number): { batch: number; inFlight: number } {
  // About half a second of work per claim: the lease is re-checked between claims, so a claim
  // never outlives it, and replies queued meanwhile wait at most that long behind a broadcast.
  const batch = Math.max(1, Math.min(lane === 'dedicated' ? 250 : 50, Math.ceil(mps / 2)));
  return { batch, inFlight: lane === 'dedicated' ? 128 : 32 };
}

/**
 * The limits one lane honours, in memory, for the process that holds the lane's lease: the
 * token bucket at the number's throughput (its rate steered by AIMD after 130429), the pair
 * limiter, and the tier counter. On takeover they are rebuilt from the last 24 h of sends, so
 * a new holder starts where the old one stopped rather than with a fresh allowance (and its
 * token bucket starts empty).
 */
export class LaneLimits {
  readonly bucket: TokenBucket;
  readonly rate: AdaptiveRate;
  readonly pairs = new PairLimiter();
  readonly tier = new TierCounter();
  /** Until then (ms) broadcasts wait: Meta answered 131048. */
  spamHoldUntil = 0;

  constructor(readonly mps: number) {
    // A quarter of a second of burst: calls leave evenly rather than in one-second waves, yet a
    // stall of the process (a large webhook parsed, a slow claim) is caught up on afterwards
    // instead of lost, and the number keeps its rate. Meta counts its rate over a second.
    this.bucket = new TokenBucket(mps, Math.max(1, Math.ceil(mps / 4)));
    this.rate = new AdaptiveRate(mps, Math.max(1, mps / 20));
  }

  /** The wait (ms) before the next call may leave at the rate now in force; takes the token when 0. */
  takeThroughput(now: number): number {
    const rate = this.rate.current(now);
    if (Math.abs(rate - this.bucket.ratePerSecond) >= 0.5 || (rate === this.mps && this.bucket.ratePerSecond !== this.mps)) {
      this.bucket.setRate(rate);
    }
    return this.bucket.take(now);
  }

  /** Meta answered 130429: halve the rate and give the bucket a second to drain. */
  throttled(now: number): void {
    this.bucket.setRate(this.rate.throttled(now));
    this.bucket.pauseUntil(now + 1000);
  }

  /** Whether a message to waId may go as far as the tier goes (recording it), or until when it is held. */
  tierGate(waId: string, tier: string | null, outsideWindow: boolean, now: number): { go: true } | { go: false; until: number } {
    return tierGate(this.tier, waId, tierLimit(tier), outsideWindow, now);
  }

  /** Seeds the tier and pair state from the sends of the last 24 h (see recentSends). */
  rebuild(recent: Array<{ to_wa_id: string; last_counted: Date | null; hour_first: Date | null; hour_count: number; last_sent: Date }>): void {
    // The previous holder may have spent its burst just before it stopped: the new holder starts
    // with an empty bucket, so the two together stay within one burst over any second.
    this.bucket.pauseUntil(Date.now() + 1000 / this.bucket.ratePerSecond);
    const counted = recent.filter((r) => r.last_counted !== null).sort((a, b) => a.last_counted!.getTime() - b.last_counted!.getTime());
    for (const r of counted) {
      this.tier.record(r.to_wa_id, r.last_counted!.getTime());
    }
    for (const r of recent) {
      // Upper bound of what the pair limiter had owed: a steady stream is owed last + 6 s, a
      // burst first + n * 6 s; the larger of the two is never too early.
      const burstEnd = r.hour_first ? r.hour_first.getTime() + r.hour_count * PAIR_INTERVAL_MS : 0;
      const until = Math.max(r.last_sent.getTime() + PAIR_INTERVAL_MS, burstEnd);
      if (until > Date.now()) {
        this.pairs.block(r.to_wa_id, until);
      }
    }
  }
}

/** The keep-alive pool of a dedicated lane, sized to the calls it keeps in flight. */
export function dedicatedPool(inFlight: number): Agent {
  return createPool({ connections: inFlight, keepAliveTimeoutMs: 60_000 });
}
