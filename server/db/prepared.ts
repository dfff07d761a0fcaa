import type { Db } from './knex';

/** A pooled pg connection, as knex hands it out. */
export type PgConnection = { query: (q: { name: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[] }> };

export function acquireConnection(db: Db): Promise<PgConnection> {
  return db.client.acquireConnection() as Promise<PgConnection>;
}

export async function releaseConnection(db: Db, conn: PgConnection): Promise<void> {
  await db.client.releaseConnection(conn);
}

/**
 * Runs a hot statement as a named prepared statement: it is then parsed and planned once per
 * connection, not on every call. `name` must change when `text` does.
 */
export async function queryPrepared<T>(conn: PgConnection, name: string, text: string, values: unknown[]): Promise<T[]> {
  return (await conn.query({ name, text, values })).rows as T[];
}

/** queryPrepared on a connection borrowed from the pool for the one statement. */
export async function runPrepared<T>(db: Db, name: string, text: string, values: unknown[]): Promise<T[]> {
  const conn = await acquireConnection(db);
  try {
    return await queryPrepared<T>(conn, name, text, values);
  } finally {
    await releaseConnection(db, conn);
  }
}
