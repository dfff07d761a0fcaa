/** Meta's default throughput per business number: 80 messages/s (inbound and outbound together). */
export const DEFAULT_MPS = 80;
/** High-throughput numbers are upgraded to 1,000 messages/s; nothing goes beyond. */
export const MAX_MPS = 1000;
/** Pair rate: one message per 6 s to the same user... */
export const PAIR_INTERVAL_MS = 6000;
/** ...with bursts of up to 45 messages borrowed from later (131056 beyond). */
export const PAIR_BURST = 45;
/** Refill arithmetic is in floating point (a pair token is 1/6 per second): a token within this is whole. */
const EPSILON = 1e-9;

/**
 * A token bucket: `capacity` tokens, refilled continuously at `ratePerSec`. Taking from an empty
 * bucket fails without changing it, so rejected requests do not push the next success further out.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private capacity: number,
    private ratePerSec: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** Takes one token; false when none is left. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1 - EPSILON) {
      return false;
    }
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /** Takes a token if there is one, never failing (inbound traffic counts against throughput too). */
  drain(): void {
    this.refill();
    this.tokens = Math.max(0, this.tokens - 1);
  }

  /** Milliseconds until the next token is available (0 if one is). */
  waitMs(): number {
    this.refill();
    return this.tokens >= 1 - EPSILON ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000 - EPSILON);
  }

  /** Changes capacity and rate, keeping the tokens already earned (up to the new capacity). */
  reconfigure(capacity: number, ratePerSec: number): void {
    this.refill();
    this.capacity = capacity;
    this.ratePerSec = ratePerSec;
    this.tokens = Math.min(this.tokens, capacity);
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSec);
    this.updatedAt = now;
  }
}

/** The per-number throughput bucket: one second's worth of burst at `mps`. */
export function throughputBucket(mps: number, now?: () => number): TokenBucket {
  return new TokenBucket(mps, mps, now);
}

/** The per-(number, recipient) pair bucket: 45 in a burst, then one per 6 s. */
export function pairBucket(now?: () => number): TokenBucket {
  return new TokenBucket(PAIR_BURST, 1000 / PAIR_INTERVAL_MS, now);
}

/** Clamps a requested throughput to what Meta offers (1..1000 messages/s). */
export function clampMps(mps: number): number {
  if (!Number.isFinite(mps)) {
    return DEFAULT_MPS;
  }
  return Math.min(MAX_MPS, Math.max(1, Math.floor(mps)));
}
