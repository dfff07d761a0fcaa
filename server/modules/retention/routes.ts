import { actorOf } from '../../http/context';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { lockPolicy, removePolicy, setPolicy } from './commands';
import { MAX_DAYS, MIN_DAYS, PER_NUMBER_CLASSES } from './periods';
import { presentPolicy, presentRun } from './present';
import { previewRetention } from './preview';
import { findRun, listPolicies, listRuns, numberNames } from './repo';
import { runRetention } from './run';
import { idParams, listRunsQuery, policyListResponse, policyResponse, previewResponse, runListResponse, runResponse, setPolicyBody } from './schema';

/** Retention: periods per class and number (lockable), a preview of the next run, the runs, and "run now". */
export function registerRetentionRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/retention/policies', tag: 'retention', summary: 'List retention periods', access: access.can('read', 'RetentionPolicy'),
    responses: { 200: { description: 'Policies', schema: policyListResponse } },
    handler: async (ctx) => {
      ctx.body = {
        items: (await listPolicies(s.db)).map(presentPolicy), limits: { minDays: MIN_DAYS, maxDays: MAX_DAYS },
        perNumberClasses: PER_NUMBER_CLASSES, numbers: await numberNames(s.db),
      };
    },
  });
  t.add({
    method: 'put', path: '/retention/policies', tag: 'retention', summary: "Set a class's period, for every number or one",
    access: access.can('update', 'RetentionPolicy'), body: setPolicyBody, responses: { 200: { description: 'Set', schema: policyResponse } },
    handler: async (ctx, { body }) => {
      ctx.body = { policy: presentPolicy(await setPolicy(s, actorOf(ctx), body)) };
    },
  });
  t.add({
    method: 'post', path: '/retention/policies/:id/lock', tag: 'retention', summary: 'Lock a policy: from now on it can only be lengthened',
    access: access.can('lock', 'RetentionPolicy'), params: idParams, responses: { 200: { description: 'Locked', schema: policyResponse } },
    handler: async (ctx, { params }) => {
      ctx.body = { policy: presentPolicy(await lockPolicy(s, actorOf(ctx), params.id)) };
    },
  });
  t.add({
    method: 'delete', path: '/retention/policies/:id', tag: 'retention', summary: "Remove a number's own period (not a default, not a locked one)",
    access: access.can('update', 'RetentionPolicy'), params: idParams, responses: { 204: { description: 'Removed' } },
    handler: async (ctx, { params }) => {
      await removePolicy(s, actorOf(ctx), params.id);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'get', path: '/retention/preview', tag: 'retention', summary: 'What the next run would delete, per class and number',
    access: access.can('read', 'RetentionPolicy'), responses: { 200: { description: 'Preview', schema: previewResponse } },
    handler: async (ctx) => {
      const preview = await previewRetention(s);
      ctx.body = { at: preview.at.toISOString(), lines: preview.lines };
    },
  });
  t.add({
    method: 'get', path: '/retention/runs', tag: 'retention', summary: 'The last retention runs with their counts',
    access: access.can('read', 'RetentionPolicy'), query: listRunsQuery, responses: { 200: { description: 'Runs', schema: runListResponse } },
    handler: async (ctx, { query }) => {
      ctx.body = { items: (await listRuns(s.db, query.limit)).map(presentRun) };
    },
  });
  // Runs in the request (each batch its own transaction, as the nightly job does); a second
  // run while one is going answers 409.
  t.add({
    method: 'post', path: '/retention/runs', tag: 'retention', summary: 'Run retention now', access: access.can('run', 'RetentionPolicy'),
    responses: { 201: { description: 'Done', schema: runResponse } },
    handler: async (ctx) => {
      const run = await runRetention(s, actorOf(ctx), 'request');
      ctx.status = 201;
      ctx.body = { run: presentRun((await findRun(s.db, run.id))!) };
    },
  });
}
