import type { Db, Trx } from '../../db/knex';
import { CompiledRules } from './match';
import { enabledRules, rulesVersion, type RuleRow } from './repo';

/**
 * The compiled rules of this process, recompiled only when the rules' version moved (any
 * process's change), as the lexicon's cache does: a check costs one indexed read.
 */
export class RuleCache {
  private compiled: { version: number; rules: CompiledRules<RuleRow> } | null = null;
  private compiling: { version: number; done: Promise<CompiledRules<RuleRow>> } | null = null;

  constructor(private readonly db: Db) {}

  async current(conn: Db | Trx = this.db): Promise<CompiledRules<RuleRow>> {
    const version = await rulesVersion(conn);
    if (this.compiled?.version === version) {
      return this.compiled.rules;
    }
    if (this.compiling?.version !== version) {
      const done = enabledRules(conn).then((rows) => {
        const rules = new CompiledRules(rows);
        if (!this.compiled || this.compiled.version < version) {
          this.compiled = { version, rules };
        }
        return rules;
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
}

/** The matching rules that answer on a number (all of them when no number is given), order kept. */
export function scopedTo<R extends { channel_ids: string[] }>(matches: readonly R[], channelId: string | null): R[] {
  return matches.filter((r) => channelId === null || r.channel_ids.length === 0 || r.channel_ids.includes(channelId));
}
