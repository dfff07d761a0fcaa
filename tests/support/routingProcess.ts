// A second (and third) process that routes: a Router on its own pool, over the database named by
// DATABASE_URL. It routes in a loop from "go" to "stop" (stdin), then prints how many
// conversations it assigned and how many passes it completed, and exits. tests/integration/routingConcurrency.test.ts runs two.
import { createInterface } from 'node:readline';
import { createDb } from '../../server/db/knex';
import { createLogger } from '../../server/lib/logger';
import { AuditLog, type AuditEntry } from '../../server/modules/audit/auditLog';
import { Router } from '../../server/modules/routing';
import type { Services } from '../../server/services';
import type { Actor } from '../../server/lib/actor';
import type { Knex } from 'knex';

async function main(): Promise<void> {
  const db = createDb(process.env.DATABASE_URL!, 4);
  const log = createLogger('warn');
  const audit = new AuditLog(db, log, () => undefined);
  let assigned = 0;
  let passes = 0;
  const counting = {
    appendIn: (trx: Knex.Transaction, actor: Actor, entries: AuditEntry[]) => {
      assigned += entries.filter((e) => e.action === 'routing.assigned').length;
      return audit.appendIn(trx, actor, entries);
    },
  };
  // Only what the router uses: the database, the audit log, a logger and the live-notice publisher.
  const services = { db, log, audit: counting, publish: () => undefined } as unknown as Services;
  const router = new Router(services);
  let running = false;
  let loop: Promise<void> = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) {
    if (line === 'go') {
      running = true;
      loop = (async () => {
        while (running) {
          try {
            await router.pass();
            passes += 1;
          } catch (err) {
            // As the app's Router does: a failed pass is retried, not the end of routing.
            process.stderr.write(`routing pass failed: ${(err as Error).message}\n`);
          }
          await new Promise((r) => setImmediate(r));
        }
      })();
    } else if (line === 'stop') {
      running = false;
      await loop;
      process.stdout.write(`assigned ${assigned} passes ${passes}\n`);
      await db.destroy();
      process.exit(0);
    }
  }
}

void main();
