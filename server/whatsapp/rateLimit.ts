// The three limits a sender lane honours before calling Meta. All are pure and deterministic:
// the caller passes `now` (ms), so tests can replay any timeline.

// Float slack (ms) so that waiting exactly the returned time always succeeds.
const EPSILON_MS = 1e-6;

/**
 * Throughput per number (80 messages/s by default, up to 1,000/s): a token bucket written as
 * GCRA, so the state is one number. In any window of t seconds it admits at most
 * rate * t + burst messages.
 */
export class TokenBucket {
  private intervalMs: number;
  private toleranceMs: number;
  // Theoretical arrival time: when the bucket would be full again.
  private tat = Number.NEGATIVE_INFINITY;

  private rate: number;

  constructor(
    ratePerSecond: number,
    readonly burst: number,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError('ratePerSecond must be a positive number');
    }
    if (!Number.isInteger(burst) || burst < 1) {
      throw new RangeError('burst must be a positive integer');
    }
    this.rate = ratePerSecond;
    this.intervalMs = 1000 / ratePerSecond;
    this.toleranceMs = (burst - 1) * this.intervalMs;
  }

  /** Takes one token at `now` (ms): 0 when taken, else the ms to wait before one is available. */
  take(now: number): number {
    const tat = Math.max(this.tat, now);
    const wait = tat - this.toleranceMs - now;
    if (wait > EPSILON_MS) {
      return Math.max(1, Math.ceil(wait));
    }
    this.tat = tat + this.intervalMs;
    return 0;
  }

  /** The ms until a token is available, without taking one. */
  peek(now: number): number {
    const wait = Math.max(this.tat, now) - this.toleranceMs - now;
    return wait > EPSILON_MS ? Math.max(1, Math.ceil(wait)) : 0;
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  /**
   * Changes the rate (adaptive back-off). Tokens already promised keep their times; the next
   * ones are spaced at the new rate, so the bound holds piecewise at each rate in force.
   */
  setRate(ratePerSecond: number): void {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError('ratePerSecond must be a positive number');
    }
    this.rate = ratePerSecond;
    this.intervalMs = 1000 / ratePerSecond;
    this.toleranceMs = (this.burst - 1) * this.intervalMs;
  }

  /** Pauses the bucket until `until` (ms), e.g. after Meta answered 130429. */
  pauseUntil(until: number): void {
    this.tat = Math.max(this.tat, until + this.toleranceMs);
  }
}

// Meta: one message per 6 s to the same user; bursts of up to 45 in 6 s borrow from later.
export const PAIR_INTERVAL_MS = 6_000;
export const PAIR_BURST = 45;
export const PAIR_BURST_WINDOW_MS = 6_000;
const SWEEP_EVERY_MS = 10_000;

interface PairState {
  /** When the borrowed time is repaid: every message sent moves it 6 s later. */
  freeAt: number;
  burstStart: number;
  burstCount: number;
}

/**
 * Meta's pair rate per recipient. A recipient with nothing owed may start a burst: up to
 * `burst` messages within `burstWindowMs`. Each message borrows `intervalMs`; once the burst
 * is over (window elapsed or budget spent), nothing more goes to that recipient until all the
 * borrowed time has passed (a burst of 20 costs 2 minutes). So any window of t ms holds at
 * most burst + t / intervalMs messages per recipient, and at most `burst` in one burst window.
 * Memory holds only recipients that still owe time.
 */
export class PairLimiter {
  private readonly states = new Map<string, PairState>();
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    readonly intervalMs = PAIR_INTERVAL_MS,
    readonly burst = PAIR_BURST,
    readonly burstWindowMs = PAIR_BURST_WINDOW_MS,
  ) {
    if (!(intervalMs > 0) || !Number.isInteger(burst) || burst < 1 || !(burstWindowMs > 0)) {
      throw new RangeError('PairLimiter needs a positive interval, burst and window');
    }
  }

  /** Takes the right to send to waId at `now` (ms): 0 when allowed, else the ms to wait. */
  take(waId: string, now: number): number {
    this.sweep(now);
    const state = this.states.get(waId);
    if (!state || state.freeAt <= now) {
      this.states.set(waId, { freeAt: now + this.intervalMs, burstStart: now, burstCount: 1 });
      return 0;
    }
    const inBurst = now - state.burstStart < this.burstWindowMs && now >= state.burstStart;
    if (inBurst && state.burstCount < this.burst) {
      state.burstCount += 1;
      state.freeAt += this.intervalMs;
      return 0;
    }
    return Math.max(1, Math.ceil(state.freeAt - now));
  }

  /** Blocks a recipient until `until` (ms), e.g. after Meta answered 131056 with its own view. */
  block(waId: string, until: number): void {
    const state = this.states.get(waId);
    if (state) {
      state.freeAt = Math.max(state.freeAt, until);
      state.burstCount = this.burst;
    } else {
      this.states.set(waId, { freeAt: until, burstStart: until - this.burstWindowMs, burstCount: this.burst });
    }
  }

  /** Recipients currently tracked (those that still owe time, plus any not yet swept). */
  get size(): number {
    return this.states.size;
  }

  /** Forgets recipients whose borrowed time is repaid: they are indistinguishable from new ones. */
  sweep(now: number, force = false): void {
    if (!force && now - this.lastSweep < SWEEP_EVERY_MS) {
      return;
    }
    this.lastSweep = now;
    for (const [waId, state] of this.states) {
      if (state.freeAt <= now) {
        this.states.delete(waId);
      }
    }
  }
}

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Meta's messaging limit: unique recipients reached per moving 24 hours (250, 2,000, 10,000,
 * 100,000 or unlimited). Keeps each recipient's last time in insertion order, so expiring the
 * oldest is O(1) per recipient and memory never exceeds the recipients of the last 24 hours.
 */
