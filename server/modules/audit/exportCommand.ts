import { Readable } from 'node:stream';
import type { Actor } from '../../lib/actor';
import type { Services } from '../../services';
import { countEvents, exportBatch, type AuditFilter, type EventRow, type Narrow } from './eventRepo';
import { resolveNames } from './names';
import { presentEvent } from './present';
import { chainHead } from './repo';

export type ExportFormat = 'csv' | 'jsonl';

// Rows read per statement: memory stays bounded by one batch (and its names) whatever the range.
const BATCH = 500;

const CSV_COLUMNS = [
  'seq', 'at', 'actor_type', 'actor_id', 'actor_name', 'actor_email', 'action', 'subject_type', 'subject_id', 'subject_name', 'ip', 'request_id', 'details', 'hash',
] as const;

/**
 * One CSV field (RFC 4180). A field a spreadsheet would run as a formula (=, +, -, @, tab, CR
 * first: OWASP's CSV injection list) is prefixed with an apostrophe; names come from users and
 * customers, so they are not trusted.
 */
export function csvField(value: string | number | null): string {
  if (value === null) {
    return '';
  }
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type Named = ReturnType<typeof presentEvent> & { subjectName: string | null };

function named(row: EventRow, names: Record<string, string>): Named {
  const subjectName = row.subject_type && row.subject_id ? names[`${row.subject_type}:${row.subject_id.toLowerCase()}`] ?? null : null;
  return { ...presentEvent(row), actorName: row.actor_name, subjectName };
}

function csvLine(e: Named): string {
  const cells = [e.seq, e.at, e.actorType, e.actorId, e.actorName, e.actorEmail, e.action, e.subjectType, e.subjectId, e.subjectName, e.ip, e.requestId, JSON.stringify(e.details), e.hash];
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** Reads the range a batch at a time, in chain order, as lines of the format. */
async function* lines(s: Pick<Services, 'db'>, filter: AuditFilter, throughSeq: number, format: ExportFormat, narrow: Narrow): AsyncGenerator<string> {
  if (format === 'csv') {
    yield `${CSV_COLUMNS.join(',')}\r\n`;
  }
  let afterSeq = 0;
  for (;;) {
    const rows = await exportBatch(s.db, filter, { afterSeq, throughSeq }, BATCH, narrow);
    if (rows.length === 0) {
      return;
    }
    const names = await resolveNames(s.db, rows);
    yield rows.map((row) => (format === 'csv' ? csvLine(named(row, names)) : `${JSON.stringify(named(row, names))}\n`)).join('');
    if (rows.length < BATCH) {
      return;
    }
    afterSeq = rows[rows.length - 1]!.seq;
  }
}

export type AuditExport = { stream: Readable; rows: number; throughSeq: number };

/**
 * Exports the filtered events up to the chain's head as it is now (so the count is exact and
 * the export's own event is not in it). The export is audited, with its filter and row count,
 * before the first byte leaves: no export goes unrecorded, even one the client abandons.
 */
export async function exportAuditEvents(
  s: Pick<Services, 'db' | 'audit'>,
  actor: Actor,
  request: { filter: AuditFilter; query: Record<string, unknown>; format: ExportFormat },
  narrow: Narrow,
): Promise<AuditExport> {
  const head = await chainHead(s.db);
  const throughSeq = head?.seq ?? 0;
  const rows = await countEvents(s.db, request.filter, throughSeq, narrow);
  await s.audit.record(actor, {
    action: 'audit.exported',
    subjectType: 'AuditEvent',
    details: { format: request.format, filter: request.query, rows, throughSeq },
  });
  return { stream: Readable.from(lines(s, request.filter, throughSeq, request.format, narrow)), rows, throughSeq };
}
