import type { RouterContext } from '@koa/router';
import type { Config } from './config';
import { actorOf, type AppContext, type AppState } from './http/context';
import { BACKGROUND_HEADER, createAuthGate, CSRF_HEADER } from './http/middleware/auth';
import { AppError } from './lib/errors';
import type { Logger } from './lib/logger';
import { clientFor } from './modules/channels/credentials';
import { ensureSandboxChannel, SANDBOX_PREFIX, SANDBOX_USE, SIMULATOR_PATH } from './modules/channels/sandboxChannel';
import { createSandbox, SANDBOX_APP_ID, type OperatorGate } from './sandbox';
import type { Services } from './services';

// The runtime's wiring of the built-in sandbox Cloud API: the sandbox number itself is the channels
// module's (modules/channels/sandboxChannel.ts); mounting, guarding and starting it is the runtime's.

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

/**
 * Runs the built-in sandbox Cloud API (zero-config mode) for the sandbox number, mounted under
 * /sandbox with its simulator and control API behind the panel's sign-in (Sandbox:use), and submits
 * a starter template so template sending can be tried at once.
 */
export async function startSandbox(s: Services, appUrl: string, log: Logger) {
  warnIfSandboxInProduction(s.config, log);
  s.egress.allowSandbox(`${appUrl}${SANDBOX_PREFIX}`);
  s.channels.invalidate();
  const creds = await ensureSandboxChannel(s, s.egress.sandboxGraphBaseUrl() ?? `${appUrl}${SANDBOX_PREFIX}/graph`);
  const sandbox = createSandbox({
    numbers: [{ phoneNumberId: creds.phoneNumberId, wabaId: creds.wabaId, displayNumber: creds.displayNumber, verifiedName: 'Switchboard Sandbox', accessToken: creds.accessToken, appSecret: creds.appSecret, appId: creds.appId ?? SANDBOX_APP_ID }],
    webhookUrl: `${appUrl}/webhooks/whatsapp`,
    templateReviewMs: s.config.sandboxTemplateReviewMs,
    log: log.child({ component: 'sandbox' }),
  });
  const { middleware, routes } = sandbox.mount(SANDBOX_PREFIX, sandboxOperatorGate(s));
  const client = clientFor(creds, 5000);
  // After the server answers (the sandbox is mounted by the caller), submit the starter template.
  setTimeout(() => {
    client
      .createTemplate({
        name: 'welcome_back',
        language: 'en_US',
        category: 'UTILITY',
        components: [{ type: 'BODY', text: 'Hello {{1}}, thanks for contacting us. How can we help?', example: { body_text: [['Alex']] } }],
      })
      .catch((err: Error) => log.debug({ err: err.message }, 'sandbox starter template not created'));
  }, 50).unref();
  log.info({ simulator: `${appUrl}${SIMULATOR_PATH}`, phoneNumberId: creds.phoneNumberId }, 'sandbox Cloud API running');
  return { sandbox, middleware, routes, close: () => sandbox.close() };
}
