import type { DecisionRow, ImportRow } from './repo';

/** An import as the API answers it: its file, options, status and progress. */
export function presentImport(i: ImportRow) {
  return {
    id: i.id, filename: i.filename, sizeBytes: Number(i.size_bytes), header: i.header, status: i.status, dryRun: i.dry_run, options: i.options,
    progress: { rowsRead: i.rows_read, created: i.created_count, updated: i.updated_count, skipped: i.skipped_count, rejected: i.rejected_count, newLabels: i.new_labels.length },
    error: i.error, createdBy: i.created_by, createdAt: i.created_at.toISOString(),
    startedAt: i.started_at ? i.started_at.toISOString() : null, finishedAt: i.finished_at ? i.finished_at.toISOString() : null,
  };
}

/** One row's decision, with the original line (the people importing need it to fix the file). */
export function presentDecision(r: DecisionRow) {
  return { row: r.row_no, decision: r.decision, reason: r.reason, detail: r.detail, line: r.line };
}
