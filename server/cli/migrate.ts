import { ConfigError, loadConfig } from '../config';
import { createDb } from '../db/knex';
import { currentRole } from '../db/roles';
import { systemActor } from '../lib/actor';
import { createLogger } from '../lib/logger';
import { AuditLog } from '../modules/audit/auditLog';
import { seedBuiltinRoles } from '../modules/authz/roleCommands';
import { SessionStore } from '../modules/identity/sessions';
import { startRuntime } from '../runtime';
import { setUpDatabase } from '../setup';

/**
 * `npm run migrate`: applies pending migrations (under the advisory lock) as the owner role
 * (DATABASE_OWNER_URL, else DATABASE_URL), installs pg-boss's queues, grants the runtime role
 * (DATABASE_URL's) what it needs, and converges the built-in roles, then exits. With
 * DATABASE_URL unset it sets up the embedded database.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  if (!config.databaseUrl) {
    // Zero-config: booting the runtime in worker-less web mode on port 0 migrates and seeds.
    const rt = await startRuntime({ ...config, role: 'web', port: 0, host: '127.0.0.1' }, log);
    await rt.stop();
    return;
  }
  const db = createDb(config.databaseUrl, 2);
  try {
    const applied = await setUpDatabase(config.databaseOwnerUrl ?? config.databaseUrl, (await currentRole(db)).name, log);
    log.info({ applied }, applied.length ? 'migrations applied' : 'database already current');
    const audit = new AuditLog(db, log);
    const sessions = new SessionStore(db, { idleMs: config.sessionIdleMs, absoluteMs: config.sessionAbsoluteMs });
    await seedBuiltinRoles({ db, audit, sessions }, systemActor);
  } finally {
    await db.destroy();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
