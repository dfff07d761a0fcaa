import type { Db } from '../../db/knex';

/** Current lock of a throttle key, if any. */
export async function lockedUntil(db: Db, key: string): Promise<Date | null> {
  const row = (await db('login_throttle').select('locked_until').where({ key }).first()) as
    | { locked_until: Date | null }
    | undefined;
  return row?.locked_until ?? null;
}

/**
 * Counts one failure for a key within a window; at `max` failures the key is locked for
 * `lockMs`. One statement, so concurrent failures from many processes count exactly.
 */
export async function recordFailure(db: Db, key: string, max: number, windowMs: number, lockMs: number): Promise<Date | null> {
  const result = await db.raw<{ rows: Array<{ locked_until: Date | null }> }>(
    `INSERT INTO login_throttle AS t (key, failures, window_started_at)
       VALUES (?, 1, now())
     ON CONFLICT (key) DO UPDATE SET
       failures = CASE WHEN t.window_started_at < now() - make_interval(secs => ?) THEN 1 ELSE t.failures + 1 END,
       window_started_at = CASE WHEN t.window_started_at < now() - make_interval(secs => ?) THEN now() ELSE t.window_started_at END,
       locked_until = CASE
         WHEN t.window_started_at >= now() - make_interval(secs => ?) AND t.failures + 1 >= ?
         THEN now() + make_interval(secs => ?) ELSE t.locked_until END
     RETURNING locked_until`,
    [key, windowMs / 1000, windowMs / 1000, windowMs / 1000, max, lockMs / 1000],
  );
  return result.rows[0]?.locked_until ?? null;
}

export async function clearFailures(db: Db, key: string): Promise<void> {
  await db('login_throttle').where({ key }).delete();
}
