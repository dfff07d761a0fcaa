import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from '../lib/logger';

/**
 * One LISTEN connection per process, re-established when the database goes away.
 * Emits 'notification' (channel, payload) and 'reconnected' (notifications may have been
 * missed while down, so listeners drop their caches).
 */
export class PgListener extends EventEmitter {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly url: string,
    private readonly channels: readonly string[],
    private readonly log: Logger,
  ) {
    super();
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'switchboard-listen' });
    client.on('notification', (msg) => this.emit('notification', msg.channel, msg.payload ?? ''));
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'listen connection lost');
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    await client.connect();
    for (const channel of this.channels) {
      await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    }
    this.client = client;
  }

  private scheduleReconnect(failed: pg.Client): void {
    if (this.stopped || this.client !== failed || this.retryTimer) {
      return;
    }
    this.client = null;
    failed.removeAllListeners('end');
    const attempt = (delay: number) => {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.connect()
          .then(() => this.emit('reconnected'))
          .catch(() => attempt(Math.min(delay * 2, 5000)));
      }, delay);
      this.retryTimer.unref();
    };
    attempt(250);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
    }
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
