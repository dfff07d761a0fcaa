import type { Db } from '../../db/knex';
import { VersionedCache } from '../../lib/versionedCache';
import { CompiledRules } from './match';
import { enabledRules, rulesVersion, type RuleRow } from './repo';

/**
 * The compiled rules of this process, recompiled only when the rules' version moved (any
 * process's change), as the lexicon's cache does: a check costs one indexed read.
 */
export class RuleCache extends VersionedCache<CompiledRules<RuleRow>> {
  constructor(db: Db) {
    super(db, rulesVersion, async (conn) => new CompiledRules(await enabledRules(conn)));
  }
}

/** The matching rules that answer on a number (all of them when no number is given), order kept. */
export function scopedTo<R extends { channel_ids: string[] }>(matches: readonly R[], channelId: string | null): R[] {
  return matches.filter((r) => channelId === null || r.channel_ids.length === 0 || r.channel_ids.includes(channelId));
}
