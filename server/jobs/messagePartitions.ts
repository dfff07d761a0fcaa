import type { Services } from '../services';
import { maintainMessagePartitions } from '../modules/inbox/partitions';
import type { JobDefinition } from './types';

/**
 * Creates the monthly partitions of `messages` ahead of time and moves any rows that landed in
 * the default partition into their month's. Hourly, and once when a worker starts: a partition
 * is made three months before it is needed, so the hour only bounds how long stray rows stay
 * in the default partition. Idempotent (a second run does nothing), and serialized across
 * processes by an advisory lock.
 */
export const messagePartitions: JobDefinition<Record<string, never>> = {
  name: 'messages.partitions',
  cron: '7 * * * *',
  runAtStart: true,
  options: { retryLimit: 5, retryDelay: 60, retryBackoff: true },
  perform: async (s: Services) => {
    const outcome = await maintainMessagePartitions(s.db, s.clock());
    if (outcome.created.length > 0) {
      s.log.info({ job: 'messages.partitions', ...outcome }, 'message partitions created');
    }
  },
};
