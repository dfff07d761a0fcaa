import { systemActor } from '../lib/actor';
import { runRetention } from '../modules/retention';
import type { Services } from '../services';
import type { JobDefinition } from './types';

/**
 * Nightly retention (03:17, off the hour when anchors and partitions run). node-cron ticks on
 * every worker; the singleton key of the slot enqueues it once, and an advisory lock refuses a
 * second run that would overlap (a "run now"). Safe twice: a second run finds nothing expired.
 */
export const retention: JobDefinition<Record<string, never>> = {
  name: 'retention.run',
  cron: '17 3 * * *',
  options: { retryLimit: 2, retryDelay: 600, retryBackoff: true, expireInSeconds: 6 * 3600 },
  perform: async (s: Services) => {
    const run = await runRetention(s, systemActor, 'schedule');
    s.log.info({ job: 'retention.run', run: run.id, messages: run.counts.messages.total, dropped: run.counts.droppedPartitions.length }, 'retention run done');
  },
};
