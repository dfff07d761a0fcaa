import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares two secrets in time that depends on neither their content nor their lengths:
 * both are hashed to 32 bytes first, so timingSafeEqual always compares equal-length buffers.
 */
export function equalSecrets(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** Whether `given` equals any of the secrets, comparing against every one (no early exit). */
export function matchesAnySecret(given: string, secrets: readonly string[]): boolean {
  let found = false;
  for (const secret of secrets) {
    found = equalSecrets(given, secret) || found;
  }
  return found;
}
