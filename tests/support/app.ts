import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { loadConfig, type Config } from '../../server/config';
import type { Clock } from '../../server/lib/clock';
import { systemActor } from '../../server/lib/actor';
import { createLogger, type Logger } from '../../server/lib/logger';
import { newId } from '../../server/lib/ids';
import { projectRoot } from '../../server/lib/paths';
import { findRoleByKey } from '../../server/modules/authz/roleRepo';
import { hashPassword } from '../../server/modules/identity/passwords';
import { insertUser, setMemberships } from '../../server/modules/identity/userRepo';
import { startRuntime, type Runtime } from '../../server/runtime';
import { ApiClient } from './client';
import { UNREACHABLE_GRAPH_ORIGIN } from './constants';
import { asOwner, asSuperuser, createTestDatabase } from './db';

export const TEST_PASSWORD = 'correct-Horse-battery-9';

// Processes of one install share one master key: a second app on the same database gets the first's.
const masterKeys = new Map<string, string>();

export type TestApp = {
  runtime: Runtime;
  url: string;
  /** The runtime role's URL (what the app connects with). */
  databaseUrl: string;
  /** The owner role's URL (migrations). */
  ownerUrl: string;
  /** A superuser's URL, for tests that tamper behind the application's back. */
  superuserUrl: string;
  admin: { email: string; password: string };
  client: () => ApiClient;
  /** A client signed in as a fresh user holding the given built-in or custom role keys. */
  userWithRoles: (roleKeys: string[], opts?: { teamIds?: string[]; email?: string }) => Promise<{ id: string; email: string; client: ApiClient }>;
  /** The bootstrap admin, signed in, password already changed. */
  adminClient: () => Promise<ApiClient>;
  stop: () => Promise<void>;
};

/**
 * Starts the real application (web role by default) on an ephemeral port, against a fresh
 * database cloned from the migrated template. As in production, it migrates as the owner
 * role and runs as the runtime role. `options.clock` replaces
 * the application's calendar clock (received times, partition months).
 */
export async function startTestApp(overrides: Partial<Record<string, string>> = {}, options: { clock?: Clock; log?: Logger } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const databaseUrl = overrides.DATABASE_URL ?? database.url;
  // One data dir (media, audit anchors) per database, as pods of one install share one volume.
  const databaseName = new URL(databaseUrl).pathname.slice(1);
  const dataDir = path.join(projectRoot, '.data', 'test-apps', databaseName);
  const masterKey = masterKeys.get(databaseName) ?? randomBytes(32).toString('base64');
  masterKeys.set(databaseName, masterKey);
  const config: Config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: database.url,
    // The owner of whichever database the app is pointed at (an override may name another).
    DATABASE_OWNER_URL: asOwner(databaseUrl),
    SWITCHBOARD_DATA_DIR: dataDir,
    DATABASE_POOL_MAX: '10',
    SWITCHBOARD_MASTER_KEY: masterKey,
    SWITCHBOARD_ROLE: 'web',
    SWITCHBOARD_SANDBOX: 'false',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // The unreachable Graph API that test numbers use unless a test gives its own (addChannel).
    GRAPH_ALLOWED_HOSTS: UNREACHABLE_GRAPH_ORIGIN,
    ...overrides,
  });
  const runtime = await startRuntime(config, options.log ?? createLogger(config.logLevel), { clock: options.clock });
  if (!runtime.url || (!runtime.bootstrap && !overrides.DATABASE_URL)) {
    throw new Error('test app did not start a web role with a bootstrap admin');
  }
  const url = runtime.url;
  const s = runtime.services;
  // A second process on an existing database finds the admin already created.
  const bootstrap = runtime.bootstrap ?? { email: config.bootstrapAdminEmail, password: TEST_PASSWORD };

  const userWithRoles: TestApp['userWithRoles'] = async (roleKeys, opts = {}) => {
    const id = newId();
    const email = opts.email ?? `user-${id.slice(-12)}@example.test`;
    const passwordHash = await hashPassword(TEST_PASSWORD);
    await s.db.transaction(async (trx) => {
      await insertUser(trx, { id, email, name: `Test ${roleKeys.join('+') || 'nobody'}`, passwordHash, mustChangePassword: false });
      const roleIds: string[] = [];
      for (const key of roleKeys) {
        const role = await findRoleByKey(trx, key);
        if (!role) {
          throw new Error(`no role ${key}`);
        }
        roleIds.push(role.id);
      }
      await setMemberships(trx, 'user_roles', id, roleIds);
      await setMemberships(trx, 'user_teams', id, opts.teamIds ?? []);
      await s.audit.appendIn(trx, systemActor, [{ action: 'user.created', subjectType: 'User', subjectId: id, details: { fixture: true } }]);
    });
    const client = await new ApiClient(url).login(email, TEST_PASSWORD);
    return { id, email, client };
  };

  const adminClient = async () => {
    // A test may already have changed the bootstrap password (always to TEST_PASSWORD).
    const row = (await s.db('users').select('must_change_password').whereRaw('lower(email) = ?', [bootstrap.email]).first()) as
      | { must_change_password: boolean }
      | undefined;
    const fresh = row?.must_change_password === true;
    const c = await new ApiClient(url).login(bootstrap.email, fresh ? bootstrap.password : TEST_PASSWORD);
    if (fresh) {
      const res = await c.post('/api/v1/auth/password', { currentPassword: bootstrap.password, newPassword: TEST_PASSWORD });
      if (res.status !== 204) {
        throw new Error(`admin password change failed: ${JSON.stringify(res.body)}`);
      }
    }
    return c;
  };

  return {
    runtime,
    url,
    databaseUrl: config.databaseUrl!,
    ownerUrl: config.databaseOwnerUrl!,
    superuserUrl: asSuperuser(config.databaseUrl!),
    admin: bootstrap,
    client: () => new ApiClient(url),
    userWithRoles,
    adminClient,
    stop: async () => {
      await runtime.stop();
      await database.drop();
      if (!overrides.DATABASE_URL) {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
