import type { PolicyRow, RunRow } from './repo';

/** A retention policy as the API answers it. */
export function presentPolicy(p: PolicyRow) {
  return {
    id: p.id,
    dataClass: p.data_class,
    channelId: p.channel_id,
    days: p.days,
    locked: p.locked_at !== null,
    lockedAt: p.locked_at ? p.locked_at.toISOString() : null,
    updatedAt: p.updated_at.toISOString(),
  };
}

/** A retention run with its counts (ids and numbers only). */
export function presentRun(r: RunRow) {
  return {
    id: r.id,
    trigger: r.trigger,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
    counts: r.counts,
  };
}
