import type { Db } from './knex';
import { migrationsDir, runningCompiled } from '../lib/paths';

// Arbitrary but fixed: every Switchboard process contends for this one advisory lock.
const MIGRATION_LOCK_ID = 0x5b0a4d01;

const migratorConfig = {
  directory: migrationsDir,
  loadExtensions: runningCompiled ? ['.js'] : ['.ts'],
  tableName: 'knex_migrations',
};

/**
 * Runs pending migrations. Concurrent boots queue on a session advisory lock, so
 * exactly one process migrates and the others find nothing left to do. `then` runs
 * under the same lock (the owner's follow-up: pg-boss's schema, the runtime's grants).
 */
export async function migrateLatest(db: Db, then?: () => Promise<void>): Promise<string[]> {
  const conn = await db.client.acquireConnection();
  try {
    await db.raw('SELECT pg_advisory_lock(?)', [MIGRATION_LOCK_ID]).connection(conn);
    // Nothing pending: leave knex's lock table alone (a runtime role may only read it).
    const pending = await pendingMigrations(db);
    const [, applied] = pending.length === 0 ? [0, []] : ((await db.migrate.latest(migratorConfig)) as [number, string[]]);
    await then?.();
    return applied;
  } finally {
    await db.raw('SELECT pg_advisory_unlock(?)', [MIGRATION_LOCK_ID]).connection(conn).catch(() => undefined);
    await db.client.releaseConnection(conn);
  }
}

/** Names of migrations shipped with this build that the database has not applied. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const [, pending] = (await db.migrate.list(migratorConfig)) as [unknown[], Array<{ file: string } | string>];
  return pending.map((p) => (typeof p === 'string' ? p : p.file));
}