export class TierCounter {
  private readonly lastSeen = new Map<string, number>();
  private latest = Number.NEGATIVE_INFINITY;

  constructor(readonly windowMs = DAY_MS) {}

  private expire(now: number): void {
    for (const [waId, at] of this.lastSeen) {
      if (at > now - this.windowMs) {
        break;
      }
      this.lastSeen.delete(waId);
    }
  }

  /** Unique recipients in the 24 hours before `now`. */
  count(now: number): number {
    this.expire(now);
    return this.lastSeen.size;
  }

  /** Whether waId is already counted in the window ending at `now`. */
  has(waId: string, now: number): boolean {
    this.expire(now);
    return this.lastSeen.has(waId);
  }

  /** True when sending to waId would reach one recipient more than `limit` in the window. */
  wouldExceed(waId: string, limit: number, now: number): boolean {
    this.expire(now);
    return !this.lastSeen.has(waId) && this.lastSeen.size >= limit;
  }

  /** When the oldest counted recipient leaves the window (a held send may retry then); null when none is counted. */
  nextFreeAt(now: number): number | null {
    this.expire(now);
    for (const at of this.lastSeen.values()) {
      return at + this.windowMs;
    }
    return null;
  }

  /** Records a business-initiated message to waId at `now`. */
  record(waId: string, now: number): void {
    // Times only move forward here, so the map stays ordered by time even if clocks step back.
    const at = Math.max(now, this.latest);
    this.latest = at;
    this.lastSeen.delete(waId);
    this.lastSeen.set(waId, at);
  }
}

/** Meta's messaging-limit tiers (`current_limit` / `messaging_limit_tier`) as recipients per 24 h. */
const TIER_LIMITS: Record<string, number> = {
  TIER_50: 50,
  TIER_250: 250,
  TIER_1K: 1_000,
  TIER_2K: 2_000,
  TIER_10K: 10_000,
  TIER_100K: 100_000,
  TIER_UNLIMITED: Number.POSITIVE_INFINITY,
  UNLIMITED: Number.POSITIVE_INFINITY,
};

/** A new number starts at 250 per 24 h: a tier not yet reported (or unknown) is taken as that, never as more. */
export const DEFAULT_TIER_LIMIT = 250;

/** The unique recipients a number may reach outside the window per rolling 24 h. */
export function tierLimit(tier: string | null | undefined): number {
  return (tier ? TIER_LIMITS[tier.toUpperCase()] : undefined) ?? DEFAULT_TIER_LIMIT;
}

/**
 * Adaptive back-off (AIMD) of a lane's rate: Meta answering 130429 halves it (never below
 * `floor`), then it grows back by `recoverPerSecond` each second up to `ceiling`. Several
 * 130429 answers of one burst arrive together: within `holdMs` of a cut they count once.
 */
export class AdaptiveRate {
  private base: number;
  private cutAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly ceiling: number,
    readonly floor = 1,
    readonly recoverPerSecond = Math.max(1, ceiling / 20),
    readonly holdMs = 1_000,
  ) {
    if (!(ceiling > 0) || !(floor > 0) || floor > ceiling || !(recoverPerSecond > 0) || holdMs < 0) {
      throw new RangeError('AdaptiveRate needs 0 < floor <= ceiling and a positive recovery');
    }
    this.base = ceiling;
  }

  /** The rate in force at `now` (messages/s). */
  current(now: number): number {
    const grown = this.base + (this.recoverPerSecond * Math.max(0, now - this.cutAt)) / 1000;
    return Math.min(this.ceiling, grown);
  }

  /** Meta said the number is over its throughput: halves the rate; returns the new one. */
  throttled(now: number): number {
    if (now - this.cutAt < this.holdMs) {
      return this.current(now);
    }
    this.base = Math.max(this.floor, this.current(now) / 2);
    this.cutAt = now;
    return this.base;
  }
}

/**
 * The tier gate of one send: inside the customer's window it is free; outside it, a recipient
 * not yet counted in the last 24 h takes a slot, and with none left the send is held (not
 * failed) until the oldest slot frees. Records the send when it may go.
 */
export function tierGate(counter: TierCounter, waId: string, limit: number, outsideWindow: boolean, now: number): { go: true } | { go: false; until: number } {
  if (!outsideWindow) {
    return { go: true };
  }
  if (counter.wouldExceed(waId, limit, now)) {
    return { go: false, until: counter.nextFreeAt(now) ?? now + counter.windowMs };
  }
  counter.record(waId, now);
  return { go: true };
}
