import knexFactory, { Knex } from 'knex';
import pg from 'pg';

// int8 (bigint) columns here hold counters and audit sequence numbers, far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export type Db = Knex;
export type Trx = Knex.Transaction;

/** A knex instance on the given URL. The pool survives a database restart: broken clients are discarded. */
export function createDb(url: string, poolMax: number): Db {
  return knexFactory({
    client: 'pg',
    connection: { connectionString: url, application_name: 'switchboard', connectionTimeoutMillis: 5000 },
    pool: { min: 0, max: poolMax, idleTimeoutMillis: 30_000 },
    acquireConnectionTimeout: 5000,
  });
}

/** SQLSTATE classes and socket errors that mean "the database is unreachable", not "the query is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) {
    return false;
  }
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) {
      return true;
    }
    // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
    if (code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)) {
      return true;
    }
  }
  return (
    err.name === 'KnexTimeoutError' ||
    /Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(
      err.message,
    )
  );
}

/** Whether `err` is PostgreSQL's unique violation (23505) of the named constraint or unique index. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const { code, constraint: violated } = (err ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && violated === constraint;
}
