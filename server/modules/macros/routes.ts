import { actorOf, authOf, type AppContext } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import { RowDenied } from '../../lib/errors';
import type { Services } from '../../services';
import { canReadPhone } from '../contacts';
import { asCasl, loadConversation, presentConversation } from '../conversations';
import { loadMacro, macroSubject, visibleTo } from './access';
import { createMacro, deleteMacro, updateMacro } from './commands';
import { presentMacro } from './present';
import { listUsableMacros, type MacroRow } from './repo';
import { runMacro } from './run';
import { createMacroBody, idParams, macroListResponse, macroResponse, macroRunResponse, runParams, updateMacroBody } from './schema';

/** Macros: named lists of inbox actions, the user's own and shared ones, run on a conversation in one click. */
export function registerMacroRoutes(t: RouteTable, s: Services): void {
  const present = (ctx: AppContext, m: MacroRow) => presentMacro(m, authOf(ctx).ability.can('run', macroSubject(m)));
  t.add({
    method: 'get', path: '/macros', tag: 'macros', summary: 'Your macros and the shared ones',
    access: access.can('read', 'Macro'), responses: { 200: { description: 'Shared first, then yours, by name', schema: macroListResponse } },
    handler: async (ctx) => {
      const { ability, user } = authOf(ctx);
      ctx.body = { items: (await listUsableMacros(s.db, user.id)).filter((m) => visibleTo(ability, user.id, m)).map((m) => present(ctx, m)) };
    },
  });
  t.add({
    method: 'post', path: '/macros', tag: 'macros', summary: 'Create a macro (yours, or shared when allowed)',
    access: access.can('create', 'Macro'), body: createMacroBody,
    responses: { 201: { description: 'Created', schema: macroResponse }, 403: { description: 'row_action_denied: you may not create shared macros' } },
    handler: async (ctx, { body }) => {
      const { ability, user } = authOf(ctx);
      const ownerId = body.shared ? null : user.id;
      if (!ability.can('create', macroSubject({ owner_id: ownerId }))) {
        throw new RowDenied('Macro', 'create', null, true);
      }
      ctx.status = 201;
      ctx.body = { macro: present(ctx, await createMacro(s, actorOf(ctx), ownerId, body)) };
    },
  });
  t.add({
    method: 'patch', path: '/macros/:id', tag: 'macros', summary: "Rename a macro or replace its steps",
    access: access.can('update', 'Macro'), params: idParams, body: updateMacroBody,
    responses: { 200: { description: 'Changed', schema: macroResponse } },
    handler: async (ctx, { params, body }) => {
      const { ability, user } = authOf(ctx);
      const before = await loadMacro(s.db, ability, user.id, params.id, 'update');
      ctx.body = { macro: present(ctx, await updateMacro(s, actorOf(ctx), before, body)) };
    },
  });
  t.add({
    method: 'delete', path: '/macros/:id', tag: 'macros', summary: 'Delete a macro',
    access: access.can('delete', 'Macro'), params: idParams, responses: { 204: { description: 'Deleted' } },
    handler: async (ctx, { params }) => {
      const { ability, user } = authOf(ctx);
      await deleteMacro(s, actorOf(ctx), await loadMacro(s.db, ability, user.id, params.id, 'delete'));
      ctx.status = 204;
    },
  });
  t.add({
    method: 'post', path: '/conversations/:id/macros/:macroId/run', tag: 'macros',
    summary: 'Run a macro on a conversation: every step or none (each authorized as its own button would be)',
    access: access.can('run', 'Macro'), params: runParams,
    responses: {
      200: { description: 'All steps done; the conversation as it is now (null when you may no longer see it)', schema: macroRunResponse },
      403: { description: 'row_action_denied: a step is one you may not do; nothing was done' },
    },
    handler: async (ctx, { params }) => {
      const { ability, user } = authOf(ctx);
      await loadConversation(s, ability, params.id);
      const macro = await loadMacro(s.db, ability, user.id, params.macroId, 'run');
      const c = await runMacro(s, { ...actorOf(ctx), id: user.id }, ability, params.id, macro);
      ctx.body = { conversation: c && ability.can('read', asCasl(c)) ? presentConversation(c, canReadPhone(ability)) : null };
    },
  });
}
