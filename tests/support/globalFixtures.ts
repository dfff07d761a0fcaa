/**
 * Mocha global fixtures (main process only): one PostgreSQL for the whole run, and a
 * migrated template database that every test file clones (CREATE DATABASE ... TEMPLATE),
 * so files run in parallel workers without sharing state.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../server/db/embedded';
import { createDb } from '../../server/db/knex';
import { ensureEmbeddedRoles } from '../../server/db/roles';
import { createLogger } from '../../server/lib/logger';
import { projectRoot } from '../../server/lib/paths';
import { setUpDatabase } from '../../server/setup';
import { TEMPLATE_DB, TEST_DB_PREFIX } from './constants';
import { ensureUiBuilt, installChromiumIfMissing } from './ui';

let embedded: EmbeddedServer | null = null;

export async function mochaGlobalSetup(): Promise<void> {
  prepareBrowserTests();
  const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'warn');
  let adminUrl = process.env.TEST_DATABASE_URL;
  const dir = path.join(projectRoot, '.data', 'test');
  if (!adminUrl) {
    embedded = await startEmbeddedPostgres(dir, log);
    adminUrl = embedded.url('postgres');
  }
  const admin = createDb(adminUrl, 1);
  try {
    const stale = await admin.raw<{ rows: Array<{ datname: string }> }>(
      `SELECT datname FROM pg_database WHERE datname = ? OR datname LIKE ?`,
      [TEMPLATE_DB, `${TEST_DB_PREFIX}%`],
    );
    for (const { datname } of stale.rows) {
      await admin.raw(`DROP DATABASE IF EXISTS ?? WITH (FORCE)`, [datname]);
    }
    await admin.raw(`CREATE DATABASE ?? ENCODING 'UTF8'`, [TEMPLATE_DB]);
  } finally {
    await admin.destroy();
  }
  // As in production: the owner role migrates, the application runs as the runtime role.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { ownerUrl, runtimeUrl } = await ensureEmbeddedRoles(adminUrl, TEMPLATE_DB, dir);
  await setUpDatabase(ownerUrl, decodeURIComponent(new URL(runtimeUrl).username), log);
  process.env.SB_TEST_ADMIN_URL = adminUrl;
  process.env.SB_TEST_OWNER_URL = ownerUrl;
  process.env.SB_TEST_RUNTIME_URL = runtimeUrl;
}

export async function mochaGlobalTeardown(): Promise<void> {
  await embedded?.stop();
}

/** The same server URL pointing at another database. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Here, in the main process before the workers start, because two workers installing Chromium
 * (apt-get's lock) or building the UI into the same folder at once fail. Without a browser the
 * other tests still run; the browser tests then fail with the line printed here.
 */
function prepareBrowserTests(): void {
  const problem = installChromiumIfMissing();
  if (problem) {
    process.stderr.write(`${problem} (the browser tests will fail)\n`);
  }
  ensureUiBuilt();
}
