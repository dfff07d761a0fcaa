import type { Db, Trx } from '../../db/knex';
import { segmentQuery, type SegmentFilter } from '../segments';
import type { BROADCAST_STATUSES, TemplateMapping } from './schema';

export type BroadcastStatus = (typeof BROADCAST_STATUSES)[number];

export type BroadcastRow = {
  id: string;
  name: string;
  template_id: string;
  segment_id: string;
  channel_ids: string[];
  mapping: TemplateMapping;
  /** The stored file of a media header (image, video, document); null for other templates. */
  header_media_id: string | null;
  status: BroadcastStatus;
  scheduled_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_by: string | null;
  created_at: Date;
  template_name: string | null;
  segment_name: string | null;
};

const BROADCAST_COLUMNS = ['b.*', 't.name as template_name', 's.name as segment_name'];

function broadcasts(db: Db | Trx) {
  return db('broadcasts as b').leftJoin('templates as t', 't.id', 'b.template_id').leftJoin('segments as s', 's.id', 'b.segment_id').select(BROADCAST_COLUMNS);
}

export async function findBroadcast(db: Db | Trx, id: string, forUpdate = false): Promise<BroadcastRow | undefined> {
  if (forUpdate) {
    // Locks the broadcast's row only: a chunk of the enqueue and a pause, resume or cancel take turns on it.
    await db('broadcasts').where({ id }).forUpdate().first('id');
  }
  return (await broadcasts(db).where('b.id', id).first()) as BroadcastRow | undefined;
}

export async function listBroadcasts(db: Db | Trx): Promise<BroadcastRow[]> {
  return (await broadcasts(db).orderBy('b.created_at', 'desc').limit(200)) as BroadcastRow[];
}

export async function insertBroadcast(trx: Trx, row: Omit<BroadcastRow, 'created_at' | 'template_name' | 'segment_name' | 'started_at' | 'finished_at'>): Promise<void> {
  await trx('broadcasts').insert({ ...row, mapping: JSON.stringify(row.mapping) });
}

export async function setBroadcastStatus(trx: Trx, id: string, status: BroadcastStatus, extra: { started?: boolean; finished?: boolean } = {}): Promise<void> {
  await trx('broadcasts').where({ id }).update({
    status,
    updated_at: trx.fn.now(),
    ...(extra.started ? { started_at: trx.raw('coalesce(started_at, now())') } : {}),
    ...(extra.finished ? { finished_at: trx.fn.now() } : {}),
  });
}

