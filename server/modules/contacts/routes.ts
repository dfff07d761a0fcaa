import { actorOf, authOf, type AppContext } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { whereAccessible } from '../authz/sql';
import { createAttribute, createLabel, deleteAttribute, deleteLabel, updateAttribute, updateLabel } from './catalog';
import { addNote, createContact, deleteNote, editNote, setContactConsent, updateContact } from './commands';
import { mergeContacts } from './merge';
import { presentAttribute, presentContact, presentLabel, presentNote, readableContactFields } from './present';
import { CONTACT_SQL_FIELDS, contactSubject, findContact, listAliases, listAttributes, listContacts, listLabels, listNotes, type ContactRow } from './repo';
import {
  attributeListResponse, attributeResponse, consentBody, contactDetailResponse, contactListResponse, contactResponse, createAttributeBody, createContactBody,
  createLabelBody, idParams, keyParams, labelListResponse, labelResponse, listContactsQuery, mergeBody, mergeResponse, noteBody, noteParams, noteResponse,
  updateAttributeBody, updateContactBody, updateLabelBody,
} from './schema';

/** Contacts (list, profile, labels, attributes, consent, notes, merge) and what admins define for them (labels, attributes). */
export function registerContactRoutes(t: RouteTable, s: Services): void {
  const present = async (ctx: AppContext, rows: ContactRow[]) => {
    const labels = new Map((await listLabels(s.db, [...new Set(rows.flatMap((r) => r.label_ids))])).map((l) => [l.id, l]));
    return rows.map((r) => presentContact(r, authOf(ctx).ability, labels));
  };
  /** A contact the caller may act on: 404 when they may not see it, 403 when they see it but may not do this. */
  const loadFor = async (ctx: AppContext, action: string, id: string) => {
    const row = await findContact(s.db, id);
    assertCanRow(authOf(ctx).ability, action, 'Contact', row ? contactSubject(row) : undefined);
    return row!;
  };

  t.add({
    method: 'get', path: '/contacts', tag: 'contacts', summary: 'List contacts (search by name or number, filter by label)', access: access.can('read', 'Contact'),
    query: listContactsQuery, responses: { 200: { description: 'A page of contacts', schema: contactListResponse } },
    handler: async (ctx, { query }) => {
      const ability = authOf(ctx).ability;
      const phoneSearch = readableContactFields(ability).has('waId');
      const rows = await listContacts(s.db, { ...query, limit: query.limit + 1, phoneSearch }, (q) => whereAccessible(q, ability, 'read', 'Contact', CONTACT_SQL_FIELDS));
      const page = rows.slice(0, query.limit);
      ctx.body = { items: await present(ctx, page), nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
    },
  });
  t.add({
    method: 'get', path: '/contacts/:id', tag: 'contacts', summary: 'A contact with its notes and merged numbers', access: access.can('read', 'Contact'),
    params: idParams, responses: { 200: { description: 'The contact', schema: contactDetailResponse } },
    handler: async (ctx, { params }) => {
      const row = await loadFor(ctx, 'read', params.id);
      const phones = readableContactFields(authOf(ctx).ability).has('waId');
      const aliases = phones ? await listAliases(s.db, row.id) : [];
      ctx.body = {
        contact: (await present(ctx, [row]))[0],
        notes: (await listNotes(s.db, row.id)).map(presentNote),
        aliases: aliases.map((a) => ({ waId: a.wa_id, mergedAt: a.merged_at.toISOString() })),
      };
    },
  });
  t.add({
    method: 'post', path: '/contacts', tag: 'contacts', summary: 'Add a contact (the number is normalised to E.164)', access: access.can('create', 'Contact'),
    body: createContactBody, responses: { 201: { description: 'Created', schema: contactResponse } },
    handler: async (ctx, { body }) => {
      const row = await createContact(s, actorOf(ctx), body);
      ctx.status = 201;
      ctx.body = { contact: (await present(ctx, [row]))[0] };
    },
  });
  t.add({
    method: 'patch', path: '/contacts/:id', tag: 'contacts', summary: "Change a contact's name, language, labels or attributes", access: access.can('update', 'Contact'),
    params: idParams, body: updateContactBody, responses: { 200: { description: 'Changed', schema: contactResponse } },
    handler: async (ctx, { params, body }) => {
      await loadFor(ctx, 'update', params.id);
      ctx.body = { contact: (await present(ctx, [await updateContact(s, actorOf(ctx), params.id, body)]))[0] };
    },
  });
  t.add({
    method: 'post', path: '/contacts/:id/consent', tag: 'contacts', summary: "Record the customer's opt-in or opt-out (source: agent)", access: access.can('consent', 'Contact'),
    params: idParams, body: consentBody, responses: { 200: { description: 'Recorded', schema: contactResponse } },
    handler: async (ctx, { params, body }) => {
      await loadFor(ctx, 'consent', params.id);
      ctx.body = { contact: (await present(ctx, [await setContactConsent(s, actorOf(ctx), params.id, body.state)]))[0] };
    },
  });
  t.add({
    method: 'post', path: '/contacts/:id/merge', tag: 'contacts', summary: 'Merge another contact into this one (this one is kept)', access: access.can('merge', 'Contact'),
    params: idParams, body: mergeBody, responses: { 200: { description: 'Merged', schema: mergeResponse } },
    handler: async (ctx, { params, body }) => {
      await loadFor(ctx, 'merge', params.id);
      // The other contact must be one the caller may merge too (a missing one answers 404 like any).
      await loadFor(ctx, 'merge', body.otherId);
      const outcome = await mergeContacts(s, actorOf(ctx), params.id, body.otherId);
      ctx.body = { contact: (await present(ctx, [outcome.contact]))[0], moved: outcome.moved };
    },
  });
  t.add({
    method: 'post', path: '/contacts/:id/notes', tag: 'contacts', summary: 'Add a note to a contact', access: access.can('create', 'ContactNote'),
    params: idParams, body: noteBody, responses: { 201: { description: 'Added', schema: noteResponse } },
    handler: async (ctx, { params, body }) => {
      await loadFor(ctx, 'read', params.id);
      ctx.status = 201;
      ctx.body = { note: presentNote(await addNote(s, actorOf(ctx), params.id, body.body)) };
    },
  });
  t.add({
    method: 'patch', path: '/contacts/:id/notes/:noteId', tag: 'contacts', summary: 'Edit a note', access: access.can('update', 'ContactNote'),
    params: noteParams, body: noteBody, responses: { 200: { description: 'Edited', schema: noteResponse } },
    handler: async (ctx, { params, body }) => {
      await loadFor(ctx, 'read', params.id);
      ctx.body = { note: presentNote(await editNote(s, actorOf(ctx), authOf(ctx).ability, params.id, params.noteId, body.body)) };
    },
  });
  t.add({
    method: 'delete', path: '/contacts/:id/notes/:noteId', tag: 'contacts', summary: 'Delete a note', access: access.can('delete', 'ContactNote'),
    params: noteParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      await loadFor(ctx, 'read', params.id);
      await deleteNote(s, actorOf(ctx), authOf(ctx).ability, params.id, params.noteId);
      ctx.status = 204;
    },
  });
  registerCatalogRoutes(t, s);
}

