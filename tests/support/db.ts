import { randomBytes } from 'node:crypto';
import { createDb } from '../../server/db/knex';
import { TEMPLATE_DB, TEST_DB_PREFIX } from './constants';
import { withDatabase } from './globalFixtures';

function adminUrl(): string {
  const url = process.env.SB_TEST_ADMIN_URL;
  if (!url) {
    throw new Error('SB_TEST_ADMIN_URL is not set: run the tests through mocha (npm test), which starts PostgreSQL');
  }
  return url;
}

/** A fresh database cloned from the migrated template; `drop` removes it. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${TEST_DB_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = createDb(adminUrl(), 1);
  try {
    await admin.raw('CREATE DATABASE ?? TEMPLATE ??', [name, TEMPLATE_DB]);
  } finally {
    await admin.destroy();
  }
  return {
    url: withDatabase(adminUrl(), name),
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
