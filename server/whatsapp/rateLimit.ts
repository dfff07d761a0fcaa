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
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  // Theoretical arrival time: when the bucket would be full again.
  private tat = Number.NEGATIVE_INFINITY;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError('ratePerSecond must be a positive number');
    }
    if (!Number.isInteger(burst) || burst < 1) {
      throw new RangeError('burst must be a positive integer');
    }
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

  /** Records a business-initiated message to waId at `now`. */
  record(waId: string, now: number): void {
    // Times only move forward here, so the map stays ordered by time even if clocks step back.
    const at = Math.max(now, this.latest);
    this.latest = at;
    this.lastSeen.delete(waId);
    this.lastSeen.set(waId, at);
  }
}
