// The retention run: what the nightly job and "run now" do. Months of `messages` that have
// expired under every number's policy and hold nothing held are dropped whole; the rest is
// deleted in bounded batches (one short transaction each, holds locked meanwhile), skipping
// held rows. Media files go after the transaction that removed their rows commits. The run is
// recorded in retention_runs and audited with its counts (ids and numbers only).
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { writeStartAnchor } from '../audit/startAnchor';
import { expireArchives } from '../gdpr';
import { deleteInactiveContacts, deleteOldSessions, trimAuditEvents } from './classRepo';
import { cutoffsFor, earliestCutoff, latestCutoff } from './cutoffs';
import {
  clearExpiredPreviews, DEFAULT_PARTITION, deleteExpiredMedia, deleteExpiredMessages, deleteMessageCompanions, deleteOrphanMedia, deletePartitionCompanions, dropPartition,
  finishRun, insertRun, lockHolds, monthPartitions, partitionContents, policyPeriods, tryRunLock, type Cutoffs, type MonthPartition,
} from './repo';

/** Rows per delete: short transactions, so inbound traffic never waits long behind a run. */
export const RETENTION_BATCH = 1000;
/** Two runs (the nightly one, a "run now") never overlap: the second is refused. */
export const RUN_LOCK = 0x7e7e0a01;

export type RunCounts = {
  messages: { total: number; byChannel: Record<string, number> };
  droppedPartitions: string[];
  media: { total: number; byChannel: Record<string, number> };
  mediaFilesRemoved: number;
  inactiveContacts: number;
  sessions: number;
  auditEvents: number;
  auditStart: number | null;
  /** Conversations whose list preview quoted a message that has now expired. */
  previewsCleared: number;
  /** GDPR access archives past the exports period, removed from the store. */
  exports: number;
};

export type RunResult = { id: string; startedAt: Date; counts: RunCounts };

type Deps = Pick<Services, 'db' | 'audit' | 'media' | 'masterKey' | 'clock' | 'log'>;

// A sentinel that rolls back the companion deletes of a month the drop function refused.
class DropRefused extends Error {}

function add(to: Record<string, number>, key: string | null, n: number): void {
  const k = key ?? 'none';
  to[k] = (to[k] ?? 0) + n;
}

async function removeFiles(s: Deps, keys: Array<string | null>): Promise<number> {
  let removed = 0;
  for (const key of keys) {
    if (!key) {
      continue;
    }
    try {
      await s.media.remove(key);
      removed += 1;
    } catch (err) {
      // The row is gone already: a file left behind is logged, never a reason to fail the run.
      s.log.warn({ err: (err as Error).message, key }, 'retention could not remove a media file');
    }
  }
  return removed;
}

/** Drops a whole expired month; false when the owner's function refuses (something in it is held). */
async function dropMonth(s: Deps, p: MonthPartition, counts: RunCounts): Promise<boolean> {
  try {
    const keys = await s.db.transaction(async (trx) => {
      const contents = await partitionContents(trx, p.name);
      await deletePartitionCompanions(trx, p.name, p.upper);
      if (!(await dropPartition(trx, p.name))) {
        throw new DropRefused();
      }
      const media = await deleteOrphanMedia(trx, contents.mediaIds);
      contents.perChannel.forEach((r) => {
        add(counts.messages.byChannel, r.channel_id, r.n);
        counts.messages.total += r.n;
      });
      counts.droppedPartitions.push(p.name);
      return media.map((m) => m.storage_key);
    });
    counts.mediaFilesRemoved += await removeFiles(s, keys);
    return true;
  } catch (err) {
    if (err instanceof DropRefused) {
      return false;
    }
    throw err;
  }
}

async function deleteMonthInBatches(s: Deps, partition: string, cutoffs: Cutoffs, counts: RunCounts): Promise<void> {
  for (;;) {
    const { removed, keys } = await s.db.transaction(async (trx) => {
      await lockHolds(trx);
      const rows = await deleteExpiredMessages(trx, partition, cutoffs, RETENTION_BATCH);
      if (rows.length === 0) {
        return { removed: 0, keys: [] };
      }
      await deleteMessageCompanions(trx, rows);
      const media = await deleteOrphanMedia(trx, [...new Set(rows.map((r) => r.media_id).filter((m): m is string => m !== null))]);
      rows.forEach((r) => add(counts.messages.byChannel, r.channel_id, 1));
      counts.messages.total += rows.length;
      return { removed: rows.length, keys: media.map((m) => m.storage_key) };
    });
    counts.mediaFilesRemoved += await removeFiles(s, keys);
    if (removed < RETENTION_BATCH) {
      return;
    }
  }
}

