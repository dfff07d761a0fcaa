import cron, { type ScheduledTask } from 'node-cron';
import PgBoss from 'pg-boss';
import type { Services } from '../services';
import { messagePartitions } from './messagePartitions';
import { sessionsPurge } from './sessionsPurge';
import type { JobDefinition } from './types';

const JOBS: Array<JobDefinition<Record<string, never>>> = [sessionsPurge, messagePartitions];

export type Worker = { boss: PgBoss; stop: () => Promise<void> };

/**
 * The worker role: pg-boss on the application database, one queue per job, and node-cron
 * schedules whose ticks are de-duplicated across replicas by a singleton key per time slot.
 */
export async function startWorker(s: Services, databaseUrl: string): Promise<Worker> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', application_name: 'switchboard-worker', max: 5 });
  boss.on('error', (err) => s.log.error({ err: err.message }, 'pg-boss error'));
  await boss.start();
  const tasks: ScheduledTask[] = [];
  for (const job of JOBS) {
    await boss.createQueue(job.name, { name: job.name, ...job.options });
    await boss.work<Record<string, never>>(job.name, async (batch) => {
      for (const j of batch) {
        await job.perform(s, j.data);
      }
    });
    if (job.cron) {
      tasks.push(
        cron.schedule(job.cron, () => {
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
