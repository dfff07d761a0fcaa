import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Compares two secrets in time that depends on neither their content nor their lengths:
 * both are hashed to 32 bytes first, so timingSafeEqual always compares equal-length buffers.
 */
export function equalSecrets(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
