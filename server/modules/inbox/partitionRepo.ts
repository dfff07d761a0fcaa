// The monthly partitions of `messages` (range on created_at), as the first migration names
// them: messages_YYYY_MM. Month boundaries are computed by PostgreSQL in the session's time
// zone, exactly as that migration computed the first ones, so neighbours never overlap.
import type { Db, Trx } from '../../db/knex';

export const MESSAGES_TABLE = 'messages';
export const DEFAULT_PARTITION = 'messages_default';

export type Month = { name: string; from: string; to: string };

/**
 * The months that need a partition of their own: this month and the next `ahead` ones (by the
 * application's clock), and every month that has rows in the default partition.
 */
export async function monthsNeeded(db: Db, now: Date, ahead: number): Promise<Month[]> {
  const result = await db.raw<{ rows: Month[] }>(
    `SELECT format('${MESSAGES_TABLE}_%s', to_char(start, 'YYYY_MM')) AS name, to_char(start, 'YYYY-MM-DD') AS "from",
            to_char(start + interval '1 month', 'YYYY-MM-DD') AS "to"
       FROM (SELECT date_trunc('month', CAST(:now AS timestamptz)) + make_interval(months => m) AS start
               FROM generate_series(0, CAST(:ahead AS int)) AS m
             UNION
             SELECT DISTINCT date_trunc('month', created_at) FROM ${DEFAULT_PARTITION}) AS months
      ORDER BY start`,
    { now, ahead },
  );
  return result.rows;
}

/** Names of the tables attached as partitions of `messages` (the default one included). */
export async function attachedPartitions(db: Db | Trx): Promise<Set<string>> {
  const result = await db.raw<{ rows: Array<{ name: string }> }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = CAST(:parent AS regclass)`,
    { parent: MESSAGES_TABLE },
  );
  return new Set(result.rows.map((r) => r.name));
}

/**
 * Gives one month its partition, moving that month's rows out of the default partition, through
 * the one function the runtime role may call for it: it runs with the owner's rights, as the
 * runtime role may not create tables (see its migration for how the move avoids the default
 * partition's conflict). Returns the rows moved, or null if another run made it.
 */
export async function createMonthPartition(db: Db | Trx, month: Month): Promise<number | null> {
  const result = await db.raw<{ rows: Array<{ moved: number | null }> }>(
    'SELECT switchboard_create_message_partition(?, CAST(? AS date), CAST(? AS date)) AS moved',
    [month.name, month.from, month.to],
  );
  return result.rows[0]?.moved ?? null;
}

/**
 * Rows in the default partition, counted up to `cap` so a scrape stays cheap whatever it holds.
 * Gives up (throws) rather than wait behind a partition change's lock.
 */
export async function countDefaultPartitionRows(db: Db, cap: number): Promise<number> {
  const result = await db
    .raw<{ rows: Array<{ n: number }> }>(`SELECT count(*)::int AS n FROM (SELECT 1 FROM ${DEFAULT_PARTITION} LIMIT ?) AS t`, [cap])
    .timeout(1000, { cancel: true });
  return result.rows[0]!.n;
}
