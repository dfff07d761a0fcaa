import PgBoss from 'pg-boss';
import type { Trx } from './knex';

// pg-boss's schema (server/jobs/worker.ts PGBOSS_SCHEMA; the data layer cannot import jobs).
const PGBOSS_SCHEMA = 'pgboss';

type PgConnection = { query: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }> };

let sender: PgBoss | null = null;

/**
 * Enqueues a pg-boss job inside a knex transaction, so the job exists if and only if the
 * transaction commits. Any role may enqueue (a web pod runs no pg-boss of its own): pg-boss is
 * only used to write its job row, on the transaction's own connection (knex hands a
 * transaction's connection back from acquireConnection).
 */
export async function enqueueIn(trx: Trx, name: string, data: object): Promise<void> {
  sender ??= new PgBoss({ schema: PGBOSS_SCHEMA, db: { executeSql: () => Promise.reject(new Error('enqueueIn passes its own connection')) } });
  const connection = (await (trx.client as { acquireConnection: () => Promise<PgConnection> }).acquireConnection());
  await sender.send(name, data, { db: { executeSql: (text: string, values: unknown[]) => connection.query(text, values) } });
}
