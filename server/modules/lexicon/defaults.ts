import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { advisoryXactLock } from '../../db/locks';
import { systemActor } from '../../lib/actor';
import { newId } from '../../lib/ids';
import { policiesDir } from '../../lib/paths';
import type { Services } from '../../services';
import { bumpLexiconVersion, insertTermsIfNew, mergedDefaults, recordMergedDefaults } from './repo';
import { readDefaultList, type ParsedTerm } from './termFile';

// Booting processes merge the defaults one at a time (any fixed key no other lock uses).
const DEFAULTS_LOCK = 0x5b0a4c1e;
const LEXICON_DIR = path.join(policiesDir, 'lexicon');

/** The default lists shipped in policies/lexicon/<locale>.txt; a malformed line stops the boot, naming it. */
export function loadDefaultLexicon(dir = LEXICON_DIR): ParsedTerm[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort();
  return files.flatMap((file) => {
    const parsed = readDefaultList(readFileSync(path.join(dir, file), 'utf8'), path.basename(file, '.txt'));
    const bad = parsed.rejected[0];
    if (bad) {
      throw new Error(`policies/lexicon/${file} line ${bad.line}: ${bad.reason} (${bad.text})`);
    }
    return parsed.terms;
  });
}

/**
 * Merges the default lexicon in: a default never merged before is added (unless the lexicon
 * already holds it); one merged before is left alone, so an admin's change or deletion of a
 * default term survives restarts and upgrades. Audited when it adds anything.
 */
export async function seedDefaultLexicon(s: Services, defaults: ParsedTerm[] = loadDefaultLexicon()): Promise<number> {
  return s.db.transaction(async (trx) => {
    await advisoryXactLock(trx, DEFAULTS_LOCK);
    const merged = await mergedDefaults(trx);
    const fresh = defaults.filter((t) => !merged.has(`${t.locale}\u0000${t.normalized}`));
    if (fresh.length === 0) {
      return 0;
    }
    const added = await insertTermsIfNew(trx, fresh.map((t) => ({ id: newId(), term: t.term, normalized: t.normalized, locale: t.locale, action: t.action, source: 'default' as const, created_by: null })));
    await recordMergedDefaults(trx, fresh.map((t) => ({ locale: t.locale, normalized: t.normalized })));
    if (added.size > 0) {
      await bumpLexiconVersion(trx);
      await s.audit.appendIn(trx, systemActor, [{ action: 'lexicon.defaults_merged', subjectType: 'LexiconTerm', subjectId: null, details: { added: added.size } }]);
    }
    return added.size;
  });
}
