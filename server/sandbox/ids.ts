import { randomFillSync, randomInt } from 'node:crypto';

/**
 * A wamid shaped like Meta's: `wamid.` + base64 of a small binary record holding the customer's
 * wa_id, a direction byte (0x11 business-sent, 0x12 customer-sent) and 20 random hex characters.
 * Apps must treat it as opaque; the shape only makes logs and lengths realistic.
 */
export function newWamid(waId: string, direction: 'in' | 'out'): string {
  const digits = Buffer.from(waId.slice(0, 40), 'ascii');
  const random = Buffer.from(randomHex(10).toUpperCase(), 'ascii');
  const record = Buffer.concat([
    Buffer.from([0x1c, 0x18, digits.length]),
    digits,
    Buffer.from([0x15, 0x02, 0x00, direction === 'out' ? 0x11 : 0x12, 0x18, random.length]),
    random,
    Buffer.from([0x00]),
  ]);
  return `wamid.${record.toString('base64')}`;
}

const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/**
 * `bytes` random bytes as hex, drawn from a pooled buffer refilled 4 KB at a time: the sandbox
 * mints ids for thousands of messages a second, and a system call for each was a visible share
 * of the send bench's CPU (which the app under test shares).
 */
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return hex;
}

/**
 * A numeric Graph object id (media, templates), 16 digits like Meta's, kept below 2^53 because
 * some webhooks (message_template_id) carry ids as JSON numbers.
 */
export function newNumericId(): string {
  return `${randomInt(1, 9)}${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

/** Unix seconds as a string, the way webhooks carry timestamps. */
export function unixSeconds(ms: number = Date.now()): string {
  return String(Math.floor(ms / 1000));
}

/** Digits only: wa_ids and webhook display numbers carry no '+', spaces or dashes. */
export function digitsOf(phone: string): string {
  return phone.replace(/\D/g, '');
}
