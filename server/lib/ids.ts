import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

// Random bytes drawn in blocks: one system call per 256 ids instead of one per id.
const POOL_IDS = 256;
const pool = Buffer.alloc(16 * POOL_IDS);
let next = POOL_IDS;

// The time and counter of the last id, so ids made within one millisecond still ascend.
let lastMsecs = -Infinity;
let seq = 0;

/** A new time-ordered id (UUIDv7): sorts by creation, safe to expose. */
export function newId(): string {
  if (next === POOL_IDS) {
    randomFillSync(pool);
    next = 0;
  }
  const random = pool.subarray(next * 16, next * 16 + 16);
  next += 1;
  const now = Date.now();
  if (now > lastMsecs) {
    lastMsecs = now;
    // A random start below 2^30 leaves room to count up within the millisecond.
    seq = random.readUInt32BE(0) & 0x3fffffff;
  } else {
    seq = (seq + 1) | 0;
  }
  return v7({ random, msecs: lastMsecs, seq });
}
