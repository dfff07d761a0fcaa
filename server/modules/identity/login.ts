import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { burnVerification, verifyPassword } from './passwords';
import { clearAccountFailures, countFailure, currentBlock, lockedError, throttleKeys } from './throttle';
import { findAuthByEmail, updateUser } from './userRepo';

export type LoginResult = { userId: string; token: string; csrfToken: string; expiresAt: Date };

/**
 * Signs a user in. Failures are throttled per client address (429) and per account and address
 * (lock-out), both across processes; every outcome is audited, and an unknown email costs the
 * same time as a wrong password. A temporary password past its expiry no longer opens a session.
 */
export async function login(
  s: Services,
  actor: Actor,
  input: { email: string; password: string; userAgent: string | null },
): Promise<LoginResult> {
  const { db, audit, metrics } = s;
  const email = input.email.trim().toLowerCase();
  const keys = throttleKeys(email, actor);

  const block = await currentBlock(s, keys);
  if (block) {
    metrics.loginFailures.inc({ reason: block.reason === 'ip_throttled' ? 'ip_throttled' : 'locked' });
    await audit.record(actor, { action: 'auth.login_failed', details: { email, reason: block.reason } });
    throw block.error;
  }

  const user = await findAuthByEmail(db, email);
  const passwordOk = user ? await verifyPassword(user.password_hash, input.password) : (await burnVerification(input.password), false);
  const reason = !user ? 'unknown_email' : !passwordOk ? 'bad_password' : user.status !== 'active' ? 'disabled' : null;

  if (reason) {
    metrics.loginFailures.inc({ reason });
    const locked = await countFailure(s, keys);
    await audit.record(actor, {
      action: 'auth.login_failed',
      subjectType: user ? 'User' : null,
      subjectId: user?.id ?? null,
      details: { email, reason, ...(locked ? { lockedUntil: locked.toISOString() } : {}) },
    });
    if (locked) {
      await audit.record(actor, { action: 'auth.account_locked', subjectType: 'User', subjectId: user?.id ?? null, details: { email } });
      throw lockedError(locked);
    }
    throw errors.invalidCredentials();
  }

  const found = user!;
  await clearAccountFailures(s, keys);
  const expiry = found.temporary_password_expires_at;
  if (expiry && expiry.getTime() <= Date.now()) {
    // The right password, but a temporary one past its time: not a guess, so not counted.
    metrics.loginFailures.inc({ reason: 'temporary_password_expired' });
    await audit.record(actor, { action: 'auth.login_failed', subjectType: 'User', subjectId: found.id, details: { email, reason: 'temporary_password_expired' } });
    throw errors.temporaryPasswordExpired();
  }
  return db.transaction(async (trx) => {
    await updateUser(trx, found.id, { last_login_at: trx.fn.now() });
    const session = await s.sessions.create(trx, found.id, { ip: actor.ip, userAgent: input.userAgent });
    await audit.appendIn(trx, { ...actor, type: 'user', id: found.id }, [
      { action: 'auth.login', subjectType: 'User', subjectId: found.id, details: { email } },
    ]);
    return { userId: found.id, token: session.token, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
  });
}

/** Ends a session: it ends if and only if its sign-out is audited. */
export async function logout(s: Services, actor: Actor, session: { sessionId: string; userId: string }): Promise<void> {
  await s.db.transaction(async (trx) => {
    await s.sessions.end(session.sessionId, trx);
    await s.audit.appendIn(trx, actor, [{ action: 'auth.logout', subjectType: 'User', subjectId: session.userId }]);
  });
}
