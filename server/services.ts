import type { Config } from './config';
import type { Db } from './db/knex';
import type { Logger } from './lib/logger';
import type { Metrics } from './lib/metrics';
import type { AuditLog } from './modules/audit/auditLog';
import type { SessionStore } from './modules/identity/sessions';

/** What commands and routes are given: built once per process, passed explicitly. */
export type Services = {
  config: Config;
  db: Db;
  log: Logger;
  metrics: Metrics;
  audit: AuditLog;
  sessions: SessionStore;
  /** AES-256-GCM key for secrets at rest; never stored in the database. */
  masterKey: Buffer;
};
