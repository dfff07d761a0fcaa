// The monthly partitions of `messages` (range on created_at), as the first migration names
// them: messages_YYYY_MM. Month boundaries are computed by PostgreSQL in the session's time
// zone, exactly as that migration computed the first ones, so neighbours never overlap.
import type { Db, Trx } from '../../db/knex';

export const MESSAGES_TABLE = 'messages';
export const DEFAULT_PARTITION = 'messages_default';

// Another run (another worker process, a retry) waits here instead of racing to create the same table.
const PARTITION_LOCK_ID = 0x5b0a4d02;

// A partition change waits at most this long for the default partition's lock; meanwhile new
// messages for that partition queue behind it. Better to give up and try again at the next run.
const LOCK_TIMEOUT = '5s';

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

/** Every stored column of `messages` but the generated ones, which are computed again on insert. */
async function storedColumns(trx: Trx): Promise<string> {
  const result = await trx.raw<{ rows: Array<{ columns: string }> }>(
    `SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS columns FROM pg_attribute
      WHERE attrelid = CAST(:parent AS regclass) AND attnum > 0 AND NOT attisdropped AND attgenerated = ''`,
    { parent: MESSAGES_TABLE },
  );
  return result.rows[0]!.columns;
}

/**
 * Gives one month its partition, in the caller's transaction, moving that month's rows out of
 * the default partition. Creating a partition (CREATE TABLE ... PARTITION OF) fails while the
 * default holds rows of its range, so the table is made apart (LIKE the parent), filled from
 * the default, then attached. ATTACH scans the default partition for rows of the new range
 * (they are gone by then) under an ACCESS EXCLUSIVE lock, which is taken first so no message
 * lands there meanwhile; the CHECK constraint spares the scan of the new table and is dropped
 * once the partition bound holds. Returns the rows moved, or null if another run made it.
 */
export async function createMonthPartition(trx: Trx, month: Month): Promise<number | null> {
  await trx.raw(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [PARTITION_LOCK_ID]);
  if ((await attachedPartitions(trx)).has(month.name)) {
    return null;
  }
  // ONLY: the parent alone; LOCK TABLE would otherwise lock every partition too.
  await trx.raw(`LOCK TABLE ONLY ${MESSAGES_TABLE} IN SHARE UPDATE EXCLUSIVE MODE`);
  await trx.raw(`LOCK TABLE ${DEFAULT_PARTITION} IN ACCESS EXCLUSIVE MODE`);
  // Spelled into DDL (which takes no parameters): only the shapes monthsNeeded produces.
  if (!/^messages_\d{4}_\d{2}$/.test(month.name) || !/^\d{4}-\d{2}-\d{2}$/.test(month.from) || !/^\d{4}-\d{2}-\d{2}$/.test(month.to)) {
    throw new Error(`not a month partition: ${JSON.stringify(month)}`);
  }
  const table = `"${month.name}"`;
  const check = `"${month.name}_month"`;
  // Literals typed as timestamptz at once, in the session's zone, like the partition bound below.
  const from = `CAST('${month.from}' AS timestamptz)`;
  const to = `CAST('${month.to}' AS timestamptz)`;
  await trx.raw(`CREATE TABLE ${table} (LIKE ${MESSAGES_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)`);
  await trx.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${check} CHECK (created_at >= ${from} AND created_at < ${to})`);
  const columns = await storedColumns(trx);
  const moved = await trx.raw<{ rowCount: number }>(
    `WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE created_at >= ${from} AND created_at < ${to} RETURNING ${columns})
     INSERT INTO ${table} (${columns}) SELECT ${columns} FROM moved`,
  );
  await trx.raw(`ALTER TABLE ${MESSAGES_TABLE} ATTACH PARTITION ${table} FOR VALUES FROM ('${month.from}') TO ('${month.to}')`);
  await trx.raw(`ALTER TABLE ${table} DROP CONSTRAINT ${check}`);
  return moved.rowCount;
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
