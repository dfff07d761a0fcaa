import type { Knex } from 'knex';
import PgBoss from 'pg-boss';
import type { Trx } from './knex';

/** The schema of pg-boss's tables (created by the owner with the migrations). */
export const PGBOSS_SCHEMA = 'pgboss';

type Executor = { executeSql: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> };

// Never started: it only writes job rows, each time through the caller's transaction (the `db`
// option of send), so no pool or supervisor runs in processes that merely enqueue.
const sender = new PgBoss({ schema: PGBOSS_SCHEMA, db: { executeSql: () => Promise.reject(new Error('jobs are sent in a transaction')) } });

/** pg-boss writes `$1`-style SQL; knex binds `?`. Its statements hold no literal `?`. */
function inTransaction(trx: Trx): Executor {
  return {
    executeSql: async (text, values) => {
      const bindings: Knex.Value[] = [];
      const sql = text.replace(/\$(\d+)/g, (_m, n: string) => {
        bindings.push((values[Number(n) - 1] ?? null) as Knex.Value);
        return '?';
      });
      const result = (await trx.raw(sql, bindings)) as { rows: unknown[] };
      return { rows: result.rows };
    },
  };
}

/**
 * Enqueues a job in the caller's transaction: it exists if and only if the transaction commits
 * (STYLE.md, "Data access"); `startAfter` delays it. The queue must exist (server/jobs/install.ts creates one per job).
 */
export async function sendJobIn(trx: Trx, name: string, data: object, options: Pick<PgBoss.SendOptions, 'startAfter'> = {}): Promise<string> {
  const id = await sender.send(name, data, { ...options, db: inTransaction(trx) });
  if (!id) {
    throw new Error(`pg-boss queue ${name} is missing: run the migrations as the owner role`);
  }
  return id;
}
