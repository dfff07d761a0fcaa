import { createHmac } from 'node:crypto';

/**
 * A keyed hash (HMAC-SHA256, hex) of a value under a key derived from the master key for one
 * purpose. Where the audit log or the erasure ledger must name a customer's value (a phone
 * number), it names it this way: equal values compare equal, but without the master key no one
 * can test a guessed phone number against it (a plain hash of a 10-digit number is brute-forced
 * in seconds).
 */
export function keyedHash(masterKey: Buffer, purpose: string, value: string): string {
  const key = createHmac('sha256', masterKey).update(`switchboard/keyed-hash/${purpose}`).digest();
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

/** The keyed hash that names a WhatsApp customer (digits of the number, no +) in the erasure ledger and GDPR requests. */
export function subjectHash(masterKey: Buffer, waId: string): string {
  return keyedHash(masterKey, 'gdpr-subject/v1', waId.replace(/\D/g, ''));
}
