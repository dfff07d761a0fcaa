import { actorOf, authOf, type AppContext } from '../../http/context';
import { streamMultipartFile } from '../../http/multipart';
import { access, type RouteTable } from '../../http/route';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { importReport, startImport, uploadImport } from './commands';
import { presentDecision, presentImport } from './present';
import { findImport, listDecisions, listImports, type ImportRow } from './repo';
import { idParams, importListResponse, importResponse, reportQuery, rowsQuery, rowsResponse, startBody, uploadResponse } from './schema';

// 1,000,000 rows of phone, name, country and a few labels and attributes: well under 100 MB.
const UPLOAD_MAX_BYTES = 100 * 1024 * 1024;
// Spreadsheet programs and browsers label CSV files in many ways.
const CSV_TYPES = /^(text\/(csv|plain|x-csv|comma-separated-values)|application\/(csv|vnd\.ms-excel|octet-stream))$/;
const RECENT_IMPORTS = 50;

const signedIn = (ctx: AppContext) => ({ ...actorOf(ctx), id: authOf(ctx).user.id });
const importSubject = (i: ImportRow | undefined) => (i ? { id: i.id, createdBy: i.created_by } : undefined);

/** Contact imports: upload, dry run or import (a job), progress, per-row decisions and the error report. */
export function registerImportRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'post', path: '/imports', tag: 'imports', summary: 'Upload a CSV file of contacts (multipart field "file"); nothing is imported yet',
    access: access.can('create', 'ContactImport'), streamBody: true,
    responses: { 201: { description: 'Stored, with its header and first rows', schema: uploadResponse }, 413: { description: 'File too large' } },
    handler: async (ctx) => {
      if (!ctx.is('multipart/form-data')) {
        throw errors.unsupportedMediaType();
      }
      const upload = await streamMultipartFile(ctx, (mime) => (CSV_TYPES.test(mime) ? UPLOAD_MAX_BYTES : null), (mime) => `A contact list is a CSV file, not ${mime}.`,
        (file, info) => uploadImport(s, signedIn(ctx), file, info.filename));
      const { import: imp, sample, encodingWarning } = upload.result;
      ctx.status = 201;
      ctx.body = { import: presentImport(imp), sample, encodingWarning };
    },
  });
  t.add({
    method: 'get', path: '/imports', tag: 'imports', summary: 'Recent imports', access: access.can('read', 'ContactImport'),
    responses: { 200: { description: 'The imports, newest first', schema: importListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: (await listImports(s.db, RECENT_IMPORTS)).map(presentImport) };
    },
  });
  t.add({
    method: 'get', path: '/imports/:id', tag: 'imports', summary: 'An import and its progress', access: access.can('read', 'ContactImport'),
    params: idParams, background: true, responses: { 200: { description: 'The import', schema: importResponse } },
    handler: async (ctx, { params }) => {
      const imp = await findImport(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'ContactImport', importSubject(imp));
      ctx.body = { import: presentImport(imp!) };
    },
  });
  t.add({
    method: 'post', path: '/imports/:id/start', tag: 'imports', summary: 'Start a dry run or the import of an uploaded file, with its column mapping and options',
    access: access.can('create', 'ContactImport'), params: idParams, body: startBody,
    responses: { 202: { description: 'Queued', schema: importResponse }, 409: { description: 'A run is queued or running' } },
    handler: async (ctx, { params, body }) => {
      const imp = await findImport(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'create', 'ContactImport', importSubject(imp));
      ctx.status = 202;
      ctx.body = { import: presentImport(await startImport(s, actorOf(ctx), imp!, body.options, body.dryRun)) };
    },
  });
  t.add({
    method: 'get', path: '/imports/:id/rows', tag: 'imports', summary: "A page of the last run's per-row decisions (a dry run keeps every row; an import its rejected rows)",
    access: access.can('read', 'ContactImport'), params: idParams, query: rowsQuery, responses: { 200: { description: 'A page', schema: rowsResponse } },
    handler: async (ctx, { params, query }) => {
      const imp = await findImport(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'ContactImport', importSubject(imp));
      ctx.body = { items: (await listDecisions(s.db, imp!.id, query)).map(presentDecision) };
    },
  });
  t.add({
    method: 'get', path: '/imports/:id/report.csv', tag: 'imports', summary: "The last run's report as CSV: row number, decision, reason and the original line",
    access: access.can('read', 'ContactImport'), params: idParams, query: reportQuery, responses: { 200: { description: 'text/csv, an attachment' } },
    handler: async (ctx, { params, query }) => {
      const imp = await findImport(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'ContactImport', importSubject(imp));
      const body = await importReport(s, actorOf(ctx), imp!, query.only === 'rejected');
      ctx.set('Content-Type', 'text/csv; charset=utf-8');
      ctx.set('Content-Disposition', `attachment; filename="import-${imp!.id}-${query.only}.csv"`);
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Cache-Control', 'no-store');
      ctx.body = body;
    },
  });
}
