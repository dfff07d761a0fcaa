import { actorOf, authOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { assertCanRow } from '../authz/guard';
import { changeIntegration, createIntegration, removeIntegration, testIntegration } from './commands';
import { presentIntegration } from './present';
import { findIntegration, listIntegrations, type IntegrationRow } from './repo';
import {
  createIntegrationBody, idParams, integrationListResponse, integrationResponse, testIntegrationBody, testResponse, updateIntegrationBody,
} from './schema';

const subjectOf = (row: IntegrationRow | undefined) => (row ? { id: row.id, enabled: row.enabled } : undefined);

/** HTTPS integrations that bot lookups call: listed, added, changed, deleted and tried with sample values. */
export function registerIntegrationRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/integrations', tag: 'integrations', summary: 'List integrations (secret header values masked)',
    access: access.can('read', 'Integration'), responses: { 200: { description: 'Integrations, by name', schema: integrationListResponse } },
    handler: async (ctx) => {
      ctx.body = { items: (await listIntegrations(s.db)).map(presentIntegration) };
    },
  });
  t.add({
    method: 'get', path: '/integrations/:id', tag: 'integrations', summary: 'Get an integration (secret header values masked)',
    access: access.can('read', 'Integration'), params: idParams, responses: { 200: { description: 'Integration', schema: integrationResponse } },
    handler: async (ctx, { params }) => {
      const row = await findIntegration(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'read', 'Integration', subjectOf(row));
      ctx.body = { integration: presentIntegration(row!) };
    },
  });
  t.add({
    method: 'post', path: '/integrations', tag: 'integrations', summary: 'Add an integration', access: access.can('create', 'Integration'),
    body: createIntegrationBody, responses: { 201: { description: 'Added', schema: integrationResponse }, 409: { description: 'The name is taken' } },
    handler: async (ctx, { body }) => {
      const row = await createIntegration(s, actorOf(ctx), body);
      ctx.status = 201;
      ctx.body = { integration: presentIntegration(row) };
    },
  });
  t.add({
    method: 'patch', path: '/integrations/:id', tag: 'integrations', summary: 'Change an integration (a secret header sent without a value keeps its stored one)',
    access: access.can('update', 'Integration'), params: idParams, body: updateIntegrationBody,
    responses: { 200: { description: 'Changed', schema: integrationResponse }, 409: { description: 'The name is taken' } },
    handler: async (ctx, { params, body }) => {
      assertCanRow(authOf(ctx).ability, 'update', 'Integration', subjectOf(await findIntegration(s.db, params.id)));
      ctx.body = { integration: presentIntegration(await changeIntegration(s, actorOf(ctx), params.id, body)) };
    },
  });
  t.add({
    method: 'delete', path: '/integrations/:id', tag: 'integrations', summary: 'Delete an integration', access: access.can('delete', 'Integration'),
    params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      assertCanRow(authOf(ctx).ability, 'delete', 'Integration', subjectOf(await findIntegration(s.db, params.id)));
      await removeIntegration(s, actorOf(ctx), params.id);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'post', path: '/integrations/:id/test', tag: 'integrations', summary: 'Call an integration with sample values and show the filled answer (or why there is none)',
    access: access.can('test', 'Integration'), params: idParams, body: testIntegrationBody,
    responses: { 200: { description: 'What a customer would get', schema: testResponse } },
    handler: async (ctx, { params, body }) => {
      const row = await findIntegration(s.db, params.id);
      assertCanRow(authOf(ctx).ability, 'test', 'Integration', subjectOf(row));
      const outcome = await testIntegration(s, actorOf(ctx), row!, body);
      ctx.body = {
        ok: outcome.ok, text: outcome.ok ? outcome.text : null, reason: outcome.ok ? null : outcome.reason,
        status: outcome.status ?? null, detail: outcome.ok ? null : outcome.detail ?? null,
      };
    },
  });
}
