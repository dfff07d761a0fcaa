import { loadConfig } from '../config';
import { attachOrStartEmbedded } from '../db/embedded';
import { createDb } from '../db/knex';
import { createLogger } from '../lib/logger';
import { verifyAgainstAnchor, type ChainVerification } from '../modules/audit/anchors';
import { AuditLog } from '../modules/audit/auditLog';
import { createMediaStore } from '../runtime';
import { runCli } from './run';

const EXPLANATIONS: Record<NonNullable<ChainVerification['reason']>, string> = {
  hash_mismatch: 'an event was altered: its hash does not match its content',
  prev_hash_mismatch: 'an event does not chain from the one before it',
  sequence_gap: 'events are missing from the middle of the chain',
  tail_deleted: 'the newest events were deleted: the chain ends before the event the latest anchor signed',
  history_rewritten: 'the history was rewritten and re-hashed: the anchored event no longer has the anchored hash',
  anchor_invalid: "the latest anchor's signature does not verify with the appliance key",
};

/**
 * `npm run audit:verify`: walks the audit hash chain, holds it against the latest signed
 * anchor, and prints the result as JSON. Exit code 0 when intact, 2 when broken (the
 * sequence number and what happened are printed).
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const embedded = config.databaseUrl ? null : await attachOrStartEmbedded(config.dataDir, log);
  const db = createDb(config.databaseUrl ?? embedded!.url('switchboard'), 2);
  const media = await createMediaStore(config);
  try {
    const result = await verifyAgainstAnchor(new AuditLog(db, log), { db, media });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!result.ok && result.reason) {
      process.stderr.write(`Audit chain broken at sequence ${result.firstBrokenSeq} (${result.reason}): ${EXPLANATIONS[result.reason]}.\n`);
    } else if (!result.anchor) {
      process.stderr.write('No anchor has been written yet: a deleted tail would go unnoticed until the first one.\n');
    }
    return result.ok ? 0 : 2;
  } finally {
    media.close?.();
    await db.destroy();
    await embedded?.stop();
  }
}

runCli(main);