async function expireMessages(s: Deps, cutoffs: Cutoffs, counts: RunCounts): Promise<void> {
  const everywhere = earliestCutoff(cutoffs);
  const anywhere = latestCutoff(cutoffs);
  for (const p of await monthPartitions(s.db)) {
    if (p.lower >= anywhere) {
      continue;
    }
    if (p.upper <= everywhere && (await dropMonth(s, p, counts))) {
      continue;
    }
    await deleteMonthInBatches(s, p.name, cutoffs, counts);
  }
  await deleteMonthInBatches(s, DEFAULT_PARTITION, cutoffs, counts);
  counts.previewsCleared = await clearExpiredPreviews(s.db, cutoffs);
}

async function expireMedia(s: Deps, cutoffs: Cutoffs, counts: RunCounts): Promise<void> {
  for (;;) {
    const rows = await s.db.transaction(async (trx) => {
      await lockHolds(trx);
      return deleteExpiredMedia(trx, cutoffs, RETENTION_BATCH);
    });
    rows.forEach((r) => add(counts.media.byChannel, r.channel_id, 1));
    counts.media.total += rows.length;
    counts.mediaFilesRemoved += await removeFiles(s, rows.map((r) => r.storage_key));
    if (rows.length < RETENTION_BATCH) {
      return;
    }
  }
}

async function expireContacts(s: Deps, cutoff: Date, counts: RunCounts): Promise<void> {
  for (;;) {
    const n = await s.db.transaction(async (trx) => {
      await lockHolds(trx);
      return deleteInactiveContacts(trx, cutoff, RETENTION_BATCH);
    });
    counts.inactiveContacts += n;
    if (n < RETENTION_BATCH) {
      return;
    }
  }
}

/** The oldest audit range, and its signed new start in the same transaction (no trim without its anchor). */
async function trimAudit(s: Deps, counts: RunCounts): Promise<void> {
  await s.db.transaction(async (trx) => {
    const trim = await trimAuditEvents(trx);
    if (trim) {
      await writeStartAnchor(s, { seq: trim.firstSeq, prevHash: trim.firstPrevHash, removed: trim.removed });
      counts.auditEvents = trim.removed;
      counts.auditStart = trim.firstSeq;
    }
  });
}

/**
 * One retention run over every data class. Refused with 409 while another is running. The
 * exports class covers e-discovery bundles (they carry their expiry from its period; the hourly
 * `discovery.exports.expire` job deletes them) and GDPR access archives (removed here, by the gdpr module).
 */
export async function runRetention(s: Deps, actor: Actor, trigger: 'schedule' | 'request'): Promise<RunResult> {
  return s.db.transaction(async (guard) => {
    if (!(await tryRunLock(guard, RUN_LOCK))) {
      throw errors.conflict('A retention run is already in progress.');
    }
    const now = s.clock();
    const id = newId();
    await insertRun(s.db, { id, trigger, startedBy: actor.id, startedAt: now });
    const policies = await policyPeriods(s.db);
    const counts: RunCounts = {
      messages: { total: 0, byChannel: {} }, droppedPartitions: [], media: { total: 0, byChannel: {} },
      mediaFilesRemoved: 0, inactiveContacts: 0, sessions: 0, auditEvents: 0, auditStart: null, previewsCleared: 0, exports: 0,
    };
    await expireMessages(s, cutoffsFor(policies, 'messages', now), counts);
    await expireMedia(s, cutoffsFor(policies, 'media', now), counts);
    await expireContacts(s, cutoffsFor(policies, 'inactive_contacts', now).fallback, counts);
    counts.sessions = await deleteOldSessions(s.db, cutoffsFor(policies, 'sessions', now).fallback);
    counts.exports = await expireArchives(s, cutoffsFor(policies, 'exports', now).fallback);
    await trimAudit(s, counts);
    await finishRun(s.db, id, counts);
    await s.audit.record(actor, { action: 'retention.run', subjectType: 'RetentionRun', subjectId: id, details: { trigger, ...counts } });
    return { id, startedAt: now, counts };
  });
}
