// All SQL of retention: its policies, its runs, and the removal of expired rows. Held messages
// are never selected (switchboard_message_held, migrations/*_legal_holds.ts); whole months go
// only through the owner's drop function, which re-checks everything itself.
import type { Db, Trx } from '../../db/knex';
import type { DataClass, PolicyPeriod } from './periods';

export type PolicyRow = {
  id: string;
  data_class: DataClass;
  channel_id: string | null;
  days: number;
  locked_at: Date | null;
  locked_by: string | null;
  updated_by: string | null;
  updated_at: Date;
};

/** Where each number's expired rows end: a cutoff per channel, and one for rows of a number without its own policy. */
export type Cutoffs = { byChannel: Record<string, Date>; fallback: Date };

// Is message m (with its conversation cv joined) covered by an active hold? Set-based: the
// covers function is inlined, so this costs an expression per row and active hold.
const HELD = `EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL AND switchboard_hold_covers(h.scope, m.created_at,
  m.conversation_id, m.channel_id, m.contact_id, m.author_id, cv.assignee_id, m.search))`;
const WITH_CONVERSATION = 'LEFT JOIN conversations cv ON cv.id = m.conversation_id';
const PARTITION_NAME = /^messages_\d{4}_\d{2}$/;
/** Rows outside every month's partition wait here until the partition job moves them; retention deletes them too (never drops it). */
export const DEFAULT_PARTITION = 'messages_default';

export function listPolicies(db: Db | Trx): Promise<PolicyRow[]> {
  return db<PolicyRow>('retention_policies').select('*').orderBy([{ column: 'data_class' }, { column: 'channel_id', order: 'asc', nulls: 'first' }]);
}

export async function policyPeriods(db: Db | Trx): Promise<PolicyPeriod[]> {
  return (await listPolicies(db)).map((p) => ({ dataClass: p.data_class, channelId: p.channel_id, days: p.days }));
}

export function findPolicy(db: Db | Trx, id: string): Promise<PolicyRow | undefined> {
  return db<PolicyRow>('retention_policies').where({ id }).first();
}

/** The policy of a class on a number (null: the default), locked for the transaction. */
export function findPolicyFor(trx: Trx, dataClass: DataClass, channelId: string | null): Promise<PolicyRow | undefined> {
  const q = trx<PolicyRow>('retention_policies').where({ data_class: dataClass }).forUpdate().first();
  return channelId === null ? q.whereNull('channel_id') : q.where({ channel_id: channelId });
}

export async function insertPolicy(trx: Trx, row: { id: string; dataClass: DataClass; channelId: string | null; days: number; by: string | null }): Promise<void> {
  await trx('retention_policies').insert({ id: row.id, data_class: row.dataClass, channel_id: row.channelId, days: row.days, updated_by: row.by });
}

export async function updatePolicyDays(trx: Trx, id: string, days: number, by: string | null): Promise<void> {
  await trx('retention_policies').where({ id }).update({ days, updated_by: by, updated_at: trx.fn.now() });
}

export async function lockPolicyRow(trx: Trx, id: string, by: string | null): Promise<void> {
  await trx('retention_policies').where({ id }).whereNull('locked_at').update({ locked_at: trx.fn.now(), locked_by: by });
}

export async function deletePolicyRow(trx: Trx, id: string): Promise<void> {
  await trx('retention_policies').where({ id }).delete();
}

export type RunRow = { id: string; trigger: string; started_by: string | null; started_at: Date; finished_at: Date | null; counts: Record<string, unknown> };

/** Runs take this lock (held by one transaction for the whole run), so two never overlap. */
export async function tryRunLock(trx: Trx, key: number): Promise<boolean> {
  const result = await trx.raw<{ rows: Array<{ got: boolean }> }>('SELECT pg_try_advisory_xact_lock(?) AS got', [key]);
  return result.rows[0]?.got === true;
}

export async function insertRun(db: Db, row: { id: string; trigger: string; startedBy: string | null; startedAt: Date }): Promise<void> {
  await db('retention_runs').insert({ id: row.id, trigger: row.trigger, started_by: row.startedBy, started_at: row.startedAt });
}

export async function finishRun(db: Db | Trx, id: string, counts: Record<string, unknown>): Promise<void> {
  await db('retention_runs').where({ id }).update({ finished_at: db.fn.now(), counts: JSON.stringify(counts) });
}

export function findRun(db: Db, id: string): Promise<RunRow | undefined> {
  return db<RunRow>('retention_runs').where({ id }).first();
}

export function listRuns(db: Db, limit: number): Promise<RunRow[]> {
  return db<RunRow>('retention_runs').select('*').orderBy('started_at', 'desc').limit(limit);
}

export type MonthPartition = { name: string; lower: Date; upper: Date };

