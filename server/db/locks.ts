import type { Db, Trx } from './knex';

/**
 * Takes a transaction-scoped advisory lock: whoever else takes `key` waits until this transaction
 * ends, so boot-time set-up run by several processes at once happens once.
 */
export async function advisoryXactLock(trx: Trx, key: number): Promise<void> {
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [key]);
}

/** Sends `payload` on a NOTIFY channel; inside a transaction, PostgreSQL delivers it on commit. */
export async function notify(conn: Db | Trx, channel: string, payload: string): Promise<void> {
  await conn.raw('SELECT pg_notify(?, ?)', [channel, payload]);
}
