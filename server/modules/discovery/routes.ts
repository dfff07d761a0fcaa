import { actorOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import { openExport, requestExport } from './exports';
import { presentExport } from './present';
import { findExport, listExports, searchOptions } from './repo';
import { searchArchive } from './search';
import { createExportBody, exportListResponse, exportResponse, idParams, optionsResponse, searchBody, searchResponse } from './schema';

// The message types a search may name (inbound types and what the panel sends).
const TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'button', 'reaction', 'template', 'order', 'system', 'unsupported'];
const EXPORT_LIST_LIMIT = 100;

/**
 * E-discovery: full-text search over the whole archive with filters, and signed export bundles.
 * The search is a POST so that its text stays out of URLs, proxies' logs and browser history.
 */
export function registerDiscoveryRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'post', path: '/discovery/search', tag: 'discovery', summary: 'Search the archive: filters, keyset pages, highlights as ranges (audited)',
    access: access.can('read', 'Discovery'), body: searchBody, responses: { 200: { description: 'A page of results', schema: searchResponse } },
    handler: async (ctx, { body }) => {
      ctx.body = await searchArchive(s, actorOf(ctx), body);
    },
  });
  t.add({
    method: 'get', path: '/discovery/options', tag: 'discovery', summary: 'The numbers, agents, labels and message types a search may filter on',
    access: access.can('read', 'Discovery'), responses: { 200: { description: 'Options', schema: optionsResponse } },
    handler: async (ctx) => {
      ctx.body = { ...(await searchOptions(s.db)), types: TYPES };
    },
  });
  t.add({
    method: 'post', path: '/discovery/exports', tag: 'discovery', summary: 'Export what a search finds as a signed bundle (a job)',
    access: access.can('create', 'DiscoveryExport'), body: createExportBody, responses: { 202: { description: 'Queued', schema: exportResponse } },
    handler: async (ctx, { body }) => {
      ctx.status = 202;
      ctx.body = { export: presentExport(await requestExport(s, actorOf(ctx), body.filters)) };
    },
  });
  t.add({
    method: 'get', path: '/discovery/exports', tag: 'discovery', summary: 'Exports, newest first, with their progress',
    access: access.can('read', 'DiscoveryExport'), responses: { 200: { description: 'Exports', schema: exportListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: (await listExports(s.db, EXPORT_LIST_LIMIT)).map(presentExport) };
    },
  });
  t.add({
    method: 'get', path: '/discovery/exports/:id', tag: 'discovery', summary: 'One export and its progress',
    access: access.can('read', 'DiscoveryExport'), params: idParams, responses: { 200: { description: 'The export', schema: exportResponse } },
    handler: async (ctx, { params }) => {
      const row = await findExport(s.db, params.id);
      if (!row) {
        throw errors.notFound('Export');
      }
      ctx.body = { export: presentExport(row) };
    },
  });
  t.add({
    method: 'get', path: '/discovery/exports/:id/download', tag: 'discovery', summary: 'Download the bundle (zip; audited)',
    access: access.can('download', 'DiscoveryExport'), params: idParams, responses: { 200: { description: 'application/zip, an attachment' } },
    handler: async (ctx, { params }) => {
      const file = await openExport(s, actorOf(ctx), params.id);
      ctx.set('Content-Type', 'application/zip');
      ctx.set('Content-Disposition', `attachment; filename="switchboard-discovery-${file.row.id}.zip"`);
      ctx.set('Content-Length', String(file.size));
      ctx.set('X-Content-Type-Options', 'nosniff');
      ctx.set('Cache-Control', 'no-store');
      ctx.set('X-Switchboard-Sha256', file.row.sha256 ?? '');
      ctx.body = file.stream;
    },
  });
}
