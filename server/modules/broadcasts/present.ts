import type { BroadcastRow, ProgressRow } from './repo';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/**
 * A broadcast's progress: every recipient counted once, by how far it got. Pending: not yet in
 * the outbox; queued: in the outbox; then the message's status (sent, delivered, read, failed
 * with its error code); cancelled; excluded by reason.
 */
export function presentProgress(rows: ProgressRow[]) {
  const p = {
    total: 0, pending: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0, cancelled: 0,
    failedByCode: [] as Array<{ code: string; count: number }>,
    excluded: { opted_out: 0, no_marketing_opt_in: 0, restricted: 0, lexicon_blocked: 0 },
  };
  const codes = new Map<string, number>();
  for (const r of rows) {
    p.total += r.n;
    if (r.state === 'excluded') {
      const reason = (r.excluded_reason ?? 'opted_out') as keyof typeof p.excluded;
      p.excluded[reason] += r.n;
    } else if (r.state === 'pending') {
      p.pending += r.n;
    } else if (r.state === 'cancelled') {
      p.cancelled += r.n;
    } else if (r.status === 'failed') {
      p.failed += r.n;
      codes.set(r.code ?? 'unknown', (codes.get(r.code ?? 'unknown') ?? 0) + r.n);
    } else if (r.status === 'sent' || r.status === 'delivered' || r.status === 'read') {
      p[r.status] += r.n;
    } else {
      p.queued += r.n;
    }
  }
  p.failedByCode = [...codes.entries()].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count);
  return p;
}

/** A broadcast as the API answers it, with its progress. */
export function presentBroadcast(b: BroadcastRow, progress: ReturnType<typeof presentProgress>) {
  return {
    id: b.id, name: b.name, templateId: b.template_id, templateName: b.template_name, segmentId: b.segment_id, segmentName: b.segment_name,
    channelIds: b.channel_ids, mapping: b.mapping, headerMediaId: b.header_media_id, status: b.status, scheduledAt: iso(b.scheduled_at), startedAt: iso(b.started_at),
    finishedAt: iso(b.finished_at), createdBy: b.created_by, createdAt: b.created_at.toISOString(), progress,
  };
}
