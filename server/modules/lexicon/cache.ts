import type { Db, Trx } from '../../db/knex';
import { CompiledLexicon } from './engine';
import { allTerms, lexiconVersion } from './repo';

/**
 * The compiled lexicon of this process. Compiled once per lexicon version: each check reads the
 * version (one indexed row) in the caller's transaction and recompiles only when another change
 * committed since, in this process or any other, so a term added anywhere applies to the very
 * next message everywhere.
 */
export class LexiconCache {
  private compiled: { version: number; lexicon: CompiledLexicon } | null = null;
  private compiling: { version: number; done: Promise<CompiledLexicon> } | null = null;

  constructor(private readonly db: Db) {}

  /** The lexicon as of the version `conn` sees. */
  async current(conn: Db | Trx = this.db): Promise<CompiledLexicon> {
    const version = await lexiconVersion(conn);
    if (this.compiled?.version === version) {
      return this.compiled.lexicon;
    }
    if (this.compiling?.version !== version) {
      // Terms are read through the same connection: the compiled set is the version's.
      const done = allTerms(conn).then((terms) => {
        const lexicon = new CompiledLexicon(terms);
        if (!this.compiled || this.compiled.version < version) {
          this.compiled = { version, lexicon };
        }
        return lexicon;
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

  /** The last compiled lexicon without asking the database (null before the first check). */
  latest(): CompiledLexicon | null {
    return this.compiled?.lexicon ?? null;
  }
}
