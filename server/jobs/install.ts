import PgBoss from 'pg-boss';
import type { Logger } from '../lib/logger';
import { JOBS, PGBOSS_SCHEMA } from './worker';

/**
 * Run by the owner role with the migrations: creates or upgrades pg-boss's schema and one
 * queue per job. pg-boss 10 makes a partition table per queue, which is DDL, so the runtime
 * role (which may not create tables) starts pg-boss with `migrate: false` and finds them made.
 */
export async function installJobQueues(ownerUrl: string, log: Logger): Promise<void> {
  const boss = new PgBoss({
    connectionString: ownerUrl,
    schema: PGBOSS_SCHEMA,
    application_name: 'switchboard-migrate',
    max: 2,
    migrate: true,
    supervise: false,
    schedule: false,
  });
  boss.on('error', (err) => log.error({ err: err.message }, 'pg-boss error while installing queues'));
  await boss.start();
  try {
    for (const job of JOBS) {
      await boss.createQueue(job.name, { name: job.name, ...job.options });
    }
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}
