import type { Db, Trx } from '../db/knex';

/**
 * A value compiled from the database (the lexicon, the auto-reply rules) and kept per process
 * until its version moves. Each read checks the version (one indexed row) through the caller's
 * connection and rebuilds only when another change committed since, in this process or any
 * other; concurrent readers of a new version share one build, and an older build finishing late
 * never replaces a newer one.
 */
export class VersionedCache<T> {
  private compiled: { version: number; value: T } | null = null;
  private compiling: { version: number; done: Promise<T> } | null = null;

  constructor(
    private readonly db: Db,
    private readonly versionOf: (conn: Db | Trx) => Promise<number>,
    /** Reads through the same connection: the value built is the version's. */
    private readonly build: (conn: Db | Trx) => Promise<T>,
  ) {}

  /** The value as of the version `conn` sees. */
  async current(conn: Db | Trx = this.db): Promise<T> {
    const version = await this.versionOf(conn);
    if (this.compiled?.version === version) {
      return this.compiled.value;
    }
    if (this.compiling?.version !== version) {
      const done = this.build(conn).then((value) => {
        if (!this.compiled || this.compiled.version < version) {
          this.compiled = { version, value };
        }
        return value;
      });
      this.compiling = { version, done };
      done.finally(() => {
        if (this.compiling?.done === done) {
          this.compiling = null;
        }
      }).catch(() => undefined);
    }
    return this.compiling.done;
  }

  /** The last value built, without asking the database (null before the first read). */
  latest(): T | null {
    return this.compiled?.value ?? null;
  }
}
