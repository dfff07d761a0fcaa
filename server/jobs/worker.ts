import cron, { type ScheduledTask } from 'node-cron';
import PgBoss from 'pg-boss';
import type { Services } from '../services';
import { auditAnchor } from './auditAnchor';
import { discoveryExport, discoveryExportsExpire } from './discoveryExport';
import { messagePartitions } from './messagePartitions';
import { retention } from './retention';
import { sessionsPurge } from './sessionsPurge';
import { contactImport } from './contactImport';
import { costsSweep } from './costsSweep';
import { broadcastRun, broadcastTick } from './broadcastRun';
import type { JobDefinition } from './types';
import { PGBOSS_SCHEMA } from '../db/jobQueue';

/** Every job; the owner creates their queues with the migrations (server/jobs/install.ts). */
export const JOBS: Array<JobDefinition<Record<string, never>>> = [sessionsPurge, messagePartitions, auditAnchor, retention, contactImport];
// E-discovery: bundles written on request, expired bundles deleted hourly.
JOBS.push(discoveryExport, discoveryExportsExpire);
// Costs: messages whose pricing the webhooks could not cost at once.
JOBS.push(costsSweep);
// Broadcasts: a run per broadcast (with its follow-ups), and a tick that starts due ones and revives stalled ones.
JOBS.push(broadcastRun, broadcastTick);
export { PGBOSS_SCHEMA };

export type Worker = { boss: PgBoss; stop: () => Promise<void> };

/**
 * The worker role: pg-boss on the application database, one queue per job, and node-cron
 * schedules whose ticks are de-duplicated across replicas by a singleton key per time slot.
 */
export async function startWorker(s: Services, databaseUrl: string): Promise<Worker> {
  // The runtime role may not create tables: pg-boss's schema and queues are the owner's (setup.ts).
  // Schedules come from node-cron below, so pg-boss's own scheduler stays off.
  const boss = new PgBoss({
    connectionString: databaseUrl, schema: PGBOSS_SCHEMA, application_name: 'switchboard-worker', max: 5, migrate: false, schedule: false,
  });
  boss.on('error', (err) => s.log.error({ err: err.message }, 'pg-boss error'));
  await boss.start();
  const tasks: ScheduledTask[] = [];
  for (const job of JOBS) {
    if (!(await boss.getQueue(job.name))) {
      throw new Error(`pg-boss queue ${job.name} is missing: run the migrations as the owner role (npm run migrate)`);
    }
    await boss.work<Record<string, never>>(job.name, async (batch) => {
      for (const j of batch) {
        await job.perform(s, j.data);
      }
    });
    if (job.cron) {
      tasks.push(
        cron.schedule(typeof job.cron === 'function' ? job.cron(s.config) : job.cron, () => {
          const slot = new Date();
          slot.setSeconds(0, 0);
          boss
            .send(job.name, {}, { singletonKey: `${job.name}:${slot.toISOString()}`, singletonSeconds: 60 })
            .catch((err: Error) => s.log.warn({ err: err.message, job: job.name }, 'could not enqueue scheduled job'));
        }),
      );
    }
  }
  for (const job of JOBS.filter((j) => j.runAtStart)) {
    await boss.send(job.name, {}, { singletonKey: `${job.name}:start`, singletonSeconds: 60 });
  }
  s.log.info({ jobs: JOBS.map((j) => j.name) }, 'worker started');
  return {
    boss,
    stop: async () => {
      tasks.forEach((t) => t.stop());
      await boss.stop({ graceful: true, timeout: 5000 });
    },
  };
}
