import type { Db, Trx } from '../../db/knex';

// Later states outrank earlier ones; 'failed' outranks only 'queued' and 'sent' (a delivered message cannot fail).
const STATUSES = ['received', 'queued', 'sent', 'failed', 'delivered', 'read', 'played'];
const STATUS_ORDER = `ARRAY[${STATUSES.map((s) => `'${s}'`).join(',')}]`;

export type StatusRow = {
  wamid: string;
  status: string;
  at: Date;
  error: unknown;
  pricing: unknown;
  payload: unknown;
  /** The number the status came for: it changes only that number's messages. */
  channelId?: string;
  /** biz_opaque_callback_data echoed by Meta: the sender's tag of the outbox row (kept when parked). */
  opaque?: string;
};

export type StatusResult = { applied: boolean; conversationId?: string; messageId?: string; createdAt?: Date };

/** One message's statuses of a batch, folded as applying them one by one would. */
type Folded = { i: number; wamid: string; status: string; times: Record<string, Date>; error: unknown; pricing: Record<string, unknown> | null; channel_id: string | null };

function fold(rows: StatusRow[]): Folded[] {
  const byKey = new Map<string, Folded>();
  rows.forEach((s, i) => {
    const key = `${s.wamid}|${s.channelId ?? ''}`;
    let f = byKey.get(key);
    if (!f) {
      f = { i, wamid: s.wamid, status: s.status, times: {}, error: null, pricing: null, channel_id: s.channelId ?? null };
      byKey.set(key, f);
    } else if (STATUSES.indexOf(s.status) > STATUSES.indexOf(f.status)) {
      f.status = s.status;
    }
    // The first time seen for a state stays; a later error replaces an earlier one; pricing merges.
    f.times[s.status] ??= s.at;
    f.error = s.error ?? f.error;
    f.pricing = s.pricing ? { ...(f.pricing ?? {}), ...(s.pricing as Record<string, unknown>) } : f.pricing;
  });
  return [...byKey.values()];
}

type Changed = { i: number; id: string | null; conversation_id: string | null; created_at: Date | null };

/**
 * Applies delivery statuses monotonically (read never goes back to delivered) and records the
 * time of each state, in one statement for the whole batch (a webhook may carry up to 1,000).
 * Several statuses of one message fold into one change, as applied in order. Per status: the
 * message changed, null when its wamid is known but changed nothing (another number's
 * message), undefined when its wamid is not known yet.
 */
async function updateMessages(db: Db | Trx, rows: StatusRow[]): Promise<Array<StatusResult | null | undefined>> {
  const folded = fold(rows);
  const result = await db.raw<{ rows: Changed[] }>(
    `WITH v AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS v(i int, wamid text, status text, times jsonb, error jsonb, pricing jsonb, channel_id uuid)),
          target AS (SELECT v.*, w.message_id, w.message_created_at FROM v JOIN message_wamids w ON w.wamid = v.wamid),
          changed AS (
            UPDATE messages m
               SET status = CASE WHEN array_position(${STATUS_ORDER}, target.status) > array_position(${STATUS_ORDER}, m.status)
                                 THEN target.status ELSE m.status END,
                   status_times = (SELECT jsonb_object_agg(t.key, t.value::timestamptz) FROM jsonb_each_text(target.times) t) || m.status_times,
                   error = COALESCE(target.error, m.error),
                   pricing = COALESCE(m.pricing, '{}'::jsonb) || COALESCE(target.pricing, '{}'::jsonb)
              FROM target
             WHERE m.id = target.message_id AND m.created_at = target.message_created_at
               AND (target.channel_id IS NULL OR m.channel_id = target.channel_id)
             RETURNING target.i, m.id, m.conversation_id, m.created_at)
     SELECT i, id, conversation_id, created_at FROM changed
     UNION ALL
     SELECT i, NULL, NULL, NULL FROM target WHERE NOT EXISTS (SELECT 1 FROM changed WHERE changed.i = target.i)`,
    [JSON.stringify(folded)],
  );
  const byFolded = new Map(result.rows.map((r) => [r.i, r]));
  const firstOf = new Map<string, number>();
  folded.forEach((f) => firstOf.set(`${f.wamid}|${f.channel_id ?? ''}`, f.i));
  return rows.map((s) => {
    const row = byFolded.get(firstOf.get(`${s.wamid}|${s.channelId ?? ''}`)!);
    if (!row) {
      return undefined;
    }
    return row.id ? { applied: true, conversationId: row.conversation_id!, messageId: row.id, createdAt: row.created_at! } : null;
  });
}

/**
 * The statuses of one webhook (or of one sender's batch) in one statement, or three when some
 * wamid is not known yet: such a status is parked and applied when the sender records the
 * wamid. A known wamid of another number's message is dropped. Results are in `rows`' order.
 */
