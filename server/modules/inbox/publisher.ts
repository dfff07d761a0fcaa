import type { Db } from '../../db/knex';
import { runPrepared } from '../../db/prepared';
import type { Logger } from '../../lib/logger';
import { SerialDrain } from '../../lib/serialDrain';
import { EVENTS_CHANNEL } from './ingestRepo';

export type LiveNotice = { type: 'message.created' | 'message.status' | 'message.updated' | 'conversation.updated'; conversationId: string; messageId?: string; createdAt?: Date | string };

const MAX_BATCH = 500;

const PUBLISH = `SELECT set_config('synchronous_commit', 'off', true), count(pg_notify($1, p)) FROM unnest($2::text[]) AS p`;

/**
 * Publishes live notices after the data they announce is committed, batched into one
 * statement. Its own transaction skips waiting for the WAL flush: a lost notice costs a
 * live update (clients refetch on reconnect), never data.
 */
export class EventPublisher {
  private readonly pending = new SerialDrain<string>((batch) => this.send(batch), MAX_BATCH);

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  publish(notices: LiveNotice[]): void {
    if (notices.length > 0) {
      this.pending.push(notices.map((n) => JSON.stringify(n)));
    }
  }

  private async send(batch: string[]): Promise<void> {
    try {
      // One statement, its own implicit transaction: set_config(..., true) lasts until its commit.
      await runPrepared(this.db, 'sb_publish_notices_v1', PUBLISH, [EVENTS_CHANNEL, batch]);
    } catch (err) {
      this.log.warn({ err: (err as Error).message, dropped: batch.length }, 'live notices not published');
    }
  }

  flush(): Promise<void> {
    return this.pending.flush();
  }
}
