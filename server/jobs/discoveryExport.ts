import { z } from 'zod';
import { EXPORT_QUEUE, expireExports, performExport } from '../modules/discovery';
import type { Services } from '../services';
import type { JobDefinition } from './types';

const payload = z.object({ exportId: z.uuid() });

/**
 * Writes one e-discovery bundle, enqueued in the transaction that requested it. Safe twice:
 * a finished export is skipped, a crashed one starts over. One retry (a store hiccup); a bundle
 * that fails again is marked failed and can be requested anew.
 */
export const discoveryExport: JobDefinition<Record<string, unknown>> = {
  name: EXPORT_QUEUE,
  options: { retryLimit: 1, retryDelay: 30, retryBackoff: false, expireInSeconds: 6 * 3600 },
  perform: async (s: Services, data) => {
    await performExport(s, payload.parse(data).exportId);
  },
};

/** Hourly (at :41, off the other jobs' minutes): deletes the bundles past the exports retention period. */
export const discoveryExportsExpire: JobDefinition<Record<string, never>> = {
  name: 'discovery.exports.expire',
  cron: '41 * * * *',
  options: { retryLimit: 2, retryDelay: 300, retryBackoff: true, expireInSeconds: 3600 },
  perform: async (s: Services) => {
    const expired = await expireExports(s);
    if (expired > 0) {
      s.log.info({ job: 'discovery.exports.expire', expired }, 'expired discovery exports deleted');
    }
  },
};
