import { systemActor } from '../lib/actor';
import { anchorAuditChain } from '../modules/audit/anchorCommand';
import type { Services } from '../services';
import type { JobDefinition } from './types';

/**
 * Signs the audit chain's head with the appliance key (hourly unless AUDIT_ANCHOR_CRON says otherwise) and keeps it outside the
 * database. Running twice only writes one more anchor of a (later) head, which is harmless.
 */
export const auditAnchor: JobDefinition<Record<string, never>> = {
  name: 'audit.anchor',
  cron: (config) => config.auditAnchorCron,
  options: { retryLimit: 3, retryDelay: 60, retryBackoff: true },
  perform: async (s: Services) => {
    const anchor = await anchorAuditChain(s, systemActor, 'schedule');
    s.log.info({ job: 'audit.anchor', seq: anchor?.seq ?? null }, 'audit chain anchored');
  },
};
