import { systemActor, type Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { findChannel } from '../channels';
import { findLane, laneCounts, pauseLane, resumeLane, tierUsed, type PauseReason } from './laneRepo';

/**
 * Pauses a number's broadcast traffic and alerts the admins (an audit event flagged as an
 * alert, which the audit log and the Numbers page show). Agent replies keep flowing: a paused
 * lane only stops priority-1 rows, since customers waiting for an answer are not what lowers
 * quality. Nothing resumes by itself: an admin looks first (POST /channels/:id/lane/resume).
 */
export async function pauseWithAlert(s: Services, channelId: string, reason: PauseReason, details: Record<string, unknown> = {}): Promise<boolean> {
  return s.db.transaction(async (trx) => {
    const paused = await pauseLane(trx, channelId, reason);
    if (paused) {
      s.metrics.lanePauses.inc({ reason });
      await s.audit.appendIn(trx, systemActor, [{ action: 'channel.lane_paused', subjectType: 'Channel', subjectId: channelId, details: { reason, ...details, alert: true } }]);
    }
    return paused;
  });
}

/** An admin resumes a paused lane; resuming one that is not paused changes nothing but is still audited. */
export async function resumeLaneCommand(s: Services, actor: Actor, channelId: string): Promise<void> {
  await s.db.transaction(async (trx) => {
    if (!(await findChannel(trx, channelId))) {
      throw errors.notFound('Channel');
    }
    const lane = await findLane(trx, channelId, true);
    if (!lane || lane.paused_at === null) {
      throw errors.laneNotPaused();
    }
    await resumeLane(trx, channelId);
    await s.audit.appendIn(trx, actor, [{ action: 'channel.lane_resumed', subjectType: 'Channel', subjectId: channelId, details: { reason: lane.paused_reason } }]);
  });
}

/** A number's lane as the Numbers page shows it. */
export async function laneStatus(s: Services, channelId: string) {
  const [lane, counts, used] = await Promise.all([findLane(s.db, channelId), laneCounts(s.db, channelId), tierUsed(s.db, channelId)]);
  return {
    paused: (lane?.paused_at ?? null) !== null,
    pausedReason: lane?.paused_reason ?? null,
    pausedAt: lane?.paused_at ? lane.paused_at.toISOString() : null,
    leased: lane !== undefined && lane.owner !== null && lane.lease_expires_at !== null && lane.lease_expires_at.getTime() > Date.now(),
    ...counts,
    tierUsed: used,
  };
}