/** The monthly partitions of `messages` with the end of their range, oldest first (the default one aside). */
export async function monthPartitions(db: Db | Trx): Promise<MonthPartition[]> {
  const result = await db.raw<{ rows: Array<{ name: string; lower: Date | null; upper: Date | null }> }>(
    `SELECT c.relname AS name,
            CAST(substring(pg_get_expr(c.relpartbound, c.oid) from 'FROM \\(''([^'']+)''\\)') AS timestamptz) AS lower,
            CAST(substring(pg_get_expr(c.relpartbound, c.oid) from 'TO \\(''([^'']+)''\\)') AS timestamptz) AS upper
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = CAST('messages' AS regclass)
      ORDER BY upper NULLS LAST`,
  );
  return result.rows.filter((r): r is MonthPartition => r.upper !== null && r.lower !== null && PARTITION_NAME.test(r.name));
}

function assertPartition(name: string): void {
  if (!PARTITION_NAME.test(name) && name !== DEFAULT_PARTITION) {
    throw new Error(`not a month partition: ${name}`);
  }
}

/** The cutoffs as a table the queries join: channel_id, cutoff. */
function cutoffsSql(c: Cutoffs): { sql: string; bindings: string[] } {
  const map = Object.fromEntries(Object.entries(c.byChannel).map(([k, v]) => [k, v.toISOString()]));
  return {
    sql: `cutoffs AS (SELECT CAST(key AS uuid) AS channel_id, CAST(value AS timestamptz) AS cutoff FROM jsonb_each_text(CAST(? AS jsonb)))`,
    bindings: [JSON.stringify(map)],
  };
}

/** Holds are placed and released in their own transactions: none may commit between our check and our delete. */
export async function lockHolds(trx: Trx): Promise<void> {
  await trx.raw('LOCK TABLE legal_holds IN SHARE MODE');
}

export type RemovedMessage = { id: string; channel_id: string; media_id: string | null; wamid: string | null };

/** Deletes up to `limit` expired, unheld messages of one partition; returns them. */
export async function deleteExpiredMessages(trx: Trx, partition: string, cutoffs: Cutoffs, limit: number): Promise<RemovedMessage[]> {
  assertPartition(partition);
  const c = cutoffsSql(cutoffs);
  const result = await trx.raw<{ rows: RemovedMessage[] }>(
    `WITH ${c.sql},
     victims AS (SELECT m.id, m.created_at FROM ${partition} m ${WITH_CONVERSATION} LEFT JOIN cutoffs c ON c.channel_id = m.channel_id
                  WHERE m.created_at < coalesce(c.cutoff, CAST(? AS timestamptz)) AND NOT ${HELD} LIMIT ?)
     DELETE FROM ${partition} m USING victims v WHERE m.id = v.id AND m.created_at = v.created_at
     RETURNING m.id, m.channel_id, m.media_id, m.wamid`,
    [...c.bindings, cutoffs.fallback.toISOString(), limit],
  );
  return result.rows;
}

/** Counts what deleteExpiredMessages would remove from one partition, per number. */
export async function countExpiredMessages(db: Db, partition: string, cutoffs: Cutoffs): Promise<Array<{ channel_id: string; n: number }>> {
  assertPartition(partition);
  const c = cutoffsSql(cutoffs);
  const result = await db.raw<{ rows: Array<{ channel_id: string; n: number }> }>(
    `WITH ${c.sql}
     SELECT m.channel_id, count(*)::int AS n FROM ${partition} m ${WITH_CONVERSATION} LEFT JOIN cutoffs c ON c.channel_id = m.channel_id
      WHERE m.created_at < coalesce(c.cutoff, CAST(? AS timestamptz)) AND NOT ${HELD} GROUP BY m.channel_id`,
    [...c.bindings, cutoffs.fallback.toISOString()],
  );
  return result.rows;
}

/** Per number, the messages of a partition and the media they carry: what a drop removes. */
export async function partitionContents(trx: Trx, partition: string): Promise<{ perChannel: Array<{ channel_id: string; n: number }>; mediaIds: string[] }> {
  assertPartition(partition);
  const counts = await trx.raw<{ rows: Array<{ channel_id: string; n: number }> }>(
    `SELECT channel_id, count(*)::int AS n FROM ${partition} GROUP BY channel_id`,
  );
  const media = await trx.raw<{ rows: Array<{ media_id: string }> }>(`SELECT DISTINCT media_id FROM ${partition} WHERE media_id IS NOT NULL`);
  return { perChannel: counts.rows, mediaIds: media.rows.map((r) => r.media_id) };
}

