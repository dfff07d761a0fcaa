import type { Db } from '../../db/knex';
import { VersionedCache } from '../../lib/versionedCache';
import { CompiledLexicon } from './engine';
import { allTerms, lexiconVersion } from './repo';

/**
 * The compiled lexicon of this process. Compiled once per lexicon version: each check reads the
 * version (one indexed row) in the caller's transaction and recompiles only when another change
 * committed since, in this process or any other, so a term added anywhere applies to the very
 * next message everywhere.
 */
export class LexiconCache extends VersionedCache<CompiledLexicon> {
  constructor(db: Db) {
    super(db, lexiconVersion, async (conn) => new CompiledLexicon(await allTerms(conn)));
  }
}
