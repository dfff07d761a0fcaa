import { isUniqueViolation } from '../../db/knex';
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import type { AuditEntry } from '../audit/auditLog';
import { assertOwnRolesUnchanged, assertRolesGrantable, assertTargetCovered, type Grantor } from '../authz/grants';
import { generatePassword, hashPassword, passwordProblems, verifyPassword } from './passwords';
import { deleteUserSessions } from './sessionRepo';
import { clearAccountFailures, countFailure, currentBlock, lockedError, throttleKeys } from './throttle';
import { existingIds, findPasswordHash, findUser, insertUser, setMemberships, updateUser, type User } from './userRepo';

/** Rejects role or team ids that do not exist, naming them. */
async function checkRefs(trx: Parameters<typeof existingIds>[0], roleIds?: string[], teamIds?: string[]) {
  for (const [table, ids] of [['roles', roleIds], ['teams', teamIds]] as const) {
    if (!ids) {
      continue;
    }
    const found = new Set(await existingIds(trx, table, ids));
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      throw errors.validation(`Unknown ${table}: ${missing.join(', ')}`, {
        fields: [{ path: `body.${table === 'roles' ? 'roleIds' : 'teamIds'}`, message: 'unknown id', missing }],
      });
    }
  }
}

/** Until when a temporary password issued now may be used to sign in. */
export const temporaryPasswordExpiry = (s: Services): Date => new Date(Date.now() + s.config.temporaryPasswordMs);

/**
 * Creates a user with a temporary password that must be changed at first sign-in (and expires).
 * The creator must hold every right the new user's roles give.
 */
export async function createUser(
  s: Services,
  grantor: Grantor,
  input: { email: string; name: string; roleIds: string[]; teamIds: string[]; locale?: 'en' | 'fr' },
): Promise<{ user: User; temporaryPassword: string }> {
  const { actor } = grantor;
  const temporaryPassword = generatePassword();
  const passwordHash = await hashPassword(temporaryPassword);
  const id = newId();
  const email = input.email.trim();
  const user = await s.db.transaction(async (trx) => {
    await checkRefs(trx, input.roleIds, input.teamIds);
    await assertRolesGrantable(s, trx, grantor, input.roleIds, { id, email, teamIds: input.teamIds }, id);
    await insertUser(trx, { id, email, name: input.name.trim(), passwordHash, mustChangePassword: true, locale: input.locale }).catch((err: unknown) => {
      // Emails are unique whatever their case (users_email_lower_key): say so beside the email.
      throw isUniqueViolation(err, 'users_email_lower_key') ? errors.taken('A user with this email already exists.', 'body.email') : err;
    });
    await updateUser(trx, id, { temporary_password_expires_at: temporaryPasswordExpiry(s) });
    await setMemberships(trx, 'user_roles', id, input.roleIds);
    await setMemberships(trx, 'user_teams', id, input.teamIds);
    await s.audit.appendIn(trx, actor, [
      { action: 'user.created', subjectType: 'User', subjectId: id, details: { roleIds: input.roleIds, teamIds: input.teamIds } },
    ]);
    return (await findUser(trx, id))!;
  });
  return { user, temporaryPassword };
}

/**
 * Changes a user's name, locale, roles or teams; role and team changes apply on the user's next
 * request. Nobody changes their own roles, edits a user with rights they lack, or gives rights
 * (through roles, or teams that role conditions name) they do not hold.
 */
export async function editUser(
  s: Services,
  grantor: Grantor,
  id: string,
  patch: { name?: string; locale?: 'en' | 'fr'; roleIds?: string[]; teamIds?: string[] },
): Promise<User> {
  const { actor } = grantor;
  return s.db.transaction(async (trx) => {
    const before = await findUser(trx, id);
    if (!before) {
      throw errors.notFound('User');
    }
    await checkRefs(trx, patch.roleIds, patch.teamIds);
    await assertOwnRolesUnchanged(s, grantor, before, patch.roleIds);
    await assertTargetCovered(s, trx, grantor, before, 'update');
    if (patch.roleIds || patch.teamIds) {
      const holder = { id, email: before.email, teamIds: patch.teamIds ?? before.teamIds };
      await assertRolesGrantable(s, trx, grantor, patch.roleIds ?? before.roleIds, holder, id);
    }
    const columns: Record<string, unknown> = {};
    if (patch.name !== undefined) {
      columns.name = patch.name.trim();
    }
    if (patch.locale !== undefined) {
      columns.locale = patch.locale;
    }
    await updateUser(trx, id, columns);
    if (patch.roleIds) {
      await setMemberships(trx, 'user_roles', id, patch.roleIds);
    }
    if (patch.teamIds) {
      await setMemberships(trx, 'user_teams', id, patch.teamIds);
    }
    const entries: AuditEntry[] = [{ action: 'user.updated', subjectType: 'User', subjectId: id, details: { fields: Object.keys(patch) } }];
    if (patch.roleIds) {
      entries.push({ action: 'user.roles_changed', subjectType: 'User', subjectId: id, details: { from: before.roleIds, to: patch.roleIds } });
    }
    if (patch.teamIds) {
      entries.push({ action: 'user.teams_changed', subjectType: 'User', subjectId: id, details: { from: before.teamIds, to: patch.teamIds } });
    }
    await s.audit.appendIn(trx, actor, entries);
    await s.sessions.invalidateEverywhere(trx, `user:${id}`);
    return (await findUser(trx, id))!;
  });
}

