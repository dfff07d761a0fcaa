import type { Db, Trx } from '../../db/knex';
import type { AttributeDef, StagedContact } from './rowCheck';
import type { Decision, ImportOptions, RejectReason } from './schema';

export type ImportStatus = 'uploaded' | 'queued' | 'running' | 'done' | 'failed';

export type ImportRow = {
  id: string;
  filename: string;
  size_bytes: string | number;
  header: string[];
  status: ImportStatus;
  dry_run: boolean;
  options: ImportOptions | null;
  new_labels: Array<{ id: string; name: string }>;
  rows_read: number;
  created_count: number;
  updated_count: number;
  skipped_count: number;
  rejected_count: number;
  error: string | null;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};

export type DecisionRow = {
  row_no: number;
  decision: Decision;
  reason: RejectReason | null;
  detail: string | null;
  line: string | null;
};

export type StagedRow = { row_no: number; decision: Decision; contact: StagedContact };
export type RejectedRow = { row_no: number; reason: RejectReason; detail: string | null; line: string };

export type Counts = { rows_read: number; created_count: number; updated_count: number; skipped_count: number; rejected_count: number };

const ACTIVE: ImportStatus[] = ['queued', 'running'];

export async function insertImport(trx: Trx, row: { id: string; filename: string; size_bytes: number; header: string[]; created_by: string }): Promise<void> {
  await trx('contact_imports').insert(row);
}

export async function findImport(db: Db | Trx, id: string): Promise<ImportRow | undefined> {
  return (await db('contact_imports').where({ id }).first()) as ImportRow | undefined;
}

export async function listImports(db: Db | Trx, limit: number): Promise<ImportRow[]> {
  return (await db('contact_imports').select('*').orderBy('created_at', 'desc').limit(limit)) as ImportRow[];
}

/** Queues a run unless one is queued or running, or the file was imported already (true when queued). */
export async function queueImport(trx: Trx, id: string, options: ImportOptions, dryRun: boolean): Promise<boolean> {
  const n = await trx('contact_imports').where({ id }).whereNotIn('status', ACTIVE).whereNot((q) => q.where({ status: 'done', dry_run: false }))
    .update({ status: 'queued', dry_run: dryRun, options: JSON.stringify(options), error: null, finished_at: null });
  return n === 1;
}

/** Takes a queued import for a run (or a running one again after a crash): clears what an earlier run staged. */
export async function beginRun(db: Db, id: string): Promise<ImportRow | undefined> {
  return db.transaction(async (trx) => {
    const row = (await trx('contact_imports').where({ id }).whereIn('status', ACTIVE).forUpdate().first()) as ImportRow | undefined;
    if (!row) {
      return undefined;
    }
    await trx('contact_import_rows').where({ import_id: id }).delete();
    await trx('contact_imports').where({ id }).update({
      status: 'running', started_at: trx.fn.now(), new_labels: '[]', rows_read: 0, created_count: 0, updated_count: 0, skipped_count: 0, rejected_count: 0,
    });
    return row;
  });
}

/** The base's labels by lower-cased name. */
export async function labelIdsByName(db: Db | Trx): Promise<Map<string, string>> {
  const rows = (await db('labels').select('id', 'name')) as Array<{ id: string; name: string }>;
  return new Map(rows.map((r) => [r.name.toLowerCase(), r.id]));
}

export async function attributeDefinitions(db: Db | Trx): Promise<Map<string, AttributeDef>> {
  const rows = (await db('contact_attributes').select('key', 'type', 'options')) as Array<{ key: string } & AttributeDef>;
  return new Map(rows.map((r) => [r.key, { type: r.type, options: r.options }]));
}

/** Which of these numbers the base already holds. */
export async function existingWaIds(db: Db | Trx, waIds: string[]): Promise<Set<string>> {
  if (waIds.length === 0) {
    return new Set();
  }
  const rows = (await db('contacts').select('wa_id').whereRaw('wa_id = ANY(?::text[])', [waIds])) as Array<{ wa_id: string }>;
  return new Set(rows.map((r) => r.wa_id));
}

/**
 * Stages accepted rows; a number an earlier batch already staged is not (the partial unique
 * index decides). Returns the row numbers staged. The batch travels as one JSON parameter
 * (jsonb_to_recordset): thousands of rows in one statement without thousands of bind parameters.
 */
export async function stageRows(trx: Trx, importId: string, rows: StagedRow[]): Promise<Set<number>> {
  if (rows.length === 0) {
    return new Set();
  }
  const batch = rows.map((r) => ({
    row_no: r.row_no, decision: r.decision, wa_id: r.contact.wa_id, profile_name: r.contact.profile_name,
    country: r.contact.country, language: r.contact.language, label_ids: r.contact.label_ids, attributes: r.contact.attributes,
  }));
  const result = (await trx.raw(
    `INSERT INTO contact_import_rows (import_id, row_no, decision, wa_id, profile_name, country, language, label_ids, attributes)
     SELECT ?, x.row_no, x.decision, x.wa_id, x.profile_name, x.country, x.language, x.label_ids, x.attributes
       FROM jsonb_to_recordset(?::jsonb) AS x(row_no int, decision text, wa_id text, profile_name text, country text, language text, label_ids uuid[], attributes jsonb)
     ON CONFLICT (import_id, wa_id) WHERE wa_id IS NOT NULL DO NOTHING
     RETURNING row_no`,
    [importId, JSON.stringify(batch)],
  )) as { rows: Array<{ row_no: number }> };
  return new Set(result.rows.map((r) => r.row_no));
}

