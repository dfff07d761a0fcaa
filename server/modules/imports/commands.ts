import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { sendJobIn } from '../../db/jobQueue';
import type { Actor } from '../../lib/actor';
import { errors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { readRecords, removeUpload, shown, storeUpload } from './files';
import { findImport, insertImport, queueImport, decisionsAfter, type ImportRow } from './repo';
import type { ImportOptions } from './schema';

/** The queue of import runs (server/jobs/contactImport.ts works it). */
export const IMPORT_JOB = 'contacts.import';
// Rows shown under the header in the mapping step.
const SAMPLE_ROWS = 5;
// Report rows per query: pages keep memory flat for a report of a million rows.
const REPORT_PAGE = 2000;
const invalid = (path: string, message: string) => errors.validation(message, { fields: [{ path, message }] });

/**
 * Stores an uploaded CSV file as it arrives and records it with its header; nothing is imported
 * yet. Returns the import with its first rows (for the column mapping) and whether the start of
 * the file is not UTF-8. Audited with the size (the file name may name people: not kept in the log).
 */
export async function uploadImport(s: Services, actor: Actor & { id: string }, file: Readable, filename: string) {
  const id = newId();
  const size = await storeUpload(s.config, id, file);
  try {
    const rows: string[][] = [];
    let encodingWarning = false;
    for await (const rec of readRecords(s.config, id)) {
      encodingWarning ||= rec.cells.some((c) => !isUtf8(Buffer.from(c, 'latin1')));
      rows.push(rec.cells.map(shown));
      if (rows.length > SAMPLE_ROWS) {
        break;
      }
    }
    const header = rows[0]?.map((h) => h.trim()) ?? [];
    if (header.length === 0 || header.every((h) => h === '')) {
      throw invalid('body.file', 'The file is empty: its first line must name the columns.');
    }
    await s.db.transaction(async (trx) => {
      await insertImport(trx, { id, filename: filename.slice(0, 200), size_bytes: size, header, created_by: actor.id });
      await s.audit.appendIn(trx, actor, [{ action: 'contact_import.uploaded', subjectType: 'ContactImport', subjectId: id, details: { bytes: size, columns: header.length } }]);
    });
    return { import: (await findImport(s.db, id))!, sample: rows.slice(1), encodingWarning };
  } catch (err) {
    await removeUpload(s.config, id);
    if ((err as { code?: string }).code?.startsWith('CSV_')) {
      throw invalid('body.file', 'The file is not readable as CSV.');
    }
    throw err;
  }
}

/** Checks a mapping against the file: one target per column, one phone column, targets used once (labels aside). */
function checkMapping(imp: ImportRow, options: ImportOptions): void {
  if (options.columns.length !== imp.header.length) {
    throw invalid('body.options.columns', `The file has ${imp.header.length} columns; map each of them (or ignore it).`);
  }
  if (options.columns.filter((c) => c === 'phone').length !== 1) {
    throw invalid('body.options.columns', 'Map exactly one column to the phone number.');
  }
  const used = options.columns.filter((c) => c !== 'ignore');
  if (new Set(used).size !== used.length) {
    throw invalid('body.options.columns', 'Each field may be filled from one column only.');
  }
}

/**
 * Starts a dry run or the real import of an uploaded file: the run is queued (a pg-boss job,
 * enqueued in the same transaction) and audited. A run already queued or running is a conflict.
 */
export async function startImport(s: Services, actor: Actor, imp: ImportRow, options: ImportOptions, dryRun: boolean): Promise<ImportRow> {
  checkMapping(imp, options);
  return s.db.transaction(async (trx) => {
    if (!(await queueImport(trx, imp.id, options, dryRun))) {
      throw errors.conflict('This file is being read, or was imported already: upload it again to import it again.');
    }
    await sendJobIn(trx, IMPORT_JOB, { importId: imp.id });
    await s.audit.appendIn(trx, actor, [{
      action: 'contact_import.started', subjectType: 'ContactImport', subjectId: imp.id, details: { dryRun, existing: options.existing, createLabels: options.createLabels },
    }]);
    return (await findImport(trx, imp.id))!;
  });
}

/**
 * A run's report as CSV (row number, decision, reason, detail, the original line), streamed.
 * Audited: the report holds the rejected rows' contents.
 */
export async function importReport(s: Services, actor: Actor, imp: ImportRow, onlyRejected: boolean): Promise<Readable> {
  await s.db.transaction(async (trx) => {
    await s.audit.appendIn(trx, actor, [{ action: 'contact_import.report_downloaded', subjectType: 'ContactImport', subjectId: imp.id, details: { onlyRejected, rejected: imp.rejected_count } }]);
  });
  async function* records() {
    let after = 0;
    for (;;) {
      const page = await decisionsAfter(s.db, imp.id, onlyRejected, after, REPORT_PAGE);
      for (const r of page) {
        yield [r.row_no, r.decision, r.reason ?? '', r.detail ?? '', r.line ?? ''];
      }
      if (page.length < REPORT_PAGE) {
        return;
      }
      after = page[page.length - 1]!.row_no;
    }
  }
  return Readable.from(records()).pipe(stringify({ header: true, columns: ['row', 'decision', 'reason', 'detail', 'line'] }));
}
