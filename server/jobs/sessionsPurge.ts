import type { Services } from '../services';
import { purgeExpiredSessions } from '../modules/identity/sessionRepo';
import type { JobDefinition } from './types';

/** Deletes sessions past their idle or absolute limit. Idempotent: a second run finds nothing. */
export const sessionsPurge: JobDefinition<Record<string, never>> = {
  name: 'sessions.purge',
  cron: '*/15 * * * *',
  options: { retryLimit: 3, retryDelay: 30, retryBackoff: true },
  perform: async (s: Services) => {
    const now = new Date();
    const removed = await purgeExpiredSessions(s.db, new Date(now.getTime() - s.config.sessionIdleMs), now);
    s.log.info({ job: 'sessions.purge', removed }, 'expired sessions purged');
  },
};
