import type { Knex } from 'knex';
import type { Db } from '../../db/knex';
import type { Actor } from '../../lib/actor';
import type { Logger } from '../../lib/logger';
import { SerialDrain } from '../../lib/serialDrain';
import { chainHash, GENESIS_HASH, type ChainedEvent } from './chain';
import { chainPage, insertEvents, lockHead } from './repo';

/** What a command says happened; the log adds who, when, where and the chain. */
export type AuditEntry = {
  action: string;
  subjectType?: string | null;
  subjectId?: string | null;
  /** Ids and flags only: never message text, passwords or tokens. */
  details?: Record<string, unknown>;
};

export type VerifyResult = {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap' | null;
};

type Pending = { actor: Actor; entry: AuditEntry; resolve: () => void; reject: (err: unknown) => void };

const MAX_BATCH = 1000;
const VERIFY_PAGE = 5000;

/**
 * The audit log's only writer. Appends go through one advisory lock (in the caller's
 * transaction, or batched in the log's own), so sequence numbers and hashes form one line.
 */
export class AuditLog {
  // Events recorded outside a business transaction, appended in batches by one writer.
  private readonly pending = new SerialDrain<Pending>((batch) => this.appendBatch(batch), MAX_BATCH);

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly onWritten: (count: number) => void = () => undefined,
  ) {}

  /** Appends inside the caller's transaction: the events commit if and only if the change does. */
  appendIn(trx: Knex.Transaction, actor: Actor, entries: AuditEntry[]): Promise<void> {
    return this.append(trx, entries.map((entry) => ({ actor, entry })));
  }

  private async append(trx: Knex.Transaction, items: Array<{ actor: Actor; entry: AuditEntry }>): Promise<void> {
    if (items.length === 0) {
      return;
    }
    let head = await lockHead(trx);
    const rows = items.map(({ actor, entry }) => {
      const event: ChainedEvent = {
        seq: head.seq + 1,
        at: new Date().toISOString(),
        actorType: actor.type,
        actorId: actor.id,
        action: entry.action,
        subjectType: entry.subjectType ?? null,
        subjectId: entry.subjectId ?? null,
        ip: actor.ip,
        requestId: actor.requestId,
        details: entry.details ?? {},
      };
      const prevHash = head.hash;
      const hash = chainHash(prevHash, event);
      head = { seq: event.seq, hash };
      return { ...event, prevHash, hash };
    });
    await insertEvents(trx, rows);
    trx.executionPromise.then(() => this.onWritten(rows.length)).catch(() => undefined);
  }

  /** Records an event outside any business transaction; resolves once it is durable. */
  record(actor: Actor, entry: AuditEntry): Promise<void> {
    return new Promise((resolve, reject) => this.pending.push([{ actor, entry, resolve, reject }]));
  }

  /** Waits until everything recorded so far is written. */
  flush(): Promise<void> {
    return this.pending.flush();
  }

  private async appendBatch(batch: Pending[]): Promise<void> {
    try {
      await this.db.transaction(async (trx) => {
        await this.append(trx, batch);
      });
      batch.forEach((p) => p.resolve());
    } catch (err) {
      this.log.error({ err: (err as Error).message, count: batch.length }, 'audit append failed');
      batch.forEach((p) => p.reject(err));
    }
  }

  /**
   * Walks the whole chain and names the first broken link. `from` is where a trimmed chain
   * starts (its first event and the hash it chains from, vouched for by a signed start).
   */
  async verify(from: { seq: number; prevHash: string } = { seq: 1, prevHash: GENESIS_HASH }): Promise<VerifyResult> {
    let prevHash = from.prevHash;
    let expectedSeq = from.seq;
    let checked = 0;
    for (;;) {
      const rows = await chainPage(this.db, expectedSeq - 1, VERIFY_PAGE);
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== expectedSeq) {
          return { ok: false, checked, firstBrokenSeq: expectedSeq, reason: 'sequence_gap' };
        }
        if (row.prev_hash !== prevHash) {
          return { ok: false, checked, firstBrokenSeq: seq, reason: 'prev_hash_mismatch' };
        }
        const recomputed = chainHash(prevHash, {
          seq,
          at: row.at.toISOString(),
          actorType: row.actor_type,
          actorId: row.actor_id,
          action: row.action,
          subjectType: row.subject_type,
          subjectId: row.subject_id,
          ip: row.ip,
          requestId: row.request_id,
          details: row.details,
        });
        if (recomputed !== row.hash) {
          return { ok: false, checked, firstBrokenSeq: seq, reason: 'hash_mismatch' };
        }
        prevHash = row.hash;
        expectedSeq = seq + 1;
        checked += 1;
      }
      if (rows.length < VERIFY_PAGE) {
        return { ok: true, checked, firstBrokenSeq: null, reason: null };
      }
    }
  }
}
