/**
 * "The audit writer appends at least 2,000 events/s while keeping the chain linear."
 * In-process: many concurrent producers call AuditLog.record against a fresh, migrated
 * database; the baseline is the same producers feeding plain batched INSERTs into an
 * unchained copy of the table. Afterwards AuditLog.verify must walk every event.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDb, type Db } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import type { Actor } from '../../server/lib/actor';
import { AuditLog, type AuditEntry } from '../../server/modules/audit/auditLog';
import {
  benchLog,
  buildResult,
  createBenchDatabase,
  envNumber,
  interleaved,
  progress,
  round,
  type Bench,
  type BenchResult,
} from './support';

// The goal, absolute: events per second through AuditLog.record.
const TARGET_EVENTS_PER_SEC = 2000;
// The writer's batch ceiling (MAX_BATCH in server/modules/audit/auditLog.ts); the baseline uses the same.
const MAX_BATCH = 1000;
// Not timed: connections, JIT and the first index pages, for both sides.
const WARMUP_EVENTS = 1000;
const SCRATCH_TABLE = 'bench_unchained_events';
// Baseline rows carry hash-sized placeholders, so both sides insert rows of the same size.
const PLACEHOLDER_HASH = 'f'.repeat(64);

type Sample = { actor: Actor; entry: AuditEntry };

/** A realistic event: a user acting on a conversation, with ids in the details. */
function sampleEvent(i: number, userIds: string[]): Sample {
  return {
    actor: { type: 'user', id: userIds[i % userIds.length]!, ip: `203.0.113.${i % 250}`, requestId: randomUUID() },
    entry: {
      action: 'conversation.assigned',
      subjectType: 'Conversation',
      subjectId: randomUUID(),
      details: { teamId: userIds[(i * 7) % userIds.length], reason: 'routing', index: i },
    },
  };
}

/**
 * The baseline writer: AuditLog's queue-and-batch pattern (up to MAX_BATCH rows per INSERT,
 * one batch in flight) without the chain: no advisory lock, no head lookup, no hashing.
 */
class UnchainedWriter {
  private queue: Array<{ sample: Sample; resolve: () => void; reject: (err: unknown) => void }> = [];
  private draining: Promise<void> | null = null;
  private seq = 0;
  readonly batches: number[] = [];

  constructor(private readonly db: Db) {}

  write(sample: Sample): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ sample, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = null;
      });
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.db(SCRATCH_TABLE).insert(
          batch.map(({ sample: { actor, entry } }) => ({
            seq: (this.seq += 1),
            at: new Date().toISOString(),
            actor_type: actor.type,
            actor_id: actor.id,
            action: entry.action,
            subject_type: entry.subjectType ?? null,
            subject_id: entry.subjectId ?? null,
            ip: actor.ip,
            request_id: actor.requestId,
            details: JSON.stringify(entry.details ?? {}),
            prev_hash: PLACEHOLDER_HASH,
            hash: PLACEHOLDER_HASH,
          })),
        );
        this.batches.push(batch.length);
        batch.forEach((p) => p.resolve());
      } catch (err) {
        batch.forEach((p) => p.reject(err));
      }
    }
  }
}

/** `producers` concurrent callers share `count` writes, each awaiting its own before the next; returns seconds. */
async function produce(count: number, producers: number, firstIndex: number, write: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: producers }, async () => {
      while (next < count) {
        const i = firstIndex + next;
        next += 1;
        await write(i);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

function batchStats(batches: number[]) {
  const total = batches.reduce((a, b) => a + b, 0);
  return { statements: batches.length, meanBatch: round(total / Math.max(1, batches.length)), maxBatch: Math.max(0, ...batches) };
}

async function countEvents(db: Db): Promise<number> {
  const row = await db('audit_events').count<Array<{ n: number | string }>>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

async function run(): Promise<BenchResult> {
  const events = Math.round(envNumber('BENCH_AUDIT_EVENTS', 20_000));
  const producers = Math.round(envNumber('BENCH_AUDIT_PRODUCERS', 200));
  const rounds = Math.round(envNumber('BENCH_ROUNDS', 2));
  const perRound = Math.ceil(events / rounds);
  const database = await createBenchDatabase();
  const db = createDb(database.url, 10);
  try {
    progress('migrating a fresh database for the audit bench');
    await migrateLatest(db);
    // Same columns and indexes as audit_events; no append-only trigger, no chain.
    await db.raw(`CREATE TABLE ?? (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)`, [SCRATCH_TABLE]);
    const writerBatches: number[] = [];
    const audit = new AuditLog(db, benchLog, (n) => writerBatches.push(n));
    const unchained = new UnchainedWriter(db);
    const userIds = Array.from({ length: 50 }, () => randomUUID());
    const before = await countEvents(db);

    const writers = {
      value: (i: number) => {
        const { actor, entry } = sampleEvent(i, userIds);
        return audit.record(actor, entry);
      },
      baseline: (i: number) => unchained.write(sampleEvent(i, userIds)),
    };
    progress(`warm-up: ${WARMUP_EVENTS} events through each writer`);
    await produce(WARMUP_EVENTS, producers, 0, writers.baseline);
    await produce(WARMUP_EVENTS, producers, 0, writers.value);
    writerBatches.length = 0;
    unchained.batches.length = 0;

    let nextIndex = WARMUP_EVENTS;
    const seconds = await interleaved(rounds, async (side, r) => {
      progress(`round ${r + 1}/${rounds} ${side === 'value' ? 'audit writer' : 'unchained INSERTs'}: ${perRound} events, ${producers} producers`);
      const s = await produce(perRound, producers, nextIndex, writers[side]);
      nextIndex += perRound;
      return s;
    });
    await audit.flush();
    const total = perRound * rounds;
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const value = total / sum(seconds.value);
    const baseline = total / sum(seconds.baseline);

    progress('verifying the chain');
    const verifyStarted = performance.now();
    const verify = await audit.verify();
    const verifySeconds = (performance.now() - verifyStarted) / 1000;
    const expected = before + WARMUP_EVENTS + total;
    const stored = await countEvents(db);
    const chainLinear = verify.ok && verify.checked === expected && stored === expected;
    const perRoundRate = (xs: number[]) => xs.map((s) => round(perRound / s));

    return buildResult({
      name: 'audit',
      metric: 'events/s',
      value,
      baseline,
      unit: 'events per second',
      target: { of: 'value', atLeast: TARGET_EVENTS_PER_SEC },
      details: {
        settings: { events: total, producers, rounds, warmupEvents: WARMUP_EVENTS, maxBatch: MAX_BATCH, order: 'ABBA rounds' },
        writer: { eventsPerSec: round(value), perRoundEventsPerSec: perRoundRate(seconds.value), seconds: round(sum(seconds.value), 2), ...batchStats(writerBatches) },
        unchainedInsert: { eventsPerSec: round(baseline), perRoundEventsPerSec: perRoundRate(seconds.baseline), seconds: round(sum(seconds.baseline), 2), ...batchStats(unchained.batches) },
        chain: { ...verify, expected, stored, eventsBefore: before, verifySeconds: round(verifySeconds, 2) },
        chainLinear,
      },
      checks: { chainLinear },
    });
  } finally {
    await db.destroy();
    await database.drop();
  }
}

const bench: Bench = {
  name: 'audit',
  description: `AuditLog.record from concurrent producers vs unchained batched INSERTs: >= ${TARGET_EVENTS_PER_SEC} events/s, chain linear`,
  run,
};

export default bench;