/** Scheduled broadcasts whose time has come, and running ones whose job has gone quiet for `quietSeconds` (its worker died). */
export async function broadcastsToRun(db: Db, quietSeconds: number): Promise<string[]> {
  const rows = (await db('broadcasts')
    .select('id')
    .where((q) =>
      q.where((w) => w.where('status', 'running').andWhere((r) => r.whereNull('run_at').orWhereRaw('run_at < now() - make_interval(secs => ?)', [quietSeconds])))
        .orWhere((w) => w.where('status', 'scheduled').andWhere('scheduled_at', '<=', db.fn.now())))) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/**
 * Takes the broadcast's turn to run (its row locked by the caller): false when another run
 * started less than `gapSeconds` ago, so that two chains of follow-ups merge into one.
 */
export async function takeRunTurn(trx: Trx, id: string, gapSeconds: number): Promise<boolean> {
  const n = await trx('broadcasts').where({ id }).andWhere((q) => q.whereNull('run_at').orWhereRaw('run_at < now() - make_interval(secs => ?)', [gapSeconds])).update({ run_at: trx.fn.now() });
  return n > 0;
}

/** Paused or cancelled broadcasts with outbox rows not held for the pause (or, cancelled, still queued at all). */
export async function broadcastsToSettle(db: Db): Promise<string[]> {
  const rows = (await db('broadcasts as b')
    .select('b.id')
    .whereIn('b.status', ['paused', 'cancelled'])
    .whereExists((q) => q.select(db.raw('1')).from('outbox as o').whereRaw('o.broadcast_id = b.id').andWhere('o.state', 'queued')
      .andWhere((w) => w.whereRaw(`b.status = 'cancelled'`).orWhereRaw(`o.held_reason IS DISTINCT FROM 'paused'`)))) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

/** Whether a lane is sending one of the broadcast's rows right now. */
export async function hasRowsInHand(db: Db | Trx, broadcastId: string): Promise<boolean> {
  return (await db('outbox').where({ broadcast_id: broadcastId, state: 'sending' }).first('id')) !== undefined;
}

export type AudienceOptions = { channelIds: string[]; marketing: boolean };

/**
 * The segment's contacts with what a broadcast decides for each: why it is left out (opted out;
 * no opt-in for a marketing template; restricted under GDPR), and the number it goes from:
 * the chosen number the contact last wrote to, else the chosen numbers in turn (round robin).
 */
function audience(db: Db | Trx, filter: SegmentFilter, now: Date, opts: AudienceOptions) {
  const reason = db.raw(
    `CASE WHEN c.opt_state = 'out' THEN 'opted_out' WHEN c.restricted_at IS NOT NULL THEN 'restricted' WHEN ? AND c.opt_state <> 'in' THEN 'no_marketing_opt_in' END AS reason`,
    [opts.marketing],
  );
  const channel = db.raw(
    `COALESCE((SELECT cv.channel_id FROM conversations cv WHERE cv.contact_id = c.id AND cv.channel_id = ANY(?::uuid[]) AND cv.last_inbound_at IS NOT NULL
                ORDER BY cv.last_inbound_at DESC LIMIT 1),
              (?::uuid[])[1 + ((row_number() OVER (ORDER BY c.id) - 1) % ?)]) AS channel_id`,
    [opts.channelIds, opts.channelIds, opts.channelIds.length],
  );
  return segmentQuery(db, filter, now).select('c.id as contact_id', 'c.country', reason, channel);
}

/** Counts of a draft's audience by country and reason for exclusion (null: included). */
export async function audienceCounts(db: Db | Trx, filter: SegmentFilter, now: Date, opts: AudienceOptions): Promise<Array<{ country: string | null; reason: string | null; n: number }>> {
  const rows = (await db
    .from(audience(db, filter, now, opts).as('a'))
    .select('a.country', 'a.reason')
    .count({ n: '*' })
    .groupBy('a.country', 'a.reason')) as Array<{ country: string | null; reason: string | null; n: string | number }>;
  return rows.map((r) => ({ country: r.country, reason: r.reason, n: Number(r.n) }));
}

/**
 * Writes the audience once, at start: every contact of the segment becomes a recipient, pending
 * or excluded with its reason. The unique (broadcast_id, contact_id) makes a second run add nothing.
 */
export async function materialiseAudience(trx: Trx, broadcastId: string, filter: SegmentFilter, now: Date, opts: AudienceOptions): Promise<number> {
  const a = audience(trx, filter, now, opts).as('a');
  const select = trx
    .from(a)
    // Recipient ids are never shown or ordered by time: a random uuid does.
    .select(trx.raw('gen_random_uuid()'), trx.raw('?::uuid', [broadcastId]), 'a.contact_id', trx.raw('CASE WHEN a.reason IS NULL THEN a.channel_id END'),
      trx.raw(`CASE WHEN a.reason IS NULL THEN 'pending' ELSE 'excluded' END`), 'a.reason');
  const result = (await trx
    .into(trx.raw('?? (??, ??, ??, ??, ??, ??)', ['broadcast_recipients', 'id', 'broadcast_id', 'contact_id', 'channel_id', 'state', 'excluded_reason']))
    .insert(select)
    .onConflict(['broadcast_id', 'contact_id'])
    .ignore()) as unknown as { rowCount: number };
  return result.rowCount;
}

export async function hasRecipients(db: Db | Trx, broadcastId: string): Promise<boolean> {
  return (await db('broadcast_recipients').where({ broadcast_id: broadcastId }).first('id')) !== undefined;
}

export type PendingRecipient = {
  id: string;
  contact_id: string;
  channel_id: string;
  wa_id: string;
  profile_name: string | null;
  country: string | null;
  language: string | null;
  attributes: Record<string, unknown>;
  last_inbound_at: Date | null;
};

/** Leaves pending recipients out of the broadcast, with the reason (the lexicon blocked their message). */
export async function excludeRecipients(trx: Trx, ids: string[], reason: 'lexicon_blocked'): Promise<void> {
  await trx('broadcast_recipients').whereIn('id', ids).andWhere({ state: 'pending' }).update({ state: 'excluded', excluded_reason: reason });
}

/** The next pending recipients of a broadcast, locked for this chunk (another worker skips them). */
export async function nextPending(trx: Trx, broadcastId: string, limit: number): Promise<PendingRecipient[]> {
  return (await trx('broadcast_recipients as r')
    .join('contacts as c', 'c.id', 'r.contact_id')
    .where({ 'r.broadcast_id': broadcastId, 'r.state': 'pending' })
    .select('r.id', 'r.contact_id', 'r.channel_id', 'c.wa_id', 'c.profile_name', 'c.country', 'c.language', 'c.attributes', 'c.last_inbound_at')
    .orderBy('r.id')
    .limit(limit)
    .forUpdate('r')
    .skipLocked()) as PendingRecipient[];
}

/** A few included contacts of a segment with what a template reads of them (the preview's samples). */
export async function sampleContacts(db: Db | Trx, filter: SegmentFilter, now: Date, opts: AudienceOptions, limit: number): Promise<Array<Omit<PendingRecipient, 'id' | 'channel_id' | 'last_inbound_at'>>> {
  const a = audience(db, filter, now, opts).as('a');
  return (await db
    .from(a)
    .join('contacts as c', 'c.id', 'a.contact_id')
    .whereNull('a.reason')
    .select('c.id as contact_id', 'c.wa_id', 'c.profile_name', 'c.country', 'c.language', 'c.attributes')
    .orderBy('c.id')
    .limit(limit)) as Array<Omit<PendingRecipient, 'id' | 'channel_id' | 'last_inbound_at'>>;
}

export async function markQueued(trx: Trx, rows: Array<{ id: string; outbox_id: string; message_id: string; message_created_at: Date }>): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  await trx.raw(
    `UPDATE broadcast_recipients r SET state = 'queued', outbox_id = v.outbox_id, message_id = v.message_id, message_created_at = v.created_at, enqueued_at = now()
       FROM jsonb_to_recordset(?::jsonb) AS v(id uuid, outbox_id uuid, message_id uuid, created_at timestamptz)
      WHERE r.id = v.id AND r.state = 'pending'`,
    [JSON.stringify(rows.map((r) => ({ id: r.id, outbox_id: r.outbox_id, message_id: r.message_id, created_at: r.message_created_at.toISOString() })))],
  );
}

/** Recipients not yet enqueued will not be: the broadcast was cancelled. */
export async function cancelPending(trx: Trx, broadcastId: string): Promise<number> {
  return trx('broadcast_recipients').where({ broadcast_id: broadcastId, state: 'pending' }).update({ state: 'cancelled' });
}

/** Enqueued recipients whose outbox row the cancel withdrew. */
export async function cancelQueued(trx: Trx, broadcastId: string, outboxIds: string[]): Promise<void> {
  if (outboxIds.length > 0) {
    await trx('broadcast_recipients').where({ broadcast_id: broadcastId }).whereIn('outbox_id', outboxIds).update({ state: 'cancelled' });
  }
}

export type ProgressRow = { state: string; excluded_reason: string | null; status: string | null; code: string | null; n: number };

/** Recipients counted by their state and, once enqueued, their message's status (and error code). */
export async function progressCounts(db: Db | Trx, broadcastId: string): Promise<ProgressRow[]> {
  const result = await db.raw<{ rows: ProgressRow[] }>(
    `SELECT r.state, r.excluded_reason, m.status, CASE WHEN m.status = 'failed' THEN coalesce(m.error->>'code', 'unknown') END AS code, count(*)::int AS n
       FROM broadcast_recipients r
       LEFT JOIN messages m ON m.id = r.message_id AND m.created_at = r.message_created_at
      WHERE r.broadcast_id = ?
      GROUP BY 1, 2, 3, 4`,
    [broadcastId],
  );
  return result.rows;
}

/** Whether every recipient is past the outbox: none pending, none queued or being sent. */
export async function allHandedOver(db: Db | Trx, broadcastId: string): Promise<boolean> {
  const row = (await db.raw<{ rows: Array<{ busy: boolean }> }>(
    `SELECT EXISTS (SELECT 1 FROM broadcast_recipients WHERE broadcast_id = ? AND state = 'pending')
         OR EXISTS (SELECT 1 FROM outbox WHERE broadcast_id = ? AND state IN ('queued', 'sending')) AS busy`,
    [broadcastId, broadcastId],
  )).rows[0];
  return row?.busy === false;
}

/** Unique recipients each number reached outside their window in the last 24 hours (its tier in use). */
export async function tierUsedBy(db: Db | Trx, channelIds: string[]): Promise<Map<string, number>> {
  const rows = (await db.raw<{ rows: Array<{ channel_id: string; n: number }> }>(
    `SELECT channel_id, count(DISTINCT to_wa_id)::int AS n FROM outbox
      WHERE channel_id = ANY(?::uuid[]) AND state = 'sent' AND done_at > now() - interval '24 hours' AND (window_closes_at IS NULL OR window_closes_at <= done_at)
      GROUP BY channel_id`,
    [channelIds],
  )).rows;
  return new Map(rows.map((r) => [r.channel_id, r.n]));
}
