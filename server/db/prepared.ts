import type { Db } from './knex';

type PgClient = { query: (q: { name: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[] }> };

/**
 * Runs a hot statement as a named prepared statement on a pooled connection: it is then parsed
 * and planned once per connection, not on every call. `name` must change when `text` does.
 */
export async function runPrepared<T>(db: Db, name: string, text: string, values: unknown[]): Promise<T[]> {
  const conn = (await db.client.acquireConnection()) as PgClient;
  try {
    const result = await conn.query({ name, text, values });
    return result.rows as T[];
  } finally {
    await db.client.releaseConnection(conn);
  }
}
