import { sweepUncosted } from '../modules/costs';
import type { Services } from '../services';
import type { JobDefinition } from './types';

/**
 * Every 15 minutes (at :07, :22, :37, :52): costs the sent messages that have pricing but no cost,
 * i.e. whose priced status was parked until the sender learnt the wamid. Twice is harmless: a
 * message is costed once (message_costs' key), and each budget threshold fires once a month.
 */
export const costsSweep: JobDefinition<Record<string, never>> = {
  name: 'costs.sweep',
  cron: '7,22,37,52 * * * *',
  options: { retryLimit: 2, retryDelay: 120, retryBackoff: true, expireInSeconds: 900 },
  perform: async (s: Services) => {
    const costed = await sweepUncosted(s);
    if (costed > 0) {
      s.log.info({ job: 'costs.sweep', costed }, 'messages costed by the sweep');
    }
  },
};
