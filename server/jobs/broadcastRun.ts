import { z } from 'zod';
import { BROADCAST_JOB, broadcastTick as tick, runBroadcast } from '../modules/broadcasts';
import type { Services } from '../services';
import type { JobDefinition } from './types';

const payload = z.object({ broadcastId: z.uuid() });

/**
 * One run of a broadcast: starts it when due, enqueues its pending recipients, reconciles sends
 * a crash left unrecorded, and either marks it completed or enqueues its next run. Idempotent:
 * a retry after a dead worker (the job expires) continues where the last chunk committed.
 */
export const broadcastRun: JobDefinition<Record<string, unknown>> = {
  name: BROADCAST_JOB,
  options: { retryLimit: 5, retryDelay: 5, retryBackoff: false, expireInSeconds: 15 * 60 },
  perform: async (s: Services, data) => {
    await runBroadcast(s, payload.parse(data).broadcastId);
  },
};

/** Every minute and at a worker's start: due scheduled broadcasts start, stalled running ones resume. */
export const broadcastTick: JobDefinition<Record<string, never>> = {
  name: 'broadcast-tick',
  cron: '* * * * *',
  runAtStart: true,
  options: { retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 300 },
  perform: async (s: Services) => {
    await tick(s);
  },
};
