import type { ServerResponse } from 'node:http';
import type { Db } from '../../db/knex';
import type { Logger } from '../../lib/logger';
import { SerialDrain } from '../../lib/serialDrain';
import { accessibleCondition } from '../authz/sql';
import { CONVERSATION_FIELDS, countUnassignedFor } from '../conversations';
import type { AuthState } from '../identity';

/** An event stream as the counter sees it: where to write, whose rights, and what it was last told. */
export type CountedStream = { res: ServerResponse; auth: AuthState; unassigned?: number };

// Recount requests handled together at most; a burst forms one batch, so one recount.
const MAX_RECOUNT_BATCH = 10_000;

/**
 * Keeps every open stream's unassigned counter current with `unassigned.count` events.
 *
 * A recount is asked for whenever a conversation may have entered or left the waiting set (a new
 * customer, an assignment, a resolution) and when a stream opens. Requests arriving during a
 * recount are served by one more recount after it, so a burst costs two at most, not one per
 * change. Each recount is one scan of the waiting conversations (a partial index) with one
 * FILTER per distinct access condition, whatever the number of agents; each stream is written to
 * only when its own count changed. The count follows the stream's rights even for conversations
 * the user can no longer see (claimed by someone else), which no per-conversation event reaches.
 */
export class UnassignedCounts {
  private readonly requests = new SerialDrain<true>(() => this.recountSafely(), MAX_RECOUNT_BATCH);

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly streams: () => Iterable<CountedStream>,
  ) {}

  /** Asks for a recount (at once when idle, after the running one otherwise). */
  touch(): void {
    this.requests.push([true]);
  }

  private async recountSafely(): Promise<void> {
    try {
      await this.recount();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'unassigned recount failed');
    }
  }

  private async recount(): Promise<void> {
    // Streams with the same access condition (same role, same teams...) share one count.
    const groups = new Map<string, { condition: { sql: string; bindings: unknown[] }; streams: CountedStream[] }>();
    for (const stream of this.streams()) {
      const condition = accessibleCondition(stream.auth.ability, 'read', 'Conversation', CONVERSATION_FIELDS);
      if (!condition) {
        // No conversation is readable at all: no counter to keep.
        continue;
      }
      const key = `${condition.sql}\u0000${JSON.stringify(condition.bindings)}`;
      const group = groups.get(key) ?? { condition, streams: [] };
      group.streams.push(stream);
      groups.set(key, group);
    }
    if (groups.size === 0) {
      return;
    }
    const all = [...groups.values()];
    const counts = await countUnassignedFor(this.db, all.map((g) => g.condition));
    all.forEach((group, i) => {
      const count = counts[i] ?? 0;
      for (const stream of group.streams) {
        if (stream.unassigned !== count && !stream.res.writableEnded) {
          stream.unassigned = count;
          stream.res.write(`event: unassigned.count\ndata: ${JSON.stringify({ count })}\n\n`);
        }
      }
    });
  }
}
