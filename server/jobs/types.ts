import type PgBoss from 'pg-boss';
import type { Config } from '../config';
import type { Services } from '../services';

/** One background job: its queue name, optional schedule, retry policy and an idempotent perform. */
export type JobDefinition<T extends object> = {
  name: string;
  /** node-cron expression (or read from the config); each tick enqueues once across all replicas (singleton key per slot). */
  cron?: string | ((config: Config) => string);
  /** Also enqueued when a worker starts (once across replicas starting together). */
  runAtStart?: boolean;
  options: Pick<PgBoss.Queue, 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'expireInSeconds'>;
  perform: (s: Services, data: T) => Promise<void>;
};