export async function applyStatuses(db: Db | Trx, rows: StatusRow[]): Promise<StatusResult[]> {
  if (rows.length === 0) {
    return [];
  }
  const changed = await updateMessages(db, rows);
  const results: StatusResult[] = changed.map((c) => c ?? { applied: false });
  const unknown = rows.filter((_, i) => changed[i] === undefined);
  if (unknown.length === 0) {
    return results;
  }
  await db.raw(
    `INSERT INTO pending_statuses (wamid, status, at, payload)
     SELECT wamid, status, at, payload FROM jsonb_to_recordset(?::jsonb) AS v(wamid text, status text, at timestamptz, payload jsonb)
     ON CONFLICT (wamid, status) DO NOTHING`,
    [JSON.stringify(unknown.map((s) => ({ wamid: s.wamid, status: s.status, at: s.at, payload: parkedPayload(s) })))],
  );
  // The sender looks for parked statuses once more after it records a wamid; a wamid it
  // recorded after our update above but before our park is taken back here, so a status is
  // never parked for good next to its known wamid. One of the two takes wins each row.
  const known = await takeParked(db, [...new Set(unknown.map((s) => s.wamid))], true);
  if (known.length > 0) {
    const again = await updateMessages(db, known);
    const indexOf = new Map(rows.map((r, i) => [`${r.wamid}|${r.status}`, i]));
    known.forEach((s, k) => {
      const i = indexOf.get(`${s.wamid}|${s.status}`);
      if (i !== undefined && again[k]) {
        results[i] = again[k];
      }
    });
  }
  return results;
}

function parkedPayload(s: StatusRow): Record<string, unknown> {
  return { error: s.error ?? null, pricing: s.pricing ?? null, ...(s.channelId ? { channelId: s.channelId } : {}), ...(s.opaque ? { opaque: s.opaque } : {}) };
}

type ParkedRow = { wamid: string; status: string; at: Date; payload: { error: unknown; pricing: unknown; channelId?: string; opaque?: string } };

const toStatusRow = (r: ParkedRow): StatusRow => ({
  wamid: r.wamid, status: r.status, at: r.at, error: r.payload.error, pricing: r.payload.pricing, payload: r.payload,
  ...(r.payload.channelId ? { channelId: r.payload.channelId } : {}), ...(r.payload.opaque ? { opaque: r.payload.opaque } : {}),
});

async function takeParked(db: Db | Trx, wamids: string[], onlyKnown: boolean): Promise<StatusRow[]> {
  const result = await db.raw<{ rows: ParkedRow[] }>(
    `DELETE FROM pending_statuses p WHERE p.wamid = ANY(?::text[])
       ${onlyKnown ? 'AND EXISTS (SELECT 1 FROM message_wamids w WHERE w.wamid = p.wamid)' : ''}
     RETURNING p.wamid, p.status, p.at, p.payload`,
    [wamids],
  );
  return result.rows.map(toStatusRow);
}

/**
 * Applies one delivery status (see applyStatuses, which does the work for a batch). A status
 * for a wamid not yet known is parked and applied when it is.
 */
export async function applyStatus(db: Db | Trx, s: StatusRow): Promise<StatusResult> {
  return (await applyStatuses(db, [s]))[0]!;
}

/** Statuses parked for a wamid that has just become known; removes them. */
export async function takePendingStatuses(db: Db | Trx, wamid: string): Promise<StatusRow[]> {
  return takeParked(db, [wamid], false);
}

/** Statuses parked for wamids that have just become known (a sender's batch); removes them. */
export async function takePendingStatusesOf(db: Db | Trx, wamids: string[]): Promise<StatusRow[]> {
  return wamids.length === 0 ? [] : takeParked(db, wamids, false);
}

/** Whether statuses are parked under any of these wamids (the sender's look after recording). */
export async function anyParked(db: Db | Trx, wamids: string[]): Promise<boolean> {
  const result = await db.raw<{ rows: Array<{ parked: boolean }> }>(`SELECT EXISTS (SELECT 1 FROM pending_statuses WHERE wamid = ANY(?::text[])) AS parked`, [wamids]);
  return result.rows[0]?.parked === true;
}

/**
 * The wamid Meta gave each tagged send, read from the statuses parked under it: a sender that
 * died between Meta's answer and recording it left the row 'sending' (see outbox/sender.ts).
 */
export async function parkedWamidsByOpaque(db: Db | Trx, opaques: string[]): Promise<Map<string, string>> {
  if (opaques.length === 0) {
    return new Map();
  }
  const result = await db.raw<{ rows: Array<{ opaque: string; wamid: string }> }>(
    `SELECT DISTINCT ON (payload->>'opaque') payload->>'opaque' AS opaque, wamid FROM pending_statuses
      WHERE payload->>'opaque' = ANY(?::text[]) ORDER BY payload->>'opaque', at`,
    [opaques],
  );
  return new Map(result.rows.map((r) => [r.opaque, r.wamid]));
}