/** Labels and attribute definitions: read by whoever works contacts, changed by admins. */
function registerCatalogRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/labels', tag: 'contacts', summary: 'List contact labels', access: access.can('read', 'Label'),
    responses: { 200: { description: 'Labels', schema: labelListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: (await listLabels(s.db)).map(presentLabel) };
    },
  });
  t.add({
    method: 'post', path: '/labels', tag: 'contacts', summary: 'Create a label', access: access.can('create', 'Label'),
    body: createLabelBody, responses: { 201: { description: 'Created', schema: labelResponse } },
    handler: async (ctx, { body }) => {
      ctx.status = 201;
      ctx.body = { label: presentLabel(await createLabel(s, actorOf(ctx), body)) };
    },
  });
  t.add({
    method: 'patch', path: '/labels/:id', tag: 'contacts', summary: 'Rename or recolour a label', access: access.can('update', 'Label'),
    params: idParams, body: updateLabelBody, responses: { 200: { description: 'Changed', schema: labelResponse } },
    handler: async (ctx, { params, body }) => {
      ctx.body = { label: presentLabel(await updateLabel(s, actorOf(ctx), params.id, body)) };
    },
  });
  t.add({
    method: 'delete', path: '/labels/:id', tag: 'contacts', summary: 'Delete a label (taken off every contact)', access: access.can('delete', 'Label'),
    params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      await deleteLabel(s, actorOf(ctx), params.id);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'get', path: '/contact-attributes', tag: 'contacts', summary: 'List custom attribute definitions', access: access.can('read', 'ContactAttribute'),
    responses: { 200: { description: 'Definitions', schema: attributeListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: (await listAttributes(s.db)).map(presentAttribute) };
    },
  });
  t.add({
    method: 'post', path: '/contact-attributes', tag: 'contacts', summary: 'Define a custom attribute', access: access.can('create', 'ContactAttribute'),
    body: createAttributeBody, responses: { 201: { description: 'Created', schema: attributeResponse } },
    handler: async (ctx, { body }) => {
      ctx.status = 201;
      ctx.body = { attribute: presentAttribute(await createAttribute(s, actorOf(ctx), body)) };
    },
  });
  t.add({
    method: 'patch', path: '/contact-attributes/:key', tag: 'contacts', summary: "Rename an attribute or change its type or options (refused when stored values would not fit)",
    access: access.can('update', 'ContactAttribute'), params: keyParams, body: updateAttributeBody, responses: { 200: { description: 'Changed', schema: attributeResponse } },
    handler: async (ctx, { params, body }) => {
      ctx.body = { attribute: presentAttribute(await updateAttribute(s, actorOf(ctx), params.key, body)) };
    },
  });
  t.add({
    method: 'delete', path: '/contact-attributes/:key', tag: 'contacts', summary: 'Delete an attribute and its values', access: access.can('delete', 'ContactAttribute'),
    params: keyParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      await deleteAttribute(s, actorOf(ctx), params.key);
      ctx.status = 204;
    },
  });
}
