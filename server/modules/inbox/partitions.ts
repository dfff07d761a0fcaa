import type { Db } from '../../db/knex';
import { attachedPartitions, createMonthPartition, monthsNeeded } from './partitionRepo';

/** Partitions are made this many months ahead of the current one, so a missed run or three costs nothing. */
export const PARTITION_MONTHS_AHEAD = 3;

/** The metric counts rows of the default partition up to this: enough to alert on, cheap to count. */
export const DEFAULT_ROWS_COUNTED = 100_000;

export type PartitionOutcome = { created: string[]; moved: number };

/**
 * Keeps `messages` partitioned by month: this month and the next three get a partition, and
 * any month with rows in the default partition (the job did not run, the clock jumped) gets
 * one with those rows moved into it. One transaction per month, so a failure (a lock not
 * granted in time) leaves the months done so far done. Idempotent: a second run finds nothing to do.
 */
export async function maintainMessagePartitions(db: Db, now: Date): Promise<PartitionOutcome> {
  const outcome: PartitionOutcome = { created: [], moved: 0 };
  const attached = await attachedPartitions(db);
  for (const month of await monthsNeeded(db, now, PARTITION_MONTHS_AHEAD)) {
    if (attached.has(month.name)) {
      continue;
    }
    const moved = await createMonthPartition(db, month);
    if (moved !== null) {
      outcome.created.push(month.name);
      outcome.moved += moved;
    }
  }
  return outcome;
}
