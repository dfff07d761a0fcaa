import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from './guard';
import { grantorOf } from './grants';
import { catalogue, subjectLabels } from './catalogue';
import { createRole, editRole, removeRole } from './roleCommands';
import { presentRole } from './present';
import { findRole, listRoles } from './roleRepo';
import { catalogueSchema, createRoleBody, idParams, roleListResponse, roleResponse, updateRoleBody } from './schema';

/** The permission catalogue and role administration. */
export function registerAuthzRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/permissions/catalogue', tag: 'roles', summary: 'Every action and the UI buttons it governs',
    access: access.authenticated(true), responses: { 200: { description: 'Catalogue', schema: catalogueSchema } },
    handler: async (ctx) => {
      ctx.set('Cache-Control', 'private, max-age=300');
      ctx.body = { subjects: subjectLabels, actions: catalogue };
    },
  });
  t.add({
    method: 'get', path: '/roles', tag: 'roles', summary: 'List roles with their rules', access: access.can('read', 'Role'),
    responses: { 200: { description: 'Roles', schema: roleListResponse } },
    handler: async (ctx) => {
      const grantor = grantorOf(actorOf(ctx), authOf(ctx));
      ctx.body = { items: (await listRoles(s.db)).map((r) => presentRole(r, grantor)) };
    },
  });
  t.add({
    method: 'post', path: '/roles', tag: 'roles', summary: 'Create a custom role', access: access.can('create', 'Role'),
    body: createRoleBody, responses: { 201: { description: 'Created', schema: roleResponse } },
    handler: async (ctx, { body }) => {
      const grantor = grantorOf(actorOf(ctx), authOf(ctx));
      const role = await createRole(s, grantor, body);
      ctx.status = 201;
      ctx.body = { role: presentRole(role, grantor) };
    },
  });
  t.add({
    method: 'patch', path: '/roles/:id', tag: 'roles', summary: 'Edit a custom role', access: access.can('update', 'Role'),
    params: idParams, body: updateRoleBody, responses: { 200: { description: 'Updated', schema: roleResponse } },
    handler: async (ctx, { params, body }) => {
      assertCanRow(authOf(ctx).ability, 'update', 'Role', await findRole(s.db, params.id));
      const grantor = grantorOf(actorOf(ctx), authOf(ctx));
      ctx.body = { role: presentRole(await editRole(s, grantor, params.id, body), grantor) };
    },
  });
  t.add({
    method: 'delete', path: '/roles/:id', tag: 'roles', summary: 'Delete a custom role nobody holds', access: access.can('delete', 'Role'),
    params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      assertCanRow(authOf(ctx).ability, 'delete', 'Role', await findRole(s.db, params.id));
      await removeRole(s, actorOf(ctx), params.id);
      ctx.status = 204;
    },
  });
}
