import { loadConfig } from '../config';
import { attachOrStartEmbedded } from '../db/embedded';
import { createDb } from '../db/knex';
import { notify } from '../db/locks';
import { systemActor } from '../lib/actor';
import { createLogger } from '../lib/logger';
import { AuditLog } from '../modules/audit/auditLog';
import { generatePassword, hashPassword } from '../modules/identity/passwords';
import { deleteUserSessions } from '../modules/identity/sessionRepo';
import { AUTH_CHANNEL } from '../modules/identity/sessions';
import { findAuthByEmail, updateUser } from '../modules/identity/userRepo';
import { runCli } from './run';

/**
 * `npm run user:reset-password -- <email>`: the operator's way back in when no administrator can
 * sign in (for example the first admin's temporary password expired unused). Prints a new
 * temporary password once; the reset is audited as the system's, and the user's sessions end.
 */
async function main(): Promise<number> {
  const email = process.argv[2]?.trim().toLowerCase();
  if (!email) {
    process.stderr.write('usage: npm run user:reset-password -- <email>\n');
    return 1;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const embedded = config.databaseUrl ? null : await attachOrStartEmbedded(config.dataDir, log);
  const db = createDb(config.databaseUrl ?? embedded!.url('switchboard'), 2);
  try {
    const user = await findAuthByEmail(db, email);
    if (!user) {
      process.stderr.write(`No user with email ${email}.\n`);
      return 2;
    }
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    const audit = new AuditLog(db, log);
    await db.transaction(async (trx) => {
      await updateUser(trx, user.id, {
        password_hash: passwordHash,
        must_change_password: true,
        password_changed_at: trx.fn.now(),
        temporary_password_expires_at: new Date(Date.now() + config.temporaryPasswordMs),
      });
      await deleteUserSessions(trx, user.id);
      await audit.appendIn(trx, systemActor, [{ action: 'user.password_reset', subjectType: 'User', subjectId: user.id, details: { via: 'cli' } }]);
      await notify(trx, AUTH_CHANNEL, `user:${user.id}`);
    });
    process.stdout.write(`Temporary password for ${email}: ${password}\nIt must be changed at sign-in and expires in ${config.temporaryPasswordMs / 3_600_000} h.\n`);
    return 0;
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}

runCli(main);
