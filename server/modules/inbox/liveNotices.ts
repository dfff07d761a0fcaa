import type { Db, Trx } from '../../db/knex';
import { notify } from '../../db/locks';
import { runPrepared } from '../../db/prepared';
import type { Logger } from '../../lib/logger';
import { SerialDrain } from '../../lib/serialDrain';

// The one way live notices reach the panels: every notice is a typed LiveNotice, encoded here and
// sent on EVENTS_CHANNEL, which every web process listens to (runtime.ts) and fans out over SSE
// (liveEvents.ts). Nothing else writes to the channel (tests/unit/layout.test.ts checks it).

/** NOTIFY channel carrying live inbox events to every web process (SSE fan-out). */
export const EVENTS_CHANNEL = 'sb_events';

/** What changed, for the panels to refetch: never the data itself (each panel may see different fields). */
export type LiveNotice = ConversationNotice | BudgetNotice;

/** A change in a conversation: its readers refetch it. */
export type ConversationNotice = {
  type: 'message.created' | 'message.status' | 'message.updated' | 'conversation.updated' | 'lexicon.flagged' | 'routing.overdue';
  conversationId: string;
  messageId?: string;
  createdAt?: Date | string;
  /** lexicon.flagged: the hits stored (the lexicon's review list), for supervisors allowed to read them. */
  hitIds?: string[];
};

/** The month's spend passed a budget threshold: for those who read spend, who refetch the amounts. */
export type BudgetNotice = { type: 'costs.budget_threshold'; month: string; thresholdPercent: number };

/** A conversation notice as a listener receives it: its date arrives as an ISO string. */
export type ReceivedNotice = Omit<ConversationNotice, 'createdAt'> & { createdAt?: string };

/** Any notice as a listener receives it. */
export type ReceivedAnyNotice = ReceivedNotice | BudgetNotice;

/** The NOTIFY payload of a notice. */
function encode(notice: LiveNotice): string {
  return JSON.stringify(notice);
}

/** A NOTIFY payload back into its notice; throws on a payload that is not JSON. */
export function decodeNotice(payload: string): ReceivedAnyNotice {
  return JSON.parse(payload) as ReceivedAnyNotice;
}

/**
 * Publishes a notice from inside the transaction that made the change: PostgreSQL delivers it when,
 * and only if, the transaction commits (or at once, given the pool rather than a transaction).
 */
export async function publishNotice(conn: Db | Trx, notice: LiveNotice): Promise<void> {
  await notify(conn, EVENTS_CHANNEL, encode(notice));
}

const MAX_BATCH = 500;

const PUBLISH = `SELECT set_config('synchronous_commit', 'off', true), count(pg_notify($1, p)) FROM unnest($2::text[]) AS p`;

/**
 * Publishes live notices after the data they announce is committed, batched into one
 * statement: the webhook's hot path, where one notice per statement would cost a round trip each.
 * Its own transaction skips waiting for the WAL flush: a lost notice costs a
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
      this.pending.push(notices.map(encode));
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