/** Disables or re-enables a user with no rights beyond the actor's; disabling ends every session at once. */
export async function setUserStatus(s: Services, grantor: Grantor, id: string, status: 'active' | 'disabled'): Promise<User> {
  const { actor } = grantor;
  // Disabling oneself would lock the last administrator out; refused like any other denial.
  if (status === 'disabled' && actor.id === id) {
    const refused = errors.ownAccountDisable();
    await s.audit.record(actor, { action: 'access.denied', subjectType: 'User', subjectId: id, details: { reason: refused.id, permission: 'User:disable' } });
    throw refused;
  }
  return s.db.transaction(async (trx) => {
    const target = await findUser(trx, id);
    if (!target) {
      throw errors.notFound('User');
    }
    await assertTargetCovered(s, trx, grantor, target, status === 'disabled' ? 'disable' : 'enable');
    await updateUser(trx, id, { status });
    if (status === 'disabled') {
      await deleteUserSessions(trx, id);
    }
    await s.audit.appendIn(trx, actor, [
      { action: status === 'disabled' ? 'user.disabled' : 'user.enabled', subjectType: 'User', subjectId: id },
    ]);
    await s.sessions.invalidateEverywhere(trx, `user:${id}`);
    return (await findUser(trx, id))!;
  });
}

/**
 * Gives a user a new temporary password (which expires), ends their sessions, and forces a
 * change at next sign-in. Only for users whose every right the actor holds: the caller learns
 * the password, so a reset must not be a way into a more powerful account.
 */
export async function resetPassword(s: Services, grantor: Grantor, id: string): Promise<string> {
  const { actor } = grantor;
  const temporaryPassword = generatePassword();
  const passwordHash = await hashPassword(temporaryPassword);
  await s.db.transaction(async (trx) => {
    const target = await findUser(trx, id);
    if (!target) {
      throw errors.notFound('User');
    }
    await assertTargetCovered(s, trx, grantor, target, 'resetPassword');
    await updateUser(trx, id, {
      password_hash: passwordHash,
      must_change_password: true,
      password_changed_at: trx.fn.now(),
      temporary_password_expires_at: temporaryPasswordExpiry(s),
    });
    await deleteUserSessions(trx, id);
    await s.audit.appendIn(trx, actor, [{ action: 'user.password_reset', subjectType: 'User', subjectId: id }]);
    await s.sessions.invalidateEverywhere(trx, `user:${id}`);
  });
  return temporaryPassword;
}

/** A signed-in user changes their own password; other sessions of theirs end. */
export async function changeOwnPassword(
  s: Services,
  actor: Actor & { id: string },
  session: { sessionId: string; email: string },
  input: { currentPassword: string; newPassword: string },
): Promise<void> {
  // The current-password check is a password oracle too: the same counters as sign-in guard it.
  const keys = throttleKeys(session.email, actor);
  const block = await currentBlock(s, keys);
  if (block) {
    await s.audit.record(actor, { action: 'auth.password_change_failed', subjectType: 'User', subjectId: actor.id, details: { reason: block.reason } });
    throw block.error;
  }
  const stored = await findPasswordHash(s.db, actor.id);
  if (!stored || !(await verifyPassword(stored, input.currentPassword))) {
    const locked = await countFailure(s, keys);
    await s.audit.record(actor, {
      action: 'auth.password_change_failed',
      subjectType: 'User',
      subjectId: actor.id,
      details: { reason: 'bad_password', ...(locked ? { lockedUntil: locked.toISOString() } : {}) },
    });
    throw locked ? lockedError(locked) : errors.invalidCredentials();
  }
  await clearAccountFailures(s, keys);
  const problems = passwordProblems(input.newPassword, session.email, input.currentPassword);
  if (problems.length > 0) {
    throw errors.weakPassword(problems);
  }
  const passwordHash = await hashPassword(input.newPassword);
  await s.db.transaction(async (trx) => {
    await updateUser(trx, actor.id, {
      password_hash: passwordHash,
      must_change_password: false,
      password_changed_at: trx.fn.now(),
      temporary_password_expires_at: null,
    });
    await deleteUserSessions(trx, actor.id, session.sessionId);
    await s.audit.appendIn(trx, actor, [{ action: 'auth.password_changed', subjectType: 'User', subjectId: actor.id }]);
    await s.sessions.invalidateEverywhere(trx, `user:${actor.id}`);
  });
}