/** The row numbers that staged these numbers first. */
export async function firstRowsOf(trx: Trx, importId: string, waIds: string[]): Promise<Map<string, number>> {
  const rows = (await trx('contact_import_rows').select('wa_id', 'row_no').where({ import_id: importId }).whereRaw('wa_id = ANY(?::text[])', [waIds])) as Array<{ wa_id: string; row_no: number }>;
  return new Map(rows.map((r) => [r.wa_id, r.row_no]));
}

export async function insertRejects(trx: Trx, importId: string, rows: RejectedRow[]): Promise<void> {
  if (rows.length > 0) {
    await trx.raw(
      `INSERT INTO contact_import_rows (import_id, row_no, decision, reason, detail, line)
       SELECT ?, x.row_no, 'reject', x.reason, x.detail, x.line FROM jsonb_to_recordset(?::jsonb) AS x(row_no int, reason text, detail text, line text)`,
      [importId, JSON.stringify(rows)],
    );
  }
}

export async function addProgress(trx: Trx, importId: string, delta: Counts): Promise<void> {
  await trx('contact_imports').where({ id: importId }).update({
    rows_read: trx.raw('rows_read + ?', [delta.rows_read]),
    created_count: trx.raw('created_count + ?', [delta.created_count]),
    updated_count: trx.raw('updated_count + ?', [delta.updated_count]),
    skipped_count: trx.raw('skipped_count + ?', [delta.skipped_count]),
    rejected_count: trx.raw('rejected_count + ?', [delta.rejected_count]),
  });
}

export async function finishImport(trx: Trx | Db, importId: string, change: { status: 'done' | 'failed'; error?: string | null; new_labels?: Array<{ id: string; name: string }> }): Promise<void> {
  await trx('contact_imports').where({ id: importId }).update({
    status: change.status, error: change.error ?? null, finished_at: trx.fn.now(),
    ...(change.new_labels ? { new_labels: JSON.stringify(change.new_labels) } : {}),
  });
}

/** Creates the labels a run named (option createLabels); a label made meanwhile under the same name is kept. */
export async function insertLabels(trx: Trx, labels: Array<{ id: string; name: string }>): Promise<void> {
  if (labels.length > 0) {
    await trx('labels').insert(labels).onConflict(trx.raw('(lower(name))')).ignore();
  }
}

/**
 * Applies the staged rows to the base, in the caller's transaction: new numbers are inserted,
 * existing ones (option "update existing") get the file's non-empty cells, their labels added and
 * attributes merged. Returns how many contacts were created and updated.
 */
export async function applyStaged(trx: Trx, importId: string): Promise<{ created: number; updated: number }> {
  const created = await trx.raw(
    `INSERT INTO contacts (id, wa_id, profile_name, country, language, label_ids, attributes)
     SELECT gen_random_uuid(), r.wa_id, r.profile_name, r.country, r.language, r.label_ids, r.attributes
       FROM contact_import_rows r WHERE r.import_id = ? AND r.decision = 'create'
     ON CONFLICT (wa_id) DO NOTHING`, [importId]);
  const updated = await trx.raw(
    `UPDATE contacts c SET
       profile_name = COALESCE(r.profile_name, c.profile_name), country = COALESCE(r.country, c.country), language = COALESCE(r.language, c.language),
       label_ids = ARRAY(SELECT DISTINCT unnest(c.label_ids || r.label_ids)), attributes = c.attributes || r.attributes, updated_at = now()
     FROM contact_import_rows r WHERE r.import_id = ? AND r.decision = 'update' AND c.wa_id = r.wa_id`, [importId]);
  // Only the rejected rows stay: the error report. The accepted rows' copies go.
  await trx('contact_import_rows').where({ import_id: importId }).whereNot('decision', 'reject').delete();
  return { created: (created as { rowCount: number }).rowCount, updated: (updated as { rowCount: number }).rowCount };
}

/** A page of a run's per-row decisions, in file order. */
export async function listDecisions(db: Db | Trx, importId: string, page: { offset: number; limit: number; decision?: Decision }): Promise<DecisionRow[]> {
  const q = db('contact_import_rows').select('row_no', 'decision', 'reason', 'detail', 'line').where({ import_id: importId });
  if (page.decision) {
    q.where({ decision: page.decision });
  }
  return (await q.orderBy('row_no').offset(page.offset).limit(page.limit)) as DecisionRow[];
}

/** The next page of a run's decisions after row `afterRow` (keyset, file order): the report download reads in pages. */
export async function decisionsAfter(db: Db | Trx, importId: string, onlyRejected: boolean, afterRow: number, limit: number): Promise<DecisionRow[]> {
  const q = db('contact_import_rows').select('row_no', 'decision', 'reason', 'detail', 'line').where({ import_id: importId }).where('row_no', '>', afterRow);
  if (onlyRejected) {
    q.where({ decision: 'reject' });
  }
  return (await q.orderBy('row_no').limit(limit)) as DecisionRow[];
}
