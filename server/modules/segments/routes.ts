import { actorOf, authOf, type AppContext } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { auditExport, canSeePhone, changeSegment, checkFilter, countFilter, createSegment, removeSegment } from './commands';
import { segmentCsv } from './exportCsv';
import { presentSegment, presentSegmentContact } from './present';
import { countSegment, filterOptions, findSegment, listSegments, segmentContacts, type SegmentRow } from './repo';
import {
  countBody, countResponse, createSegmentBody, exportQuery, idParams, optionsResponse, previewQuery, previewResponse, segmentListResponse, segmentResponse, updateSegmentBody,
  type SegmentFilter,
} from './schema';

const signedIn = (ctx: AppContext) => ({ ...actorOf(ctx), id: authOf(ctx).user.id });
const segmentSubject = (seg: SegmentRow | undefined) => (seg ? { id: seg.id, name: seg.name, createdBy: seg.created_by } : undefined);
const CSV = { description: 'text/csv, an attachment' };

/** Sends a segment's contacts as a CSV download, after auditing it. */
async function sendExport(s: Services, ctx: AppContext, segmentId: string | null, filter: SegmentFilter, name: string): Promise<void> {
  const withPhone = canSeePhone(authOf(ctx).ability);
  const count = await auditExport(s, actorOf(ctx), segmentId, filter, withPhone);
  ctx.set('Content-Type', 'text/csv; charset=utf-8');
  ctx.set('Content-Disposition', `attachment; filename="${name}.csv"`);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', 'no-store');
  ctx.set('X-Switchboard-Export-Rows', String(count));
  ctx.body = await segmentCsv(s, filter, withPhone);
}

/** Segments: a live count for a filter being built, saved segments, their preview and export. */
export function registerSegmentRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'post', path: '/segments/count', tag: 'segments', summary: 'Count the contacts of a filter (nothing is saved)',
    access: access.can('read', 'Segment'), body: countBody, responses: { 200: { description: 'The count', schema: countResponse } },
    handler: async (ctx, { body }) => {
      ctx.body = { count: await countFilter(s, body.filter) };
    },
  });
  t.add({
    method: 'get', path: '/segments/options', tag: 'segments', summary: 'What a filter can name: labels, contact attributes and numbers',
    access: access.can('read', 'Segment'), responses: { 200: { description: 'The options', schema: optionsResponse } },
    handler: async (ctx) => {
      ctx.body = await filterOptions(s.db);
    },
  });
  t.add({
    method: 'get', path: '/segments', tag: 'segments', summary: 'List saved segments', access: access.can('read', 'Segment'),
    responses: { 200: { description: 'The segments', schema: segmentListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: (await listSegments(s.db)).map(presentSegment) };
    },
  });
  t.add({
    method: 'post', path: '/segments', tag: 'segments', summary: 'Save a segment', access: access.can('create', 'Segment'),
    body: createSegmentBody, responses: { 201: { description: 'Saved', schema: segmentResponse } },
    handler: async (ctx, { body }) => {
      ctx.status = 201;
      ctx.body = { segment: presentSegment(await createSegment(s, signedIn(ctx), body)) };
    },
  });
  t.add({
    method: 'get', path: '/segments/export.csv', tag: 'segments', summary: 'Export the contacts of an unsaved filter (query "filter", JSON) as CSV',
    access: access.can('export', 'Contact'), query: exportQuery, responses: { 200: CSV },
    handler: async (ctx, { query }) => {
      await sendExport(s, ctx, null, query.filter, 'switchboard-contacts');
    },
  });
  t.add({
    method: 'get', path: '/segments/:id', tag: 'segments', summary: 'A saved segment', access: access.can('read', 'Segment'),
    params: idParams, responses: { 200: { description: 'The segment', schema: segmentResponse } },
    handler: async (ctx, { params }) => {
      const seg = await findSegment(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'Segment', segmentSubject(seg));
      ctx.body = { segment: presentSegment(seg!) };
    },
  });
  t.add({
    method: 'patch', path: '/segments/:id', tag: 'segments', summary: 'Rename a segment or change its filter', access: access.can('update', 'Segment'),
    params: idParams, body: updateSegmentBody, responses: { 200: { description: 'Changed', schema: segmentResponse } },
    handler: async (ctx, { params, body }) => {
      const seg = await findSegment(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'update', 'Segment', segmentSubject(seg));
      ctx.body = { segment: presentSegment(await changeSegment(s, actorOf(ctx), seg!, body)) };
    },
  });
  t.add({
    method: 'delete', path: '/segments/:id', tag: 'segments', summary: 'Delete a saved segment (its contacts stay)', access: access.can('delete', 'Segment'),
    params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      const seg = await findSegment(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'delete', 'Segment', segmentSubject(seg));
      await removeSegment(s, actorOf(ctx), seg!);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'get', path: '/segments/:id/contacts', tag: 'segments', summary: "A page of a saved segment's contacts, with its count",
    access: access.can('read', 'Segment'), params: idParams, query: previewQuery, responses: { 200: { description: 'A page', schema: previewResponse } },
    handler: async (ctx, { params, query }) => {
      const seg = await findSegment(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'Segment', segmentSubject(seg));
      await checkFilter(s, seg!.filter, 'segment.filter');
      const now = s.clock();
      const [rows, total] = await Promise.all([segmentContacts(s.db, seg!.filter, now, query), countSegment(s.db, seg!.filter, now)]);
      const withPhone = canSeePhone(authOf(ctx).ability);
      ctx.body = { items: rows.map((r) => presentSegmentContact(r, withPhone)), total };
    },
  });
  t.add({
    method: 'get', path: '/segments/:id/export.csv', tag: 'segments', summary: "Export a saved segment's contacts as CSV",
    access: access.can('export', 'Contact'), params: idParams, responses: { 200: CSV },
    handler: async (ctx, { params }) => {
      const seg = await findSegment(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'Segment', segmentSubject(seg));
      await sendExport(s, ctx, seg!.id, seg!.filter, `segment-${seg!.id}`);
    },
  });
}
