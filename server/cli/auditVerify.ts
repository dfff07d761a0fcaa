import { ConfigError, loadConfig } from '../config';
import { attachOrStartEmbedded } from '../db/embedded';
import { createDb } from '../db/knex';
import { createLogger } from '../lib/logger';
import { AuditLog } from '../modules/audit/auditLog';

/**
 * `npm run audit:verify`: walks the audit hash chain and prints the result as JSON.
 * Exit code 0 when intact, 2 when a link is broken (its sequence number is printed).
 */
async function main(): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
  const embedded = config.databaseUrl ? null : await attachOrStartEmbedded(config.dataDir, log);
  const db = createDb(config.databaseUrl ?? embedded!.url('switchboard'), 2);
  try {
    const result = await new AuditLog(db, log).verify();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (!result.ok) {
      process.stderr.write(`Audit chain broken at sequence ${result.firstBrokenSeq} (${result.reason}).\n`);
    }
    return result.ok ? 0 : 2;
  } finally {
    await db.destroy();
    await embedded?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
