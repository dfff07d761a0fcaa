import type { Db, Trx } from '../../db/knex';

export type LaneRow = {
  channel_id: string;
  owner: string | null;
  lease_expires_at: Date | null;
  paused_at: Date | null;
  paused_reason: PauseReason | null;
  quality_seen: string | null;
};

export type PauseReason = 'quality_dropped' | 'token_invalid' | 'spam_rate';

/**
 * Takes or renews the lease on a channel's lane for `ttlMs` (database clock). Succeeds when the
 * lane is free, already ours, or its holder let the lease lapse (a crashed process): then the
 * row comes back, else null. One statement, so two processes can never both win.
 */
export async function acquireLease(db: Db, channelId: string, owner: string, ttlMs: number): Promise<LaneRow | null> {
  const result = await db.raw<{ rows: LaneRow[] }>(
    `INSERT INTO channel_lanes AS l (channel_id, owner, lease_expires_at) VALUES (?, ?, now() + make_interval(secs => ?))
     ON CONFLICT (channel_id) DO UPDATE SET owner = EXCLUDED.owner, lease_expires_at = EXCLUDED.lease_expires_at
       WHERE l.owner = EXCLUDED.owner OR l.owner IS NULL OR l.lease_expires_at IS NULL OR l.lease_expires_at <= now()
     RETURNING l.channel_id, l.owner, l.lease_expires_at, l.paused_at, l.paused_reason, l.quality_seen`,
    [channelId, owner, ttlMs / 1000],
  );
  return result.rows[0] ?? null;
}

/** Gives the lane up at once (a clean stop), so another process need not wait for the lease to lapse. */
export async function releaseLease(db: Db, channelId: string, owner: string): Promise<void> {
  await db('channel_lanes').where({ channel_id: channelId, owner }).update({ owner: null, lease_expires_at: null });
}

export async function findLane(db: Db | Trx, channelId: string, forUpdate = false): Promise<LaneRow | undefined> {
  const q = db('channel_lanes').where({ channel_id: channelId }).first();
  return (forUpdate ? q.forUpdate() : q) as Promise<LaneRow | undefined>;
}

/** Pauses a lane's broadcast traffic; false when it was paused already (the first reason stays). */
export async function pauseLane(trx: Trx, channelId: string, reason: PauseReason): Promise<boolean> {
  const result = await trx.raw<{ rowCount: number }>(
    `INSERT INTO channel_lanes AS l (channel_id, paused_at, paused_reason) VALUES (?, now(), ?)
     ON CONFLICT (channel_id) DO UPDATE SET paused_at = now(), paused_reason = EXCLUDED.paused_reason WHERE l.paused_at IS NULL`,
    [channelId, reason],
  );
  return result.rowCount > 0;
}

export async function resumeLane(trx: Trx, channelId: string): Promise<void> {
  await trx('channel_lanes').where({ channel_id: channelId }).update({ paused_at: null, paused_reason: null });
}

export async function setQualitySeen(db: Db, channelId: string, quality: string): Promise<void> {
  await db('channel_lanes').where({ channel_id: channelId }).update({ quality_seen: quality });
}

/**
 * What a lane taking over must know of the last 24 hours: per recipient, the last send
 * outside the customer's window (the tier), and the sends of the last hour (the pair limit).
 */
export async function recentSends(db: Db, channelId: string): Promise<Array<{ to_wa_id: string; last_counted: Date | null; hour_first: Date | null; hour_count: number; last_sent: Date }>> {
  const result = await db.raw<{ rows: Array<{ to_wa_id: string; last_counted: Date | null; hour_first: Date | null; hour_count: number; last_sent: Date }> }>(
    `SELECT to_wa_id,
            max(done_at) FILTER (WHERE window_closes_at IS NULL OR window_closes_at <= done_at) AS last_counted,
            min(done_at) FILTER (WHERE done_at > now() - interval '1 hour') AS hour_first,
            (count(*) FILTER (WHERE done_at > now() - interval '1 hour'))::int AS hour_count,
            max(done_at) AS last_sent
       FROM outbox WHERE channel_id = ? AND state = 'sent' AND done_at > now() - interval '24 hours'
      GROUP BY to_wa_id`,
    [channelId],
  );
  return result.rows;
}

export type LaneCounts = { queued: number; heldForTier: number; heldOther: number; sending: number };

/** The lane's backlog as the Numbers page shows it. */
export async function laneCounts(db: Db, channelId: string): Promise<LaneCounts> {
  const row = (await db.raw<{ rows: LaneCounts[] }>(
    `SELECT (count(*) FILTER (WHERE state = 'queued'))::int AS queued,
            (count(*) FILTER (WHERE state = 'queued' AND held_reason = 'tier'))::int AS "heldForTier",
            (count(*) FILTER (WHERE state = 'queued' AND held_reason IS NOT NULL AND held_reason <> 'tier'))::int AS "heldOther",
            (count(*) FILTER (WHERE state = 'sending'))::int AS sending
       FROM outbox WHERE channel_id = ? AND state IN ('queued', 'sending')`,
    [channelId],
  )).rows[0];
  return row ?? { queued: 0, heldForTier: 0, heldOther: 0, sending: 0 };
}

/** Unique recipients reached outside their window in the last 24 hours (the tier in use). */
export async function tierUsed(db: Db, channelId: string): Promise<number> {
  const row = (await db.raw<{ rows: Array<{ n: number }> }>(
    `SELECT count(DISTINCT to_wa_id)::int AS n FROM outbox
      WHERE channel_id = ? AND state = 'sent' AND done_at > now() - interval '24 hours' AND (window_closes_at IS NULL OR window_closes_at <= done_at)`,
    [channelId],
  )).rows[0];
  return row?.n ?? 0;
}
