import { randomBytes } from 'node:crypto';
import { createDb } from '../../server/db/knex';
import { TEMPLATE_DB, TEST_DB_PREFIX } from './constants';
import { withDatabase } from './globalFixtures';

function fromEnv(name: 'SB_TEST_ADMIN_URL' | 'SB_TEST_OWNER_URL' | 'SB_TEST_RUNTIME_URL'): string {
  const url = process.env[name];
  if (!url) {
    throw new Error(`${name} is not set: run the tests through mocha (npm test), which starts PostgreSQL`);
  }
  return url;
}

function adminUrl(): string {
  return fromEnv('SB_TEST_ADMIN_URL');
}

function withCredentialsOf(url: string, roleUrl: string): string {
  const role = new URL(roleUrl);
  const u = new URL(url);
  u.username = role.username;
  u.password = role.password;
  return u.toString();
}

/** The same server and database with the owner role's credentials (migrations), whatever role `url` names. */
export function asOwner(url: string): string {
  return withCredentialsOf(url, fromEnv('SB_TEST_OWNER_URL'));
}

/** The same server and database with a superuser's credentials. */
export function asSuperuser(url: string): string {
  return withCredentialsOf(url, adminUrl());
}

export type TestDatabase = {
  /** The runtime role's URL: what the application connects with. */
  url: string;
  /** The owner role's URL: migrations. */
  ownerUrl: string;
  /** A superuser's URL: for tests that tamper behind the application's back. */
  superuserUrl: string;
  name: string;
  drop: () => Promise<void>;
};

/** A fresh database cloned from the migrated template (grants included); `drop` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = createDb(adminUrl(), 1);
  try {
    await admin.raw('CREATE DATABASE ?? TEMPLATE ?? OWNER ??', [name, TEMPLATE_DB, decodeURIComponent(new URL(fromEnv('SB_TEST_OWNER_URL')).username)]);
  } finally {
    await admin.destroy();
  }
  return {
    url: withDatabase(fromEnv('SB_TEST_RUNTIME_URL'), name),
    ownerUrl: withDatabase(fromEnv('SB_TEST_OWNER_URL'), name),
    superuserUrl: withDatabase(adminUrl(), name),
    name,
    drop: async () => {
      const a = createDb(adminUrl(), 1);
      try {
        await a.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
      } finally {
        await a.destroy();
      }
    },
  };
}