/** Removes the wamid index and the outbox rows of a partition about to be dropped. */
export async function deletePartitionCompanions(trx: Trx, partition: string, upper: Date): Promise<void> {
  assertPartition(partition);
  await trx.raw(`DELETE FROM message_wamids w USING ${partition} m WHERE w.message_id = m.id AND w.message_created_at = m.created_at`);
  await trx.raw(`DELETE FROM outbox o USING ${partition} m WHERE o.message_id = m.id AND o.message_created_at = m.created_at AND o.message_created_at < ?`, [upper]);
}

/** Removes the wamid index and outbox rows of messages deleted one by one. */
export async function deleteMessageCompanions(trx: Trx, removed: RemovedMessage[]): Promise<void> {
  const wamids = removed.map((r) => r.wamid).filter((w): w is string => w !== null);
  if (wamids.length > 0) {
    await trx('message_wamids').whereIn('wamid', wamids).delete();
  }
  await trx('outbox').whereIn('message_id', removed.map((r) => r.id)).delete();
}

/** Drops a month through the owner's function; false when its own checks refuse (something in it is held or unexpired). */
export async function dropPartition(trx: Trx, partition: string): Promise<boolean> {
  const result = await trx.raw<{ rows: Array<{ dropped: boolean }> }>('SELECT switchboard_drop_message_partition(?) AS dropped', [partition]);
  return result.rows[0]?.dropped === true;
}

/** Deletes media rows among `ids` that no remaining message refers to; returns their store keys. */
export async function deleteOrphanMedia(trx: Trx, ids: string[]): Promise<Array<{ id: string; storage_key: string | null }>> {
  if (ids.length === 0) {
    return [];
  }
  return trx('media as md')
    .whereIn('md.id', ids)
    .whereNotExists((q) => q.select(trx.raw('1')).from('messages as m').whereRaw('m.media_id = md.id'))
    .delete()
    .returning(['md.id', 'md.storage_key']);
}

const EXPIRED_MEDIA = `FROM media md LEFT JOIN cutoffs c ON c.channel_id = md.channel_id
  WHERE md.created_at < coalesce(c.cutoff, CAST(? AS timestamptz))
    AND EXISTS (SELECT 1 FROM messages m WHERE m.media_id = md.id)
    AND NOT EXISTS (SELECT 1 FROM messages m ${WITH_CONVERSATION} WHERE m.media_id = md.id AND ${HELD})`;

/** Deletes up to `limit` expired media files of messages (none that a held message carries); returns them. */
export async function deleteExpiredMedia(trx: Trx, cutoffs: Cutoffs, limit: number): Promise<Array<{ id: string; channel_id: string | null; storage_key: string | null }>> {
  const c = cutoffsSql(cutoffs);
  const result = await trx.raw<{ rows: Array<{ id: string; channel_id: string | null; storage_key: string | null }> }>(
    `WITH ${c.sql}, victims AS (SELECT md.id ${EXPIRED_MEDIA} LIMIT ?)
     DELETE FROM media d USING victims v WHERE d.id = v.id RETURNING d.id, d.channel_id, d.storage_key`,
    [...c.bindings, cutoffs.fallback.toISOString(), limit],
  );
  return result.rows;
}

export async function countExpiredMedia(db: Db, cutoffs: Cutoffs): Promise<Array<{ channel_id: string | null; n: number }>> {
  const c = cutoffsSql(cutoffs);
  const result = await db.raw<{ rows: Array<{ channel_id: string | null; n: number }> }>(
    `WITH ${c.sql} SELECT md.channel_id, count(*)::int AS n ${EXPIRED_MEDIA} GROUP BY md.channel_id`,
    [...c.bindings, cutoffs.fallback.toISOString()],
  );
  return result.rows;
}

/** The numbers, by name, for the policies page (a compliance officer need not read channels otherwise). */
export async function numberNames(db: Db): Promise<Array<{ id: string; name: string; displayNumber: string }>> {
  const rows = await db('channels').select('id', 'name', 'display_number').orderBy('name');
  return rows.map((r: { id: string; name: string; display_number: string }) => ({ id: r.id, name: r.name, displayNumber: r.display_number }));
}

/**
 * A conversation's list preview quotes its last message: once that message has expired (every
 * message of the conversation has, then), the quote goes too, so no text outlives its period.
 * Conversations whose last message is held keep theirs. Returns how many were cleared.
 */
export async function clearExpiredPreviews(db: Db, cutoffs: Cutoffs): Promise<number> {
  const c = cutoffsSql(cutoffs);
  const result = await db.raw<{ rowCount: number }>(
    `WITH ${c.sql}
     UPDATE conversations v SET last_message_preview = NULL
      WHERE v.last_message_preview IS NOT NULL
        AND v.last_message_at < coalesce((SELECT c.cutoff FROM cutoffs c WHERE c.channel_id = v.channel_id), CAST(? AS timestamptz))
        AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = v.id AND m.created_at >= v.last_message_at)`,
    [...c.bindings, cutoffs.fallback.toISOString()],
  );
  return result.rowCount;
}
