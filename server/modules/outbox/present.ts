import { tierLimit } from '../../whatsapp/rateLimit';
import type { laneStatus } from './commands';

/** A lane as the Numbers page shows it, with the tier the number is on. */
export function presentLane(status: Awaited<ReturnType<typeof laneStatus>>, messagingTier: string | null) {
  const limit = tierLimit(messagingTier);
  return { ...status, tierLimit: Number.isFinite(limit) ? limit : null };
}
