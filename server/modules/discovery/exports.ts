// Export bundles as jobs: requested (row + audit + job in one transaction), written by the
// worker with progress, downloaded (audited), and expired by retention's `exports` period.
import type { Readable } from 'node:stream';
import { sendJobIn } from '../../db/jobQueue';
import { systemActor, type Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { isMediaMissing } from '../media/store';
import type { Services } from '../../services';
import { writeBundle } from './bundle';
import {
  expiredExports, exportsPeriodDays, failExport, findExport, finishExport, insertExport, markExpired, startExport, countMatches, type ExportRow,
} from './repo';
import { auditedFilters } from './search';
import type { SearchFilters } from './schema';

/** The queue the worker writes bundles from (server/jobs/discoveryExport.ts). */
export const EXPORT_QUEUE = 'discovery.export';
const DAY_MS = 86_400_000;
// Expired exports handled per sweep pass (the sweep loops until none is left).
const SWEEP_BATCH = 100;

/** Requests an export of what `filters` find: queued now, written by a worker, kept for the exports retention period. */
export async function requestExport(s: Services, actor: Actor, filters: SearchFilters): Promise<ExportRow> {
  const id = newId();
  return s.db.transaction(async (trx) => {
    const days = await exportsPeriodDays(trx);
    await insertExport(trx, { id, by: actor.id, filters, expiresAt: new Date(s.clock().getTime() + days * DAY_MS) });
    await s.audit.appendIn(trx, actor, [
      { action: 'discovery.export_requested', subjectType: 'DiscoveryExport', subjectId: id, details: { filters: auditedFilters(s, filters), retentionDays: days } },
    ]);
    await sendJobIn(trx, EXPORT_QUEUE, { exportId: id });
    return (await findExport(trx, id))!;
  });
}

/**
 * The job's work: writes the bundle and marks it done (audited as the system). Safe to run twice:
 * a finished export is left alone, a crashed run starts over and overwrites its half-written file.
 */
export async function performExport(s: Services, exportId: string): Promise<void> {
  const exp = await findExport(s.db, exportId);
  if (!exp || !(await startExport(s.db, exportId, await countMatches(s.db, exp.filters, Number.MAX_SAFE_INTEGER)))) {
    return;
  }
  try {
    const finishedAt = s.clock();
    const file = await writeBundle(s, exp, finishedAt);
    await s.db.transaction(async (trx) => {
      await finishExport(trx, exportId, file, finishedAt);
      await s.audit.appendIn(trx, systemActor, [{
        action: 'discovery.export_completed', subjectType: 'DiscoveryExport', subjectId: exportId,
        details: { messages: file.messages, mediaFiles: file.mediaFiles, sha256: file.sha256, size: file.size },
      }]);
    });
  } catch (err) {
    s.log.error({ err: (err as Error).message, exportId }, 'discovery export failed');
    await failExport(s.db, exportId, 'The bundle could not be written; see the server log.', s.clock());
    await s.audit.record(systemActor, { action: 'discovery.export_failed', subjectType: 'DiscoveryExport', subjectId: exportId, details: {} });
  }
}

/** The bundle's bytes for a download, audited; 409 while it is not ready or once it expired. */
export async function openExport(s: Services, actor: Actor, id: string): Promise<{ stream: Readable; size: number; row: ExportRow }> {
  const row = await findExport(s.db, id);
  if (!row) {
    throw errors.notFound('Export');
  }
  if (row.state !== 'done' || !row.file_key) {
    throw errors.conflict(row.state === 'expired' ? 'This export has expired and its bundle was deleted.' : 'This export is not ready yet.', { state: row.state });
  }
  let file: { stream: Readable; size: number };
  try {
    file = await s.media.open(row.file_key);
  } catch (err) {
    if (isMediaMissing(err)) {
      throw errors.mediaMissing();
    }
    throw err;
  }
  await s.audit.record(actor, { action: 'discovery.export_downloaded', subjectType: 'DiscoveryExport', subjectId: id, details: { sha256: row.sha256 } });
  return { ...file, row };
}

/** Deletes the bundles of exports past their retention period and marks them expired (audited as the system). */
export async function expireExports(s: Services): Promise<number> {
  let expired = 0;
  for (;;) {
    const rows = await expiredExports(s.db, s.clock(), SWEEP_BATCH);
    for (const row of rows) {
      // The file first: if marking fails, the next sweep finds the row again (removing a missing key is no error).
      if (row.file_key) {
        await s.media.remove(row.file_key);
      }
      await s.db.transaction(async (trx) => {
        if (await markExpired(trx, row.id)) {
          await s.audit.appendIn(trx, systemActor, [{ action: 'discovery.export_expired', subjectType: 'DiscoveryExport', subjectId: row.id, details: {} }]);
          expired += 1;
        }
      });
    }
    if (rows.length < SWEEP_BATCH) {
      return expired;
    }
  }
}
