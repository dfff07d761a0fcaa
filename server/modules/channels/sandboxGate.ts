import type { RouterContext } from '@koa/router';
import { z } from 'zod';
import type { Config } from '../../config';
import { actorOf, type AppContext, type AppState } from '../../http/context';
import { AppError } from '../../http/errors';
import { BACKGROUND_HEADER, createAuthGate, CSRF_HEADER } from '../../http/middleware/auth';
import { access, type RouteTable } from '../../http/route';
import type { Logger } from '../../lib/logger';
import type { OperatorGate } from '../../sandbox';
import type { Services } from '../../services';

export const SANDBOX_PREFIX = '/sandbox';
export const SIMULATOR_PATH = `${SANDBOX_PREFIX}/simulator`;
/** The catalogue permission of the simulator and the sandbox's control API. */
export const SANDBOX_USE = { action: 'use', subject: 'Sandbox' } as const;

/**
 * The simulator and the control API share the panel's origin, so they take the panel's own checks:
 * a signed-in user holding Sandbox:use, with the session's CSRF token on every write (the simulator
 * reads it from control/session). Refusals answer 401/403 and are audited as denied like any route's;
 * every accepted write (a customer's message, an injected failure...) is audited with its route.
 * Someone signed out who opens the simulator page is sent to the panel's sign-in.
 */
export function sandboxOperatorGate(s: Services): OperatorGate {
  const gate = createAuthGate(s.sessions, s.audit);
  const authenticate = gate.authenticate(false);
  const requireUse = gate.require(SANDBOX_USE.action, SANDBOX_USE.subject);
  return {
    guard: async (koaCtx, next) => {
      // The app's context type: the sandbox is mounted inside the app, behind its state-setting middleware.
      const ctx = koaCtx as unknown as RouterContext<AppState>;
      // The route's template (not the path with its ids) names it in metrics and in denied-access audits.
      ctx.state.routePath = String(ctx._matchedRoute ?? ctx.path);
      try {
        await authenticate(ctx, () => requireUse(ctx, next));
      } catch (err) {
        if (err instanceof AppError && err.status === 401 && ctx.method === 'GET' && ctx.path === SIMULATOR_PATH) {
          ctx.redirect('/#/login');
          return;
        }
        throw err;
      }
      if (ctx.method !== 'GET' && ctx.status < 400) {
        await s.audit.record(actorOf(ctx as unknown as AppContext), {
          action: 'sandbox.control',
          subjectType: SANDBOX_USE.subject,
          details: { method: ctx.method, path: ctx.path, status: ctx.status },
        });
      }
    },
    // The simulator polls its conversation several times a second: not the user's activity, so an
    // unattended simulator tab is signed out after the idle timeout like any other.
    pollHeaders: { [BACKGROUND_HEADER]: '1' },
    writeHeaders: (ctx): Record<string, string> => {
      const auth = (ctx.state as AppState).auth;
      return auth ? { [CSRF_HEADER]: auth.csrfToken } : {};
    },
  };
}

/**
 * The sandbox is for evaluation, training and tests. It starts by itself only in zero-config mode;
 * with an external database or in production it runs only when asked for, and then says, loudly and
 * once, what it is.
 */
export function warnIfSandboxInProduction(config: Config, log: Logger): void {
  if (config.databaseUrl || config.env === 'production') {
    log.warn(
      { setting: 'SWITCHBOARD_SANDBOX', simulator: SIMULATOR_PATH },
      'SWITCHBOARD_SANDBOX=true: the built-in WhatsApp sandbox is running. It is NOT for production: it fakes WhatsApp, and its simulator posts messages as customers. Unset SWITCHBOARD_SANDBOX on a production appliance.',
    );
  }
}

/** `GET /api/v1/sandbox`: whether this appliance runs the sandbox, so the panel links to the simulator only then. */
export function registerSandboxRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/sandbox', tag: 'sandbox', summary: 'Whether the built-in WhatsApp sandbox runs here, and its customer simulator',
    access: access.can(SANDBOX_USE.action, SANDBOX_USE.subject),
    responses: { 200: { description: 'The sandbox', schema: z.object({ running: z.boolean(), simulatorPath: z.string().nullable() }) } },
    handler: async (ctx) => {
      const running = s.config.sandbox;
      ctx.body = { running, simulatorPath: running ? SIMULATOR_PATH : null };
    },
  });
}
