import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { clearFailures, lockedUntil, recordFailure } from './throttleRepo';

/**
 * The password-guessing throttle, shared by sign-in and the current-password check of a
 * password change. Two counters:
 * - per client address (`ip:<address>`): too many failures, whatever the accounts, answer 429;
 * - per account *and* client address (`account:<email>|ip:<address>`): too many failures lock
 *   that account for that address only (423). An attacker guessing from elsewhere locks
 *   themselves out, not the account's owner, who still signs in from their own address.
 */
export type ThrottleKeys = { ip: string; account: string };

export function throttleKeys(email: string, actor: Actor): ThrottleKeys {
  const address = actor.ip ?? 'unknown';
  return { ip: `ip:${address}`, account: `account:${email.trim().toLowerCase()}|ip:${address}` };
}

const secondsUntil = (d: Date) => Math.max(1, Math.ceil((d.getTime() - Date.now()) / 1000));

/** Why guessing is refused right now, with the error to answer; null when it may go on. */
export async function currentBlock(s: Services, keys: ThrottleKeys): Promise<{ reason: 'ip_throttled' | 'account_locked'; error: Error } | null> {
  const ipLock = await lockedUntil(s.db, keys.ip);
  if (ipLock && ipLock > new Date()) {
    return { reason: 'ip_throttled', error: errors.rateLimited(secondsUntil(ipLock)) };
  }
  const accountLock = await lockedUntil(s.db, keys.account);
  if (accountLock && accountLock > new Date()) {
    return { reason: 'account_locked', error: errors.accountLocked(secondsUntil(accountLock)) };
  }
  return null;
}

/** Counts one wrong password on both counters; returns the lock's end when this failure locked the account here. */
export async function countFailure(s: Services, keys: ThrottleKeys): Promise<Date | null> {
  const { config } = s;
  const windowMs = config.loginLockoutMs;
  await recordFailure(s.db, keys.ip, config.loginMaxFailuresPerIp, windowMs, config.loginLockoutMs);
  const locked = await recordFailure(s.db, keys.account, config.loginMaxFailuresPerAccount, windowMs, config.loginLockoutMs);
  return locked !== null && locked > new Date() ? locked : null;
}

/** The account's counter for this address starts over after a right password. */
export async function clearAccountFailures(s: Services, keys: ThrottleKeys): Promise<void> {
  await clearFailures(s.db, keys.account);
}

export const lockedError = (until: Date) => errors.accountLocked(secondsUntil(until));
