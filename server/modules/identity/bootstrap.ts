import { advisoryXactLock } from '../../db/locks';
import { systemActor } from '../../lib/actor';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { findRoleByKey } from '../authz';
import { generatePassword, hashPassword } from './passwords';
import { countUsers, insertUser, setMemberships, updateUser } from './userRepo';

const BOOTSTRAP_LOCK = 0x5b0a4d04;

/**
 * Creates the first administrator when there are no users at all. The random password is
 * returned (to be printed once) and must be changed at first sign-in.
 */
export async function bootstrapAdmin(s: Services): Promise<{ email: string; password: string } | null> {
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  return s.db.transaction(async (trx) => {
    await advisoryXactLock(trx, BOOTSTRAP_LOCK);
    if ((await countUsers(trx)) > 0) {
      return null;
    }
    const admin = await findRoleByKey(trx, 'admin');
    if (!admin) {
      throw new Error('the built-in admin role is missing; seed roles first');
    }
    const id = newId();
    const email = s.config.bootstrapAdminEmail;
    await insertUser(trx, { id, email, name: 'Administrator', passwordHash, mustChangePassword: true });
    // Printed once in a log: it must not stay a way in for longer than the operator was told.
    await updateUser(trx, id, { temporary_password_expires_at: new Date(Date.now() + s.config.temporaryPasswordMs) });
    await setMemberships(trx, 'user_roles', id, [admin.id]);
    await s.audit.appendIn(trx, systemActor, [{ action: 'user.bootstrapped', subjectType: 'User', subjectId: id, details: { email } }]);
    return { email, password };
  });
}
