import { isDatabaseUnavailable, type Db } from '../../db/knex';
import { SerialDrain } from '../../lib/serialDrain';
import { acquireConnection, releaseConnection, type PgConnection } from '../../db/prepared';
import { insertInboundBatch, type InboundResult, type InboundRow } from './inboundRepo';

export type { InboundResult, InboundRow };

type Waiting = { row: InboundRow; resolve: (r: InboundResult) => void; reject: (err: unknown) => void };

/**
 * Group commit for inbound messages. Webhooks arrive one message at a time, many at once; each
 * waits for its message to be durable before it is acknowledged. One batch is in the database
 * at a time, and whatever arrives meanwhile goes into the next one, so the batch grows with the
 * load while an idle appliance writes a lone message at once. (Measured in `npm run bench
 * webhook`: one batch in flight beats several smaller concurrent ones, in throughput and in
 * CPU per message, for the app and for PostgreSQL.)
 *
 * A batch that fails is retried one message at a time, so one bad message fails only its own
 * webhook, which Meta delivers again; while the database is unavailable the whole batch fails
 * at once.
 */
export class InboundBatcher {
  // Under load consecutive batches keep one connection: borrowing one costs a turn of the event
  // loop or two. Idle, it goes back to the pool until the next message.
  private conn: PgConnection | null = null;
  private readonly pending: SerialDrain<Waiting>;

  constructor(
    private readonly db: Db,
    opts: { maxBatch?: number } = {},
  ) {
    this.pending = new SerialDrain((batch) => this.write(batch), opts.maxBatch ?? 250, () => this.releaseConnection());
  }

  /**
   * Resolves when every row is durable (or known already), with each row's outcome. Rejects,
   * once every row has been tried, if any could not be stored.
   */
  async store(rows: readonly InboundRow[]): Promise<InboundResult[]> {
    const waiting: Waiting[] = [];
    const outcomes = rows.map((row) => new Promise<InboundResult>((resolve, reject) => waiting.push({ row, resolve, reject })));
    this.pending.push(waiting);
    const settled = await Promise.allSettled(outcomes);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) {
      throw failed.reason;
    }
    return settled.map((s) => (s as PromiseFulfilledResult<InboundResult>).value);
  }

  private async connection(): Promise<PgConnection> {
    this.conn ??= await acquireConnection(this.db);
    return this.conn;
  }

  private releaseConnection(): void {
    const conn = this.conn;
    this.conn = null;
    if (conn) {
      void releaseConnection(this.db, conn);
    }
  }

  private async write(batch: Waiting[]): Promise<void> {
    try {
      const results = await insertInboundBatch(
        await this.connection(),
        batch.map((w) => w.row),
      );
      batch.forEach((w, i) => w.resolve(results[i]!));
    } catch (err) {
      // A broken connection must not be reused; the pool checks it when it comes back.
      this.releaseConnection();
      // With the database away, every message fails alike: no point trying them one by one.
      if (batch.length === 1 || isDatabaseUnavailable(err)) {
        batch.forEach((w) => w.reject(err));
        return;
      }
      for (const w of batch) {
        await this.write([w]);
      }
    }
  }
}
