import { systemActor } from '../../lib/actor';
import type { Services } from '../../services';
import { checkedBatches, lineOf, type CheckedBatch } from './checking';
import { removeUpload, type DataDir } from './files';
import {
  addProgress, applyStaged, attributeDefinitions, beginRun, existingWaIds, finishImport, firstRowsOf, insertLabels, insertRejects, labelIdsByName, stageRows,
  type Counts, type ImportRow, type StagedRow,
} from './repo';
import type { RowContext } from './rowCheck';

// Rows per staging transaction: big enough for few round trips, small enough to keep memory flat
// and progress moving (the panel polls the counters).
const BATCH_ROWS = 2000;

/** What a run needs of the services (the import bench runs it with no HTTP side). */
export type ImportDeps = Pick<Services, 'db' | 'audit' | 'log'> & { config: DataDir };

/** Decides create / update / skip against the base and stages a checked batch in one transaction, with its progress. */
async function storeBatch(s: ImportDeps, imp: ImportRow, batch: CheckedBatch): Promise<void> {
  const { accepted, rejects } = batch;
  const existing = await existingWaIds(s.db, accepted.map((a) => a.contact.wa_id));
  const update = imp.options!.existing === 'update';
  const staged: StagedRow[] = accepted.map((a) => ({
    row_no: a.row, contact: a.contact, decision: existing.has(a.contact.wa_id) ? (update ? 'update' : 'skip') : 'create',
  }));
  await s.db.transaction(async (trx) => {
    const done = await stageRows(trx, imp.id, staged);
    const later = accepted.filter((a) => !done.has(a.row));
    if (later.length > 0) {
      // Numbers an earlier batch staged: rejected, naming the first row.
      const first = await firstRowsOf(trx, imp.id, later.map((a) => a.contact.wa_id));
      for (const a of later) {
        rejects.push({ row_no: a.row, reason: 'duplicate_in_file', detail: `row ${first.get(a.contact.wa_id)}`, line: lineOf(a.raw) });
      }
    }
    await insertRejects(trx, imp.id, rejects);
    const kept = staged.filter((r) => done.has(r.row_no));
    const delta: Counts = {
      rows_read: batch.rows, rejected_count: rejects.length,
      created_count: kept.filter((r) => r.decision === 'create').length,
      updated_count: kept.filter((r) => r.decision === 'update').length,
      skipped_count: kept.filter((r) => r.decision === 'skip').length,
    };
    await addProgress(trx, imp.id, delta);
  });
}

/**
 * Stages the whole file, batch by batch in file order (so the first of two rows with the same
 * number is the one staged); the checking thread reads the next batch while one is written.
 */
async function stageFile(s: ImportDeps, imp: ImportRow, ctx: RowContext): Promise<void> {
  for await (const batch of checkedBatches(s.config, imp.id, ctx, BATCH_ROWS)) {
    await storeBatch(s, imp, batch);
  }
}

/**
 * Runs a queued import (or dry run): every row is checked and its decision staged in batches;
 * a real run then applies the staged rows in one transaction. Until that transaction commits
 * the base is untouched, so a failure anywhere (a malformed file, a crash, a database error in
 * the apply) leaves no contact half-imported; the run is marked failed and may be started again.
 * Safe to run twice: a second run starts over from the file.
 */
export async function runImport(s: ImportDeps, importId: string): Promise<void> {
  const imp = await beginRun(s.db, importId);
  if (!imp || !imp.options) {
    return;
  }
  // The job records the outcome as the appliance; who started the run is in contact_import.started.
  const actor = systemActor;
  const startedAt = Date.now();
  try {
    const ctx: RowContext = {
      options: imp.options, headerLength: imp.header.length, labels: await labelIdsByName(s.db), attributes: await attributeDefinitions(s.db), newLabels: new Map(),
    };
    await stageFile(s, imp, ctx);
    const staged = Date.now();
    s.log.info({ importId, stagingMs: staged - startedAt }, 'contact import staged');
    const newLabels = [...ctx.newLabels.values()];
    await s.db.transaction(async (trx) => {
      let applied = { created: 0, updated: 0 };
      if (!imp.dry_run) {
        await insertLabels(trx, newLabels);
        applied = await applyStaged(trx, imp.id);
      }
      await finishImport(trx, imp.id, { status: 'done', new_labels: newLabels });
      await s.audit.appendIn(trx, actor, [{
        action: imp.dry_run ? 'contact_import.dry_run' : 'contact_import.completed', subjectType: 'ContactImport', subjectId: imp.id,
        details: { ...applied, newLabels: newLabels.length },
      }]);
    });
    s.log.info({ importId, applyMs: Date.now() - staged, dryRun: imp.dry_run }, 'contact import done');
    if (!imp.dry_run) {
      // The file holds customers' numbers and names: once imported it goes (the rejected rows stay for the report).
      await removeUpload(s.config, imp.id);
    }
  } catch (err) {
    s.log.warn({ err: (err as Error).message, importId }, 'contact import failed');
    const reason = (err as { code?: string }).code?.startsWith('CSV_') ? 'The file is not readable as CSV.' : 'The import failed; nothing was imported.';
    await s.db.transaction(async (trx) => {
      await finishImport(trx, imp.id, { status: 'failed', error: reason });
      await s.audit.appendIn(trx, actor, [{ action: 'contact_import.failed', subjectType: 'ContactImport', subjectId: imp.id, details: { dryRun: imp.dry_run } }]);
    });
  }
}
