import { createDb } from './db/knex';
import { migrateLatest } from './db/migrate';
import { grantRuntimeRole } from './db/roles';
import { installJobQueues } from './jobs/install';
import type { Logger } from './lib/logger';

/**
 * Everything the owner role does before the application may run, under the migration lock:
 * the knex migrations, pg-boss's schema and queues, then the runtime role's grants. Returns
 * the migrations applied. With one role for both (no DATABASE_OWNER_URL) the grants are skipped.
 */
export async function setUpDatabase(ownerUrl: string, runtimeRole: string, log: Logger): Promise<string[]> {
  const owner = createDb(ownerUrl, 2);
  try {
    return await migrateLatest(owner, async () => {
      await installJobQueues(ownerUrl, log);
      await grantRuntimeRole(owner, runtimeRole);
    });
  } finally {
    await owner.destroy();
  }
}
