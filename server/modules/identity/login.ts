import type { Actor } from '../../http/context';
import { errors } from '../../http/errors';
import type { Services } from '../../services';
import { burnVerification, verifyPassword } from './passwords';
import { clearFailures, lockedUntil, recordFailure } from './throttleRepo';
import { findAuthByEmail, updateUser } from './userRepo';

export type LoginResult = { userId: string; token: string; csrfToken: string; expiresAt: Date };

const secondsUntil = (d: Date) => Math.max(1, Math.ceil((d.getTime() - Date.now()) / 1000));

/**
 * Signs a user in. Failures are throttled per account (lock-out) and per IP (429), both
 * across processes; every outcome is audited, and an unknown email costs the same time as a wrong password.
 */
export async function login(
  s: Services,
  actor: Actor,
  input: { email: string; password: string; userAgent: string | null },
): Promise<LoginResult> {
  const { config, db, audit, metrics } = s;
  const email = input.email.trim().toLowerCase();
  const ipKey = `ip:${actor.ip ?? 'unknown'}`;
  const accountKey = `account:${email}`;
  const windowMs = config.loginLockoutMs;

  const ipLock = await lockedUntil(db, ipKey);
  if (ipLock && ipLock > new Date()) {
    metrics.loginFailures.inc({ reason: 'ip_throttled' });
    await audit.record(actor, { action: 'auth.login_failed', details: { email, reason: 'ip_throttled' } });
    throw errors.rateLimited(secondsUntil(ipLock));
  }
  const accountLock = await lockedUntil(db, accountKey);
  if (accountLock && accountLock > new Date()) {
    metrics.loginFailures.inc({ reason: 'locked' });
    await audit.record(actor, { action: 'auth.login_failed', details: { email, reason: 'account_locked' } });
    throw errors.accountLocked(secondsUntil(accountLock));
  }

  const user = await findAuthByEmail(db, email);
  const passwordOk = user ? await verifyPassword(user.password_hash, input.password) : (await burnVerification(input.password), false);
  const reason = !user ? 'unknown_email' : !passwordOk ? 'bad_password' : user.status !== 'active' ? 'disabled' : null;

  if (reason) {
    metrics.loginFailures.inc({ reason });
    await recordFailure(db, ipKey, config.loginMaxFailuresPerIp, windowMs, config.loginLockoutMs);
    const locked = await recordFailure(db, accountKey, config.loginMaxFailuresPerAccount, windowMs, config.loginLockoutMs);
    const nowLocked = locked !== null && locked > new Date();
    await audit.record(actor, {
      action: 'auth.login_failed',
      subjectType: user ? 'User' : null,
      subjectId: user?.id ?? null,
      details: { email, reason, ...(nowLocked ? { lockedUntil: locked.toISOString() } : {}) },
    });
    if (nowLocked) {
      await audit.record(actor, { action: 'auth.account_locked', subjectType: 'User', subjectId: user?.id ?? null, details: { email } });
      throw errors.accountLocked(secondsUntil(locked));
    }
    throw errors.invalidCredentials();
  }

  const found = user!;
  await clearFailures(db, accountKey);
  return db.transaction(async (trx) => {
    await updateUser(trx, found.id, { last_login_at: trx.fn.now() });
    const session = await s.sessions.create(trx, found.id, { ip: actor.ip, userAgent: input.userAgent });
    await audit.appendIn(trx, { ...actor, type: 'user', id: found.id }, [
      { action: 'auth.login', subjectType: 'User', subjectId: found.id, details: { email } },
    ]);
    return { userId: found.id, token: session.token, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  });
}
