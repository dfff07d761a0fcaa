import type { Services } from '../../services';
import { countExpiredAuditEvents, countInactiveContacts, countOldSessions } from './classRepo';
import { cutoffsFor, latestCutoff } from './cutoffs';
import type { DataClass } from './periods';
import { countExpiredMedia, countExpiredMessages, DEFAULT_PARTITION, monthPartitions, policyPeriods } from './repo';

export type PreviewLine = { dataClass: DataClass; channelId: string | null; count: number };

/**
 * What the next run would delete now, per class and number (held rows excluded, as the run
 * skips them). Counted with the run's own predicates, so the two cannot disagree.
 */
export async function previewRetention(s: Pick<Services, 'db' | 'clock'>): Promise<{ at: Date; lines: PreviewLine[] }> {
  const now = s.clock();
  const policies = await policyPeriods(s.db);
  const lines: PreviewLine[] = [];
  const messages = cutoffsFor(policies, 'messages', now);
  const perChannel = new Map<string, number>();
  const partitions = (await monthPartitions(s.db)).filter((p) => p.lower < latestCutoff(messages)).map((p) => p.name);
  for (const name of [...partitions, DEFAULT_PARTITION]) {
    for (const r of await countExpiredMessages(s.db, name, messages)) {
      perChannel.set(r.channel_id, (perChannel.get(r.channel_id) ?? 0) + r.n);
    }
  }
  perChannel.forEach((count, channelId) => lines.push({ dataClass: 'messages', channelId, count }));
  for (const r of await countExpiredMedia(s.db, cutoffsFor(policies, 'media', now))) {
    lines.push({ dataClass: 'media', channelId: r.channel_id, count: r.n });
  }
  lines.push({ dataClass: 'inactive_contacts', channelId: null, count: await countInactiveContacts(s.db, cutoffsFor(policies, 'inactive_contacts', now).fallback) });
  lines.push({ dataClass: 'sessions', channelId: null, count: await countOldSessions(s.db, cutoffsFor(policies, 'sessions', now).fallback) });
  lines.push({ dataClass: 'audit', channelId: null, count: await countExpiredAuditEvents(s.db) });
  return { at: now, lines };
}
