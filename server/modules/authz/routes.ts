import { z } from 'zod';
import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from './guard';
import { grantableBy, grantorOf, type Grantor } from './grants';
import { catalogue } from './catalogue';
import { createRole, editRole, removeRole } from './roleCommands';
import { findRole, listRoles, type Role } from './roleRepo';
import { rawRulesSchema } from './schema';

const idParams = z.strictObject({ id: z.uuid() });
const createBody = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'lower-case letters, digits and dashes, 2 to 40 characters'),
  name: z.string().trim().min(1).max(80),
  description: z.string().trim().max(500).default(''),
  rules: rawRulesSchema,
});
const updateBody = z
  .strictObject({ name: z.string().trim().min(1).max(80).optional(), description: z.string().trim().max(500).optional(), rules: rawRulesSchema.optional() })
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');
const roleSchema = z.object({
  id: z.uuid(), key: z.string(), name: z.string(), description: z.string(), builtin: z.boolean(), rules: rawRulesSchema, userCount: z.number(),
  grantable: z.boolean().describe('Whether the caller holds every right of this role (a hint for the UI; each grant is still checked)'),
});
const catalogueSchema = z.object({
  actions: z.array(z.object({ key: z.string(), subject: z.string(), action: z.string(), labels: z.object({ en: z.string(), fr: z.string() }), buttons: z.array(z.string()) })),
});

const present = (r: Role, grantor: Pick<Grantor, 'ability' | 'self'>) => ({
  id: r.id, key: r.key, name: r.name, description: r.description, builtin: r.builtin, rules: r.rules, userCount: r.userCount,
  grantable: grantableBy(grantor, r.rules),
});

/** The permission catalogue and role administration. */
export function registerAuthzRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/permissions/catalogue', tag: 'roles', summary: 'Every action and the UI buttons it governs',
    access: access.authenticated(true), responses: { 200: { description: 'Catalogue', schema: catalogueSchema } },
    handler: async (ctx) => {
      ctx.set('Cache-Control', 'private, max-age=300');
      ctx.body = { actions: catalogue };
    },
  });
  t.add({
    method: 'get', path: '/roles', tag: 'roles', summary: 'List roles with their rules', access: access.can('read', 'Role'),
    responses: { 200: { description: 'Roles', schema: z.object({ items: z.array(roleSchema) }) } },
    handler: async (ctx) => {
      const grantor = grantorOf(actorOf(ctx), authOf(ctx));
      ctx.body = { items: (await listRoles(s.db)).map((r) => present(r, grantor)) };
    },
  });
  t.add({
    method: 'post', path: '/roles', tag: 'roles', summary: 'Create a custom role', access: access.can('create', 'Role'),
    body: createBody, responses: { 201: { description: 'Created', schema: z.object({ role: roleSchema }) } },
    handler: async (ctx, { body }) => {
      const grantor = grantorOf(actorOf(ctx), authOf(ctx));
      const role = await createRole(s, grantor, body);
      ctx.status = 201;
      ctx.body = { role: present(role, grantor) };
    },
  });
  t.add({
    method: 'patch', path: '/roles/:id', tag: 'roles', summary: 'Edit a custom role', access: access.can('update', 'Role'),
    params: idParams, body: updateBody, responses: { 200: { description: 'Updated', schema: z.object({ role: roleSchema }) } },
    handler: async (ctx, { params, body }) => {
      assertCanRow(authOf(ctx).ability, 'update', 'Role', await findRole(s.db, params.id));
      const grantor = grantorOf(actorOf(ctx), authOf(ctx));
      ctx.body = { role: present(await editRole(s, grantor, params.id, body), grantor) };
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
