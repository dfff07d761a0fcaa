import { Router } from '@koa/router';
import { OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { Stream } from 'node:stream';
import Koa from 'koa';
import compress from 'koa-compress';
import helmet from 'koa-helmet';
import { uiDistDir } from '../lib/paths';
import { registerAuditRoutes } from '../modules/audit/routes';
import { registerAuthzRoutes } from '../modules/authz/routes';
import { registerAuthRoutes, registerUserRoutes } from '../modules/identity/routes';
import { registerSettingsRoutes } from '../modules/settings/routes';
import { registerTeamRoutes } from '../modules/teams/routes';
import { registerChannelRoutes } from '../modules/channels/routes';
import { registerOutboxRoutes } from '../modules/outbox/routes';
import { registerTemplateRoutes } from '../modules/templates/routes';
import { registerConversationRoutes } from '../modules/conversations/routes';
import { registerMediaRoutes } from '../modules/media/routes';
import { registerAutoReplyRoutes } from '../modules/autoreply/routes';
import { registerLexiconRoutes } from '../modules/lexicon/routes';
import { registerEventRoutes } from '../modules/inbox/routes';
import { registerHoldRoutes } from '../modules/holds/routes';
import { registerReviewRoutes } from '../modules/review/routes';
import { registerDiscoveryRoutes } from '../modules/discovery/routes';
import { registerContactRoutes } from '../modules/contacts/routes';
import { registerGdprRoutes } from '../modules/gdpr/routes';
import { registerRetentionRoutes } from '../modules/retention/routes';
import { registerSegmentRoutes } from '../modules/segments/routes';
import { registerImportRoutes } from '../modules/imports/routes';
import { registerIntegrationRoutes } from '../modules/integrations/routes';
import { registerCannedRoutes } from '../modules/canned/routes';
import { registerMacroRoutes } from '../modules/macros/routes';
import { registerCostRoutes } from '../modules/costs/routes';
import { registerRoutingRoutes } from '../modules/routing/routes';
import { registerBroadcastRoutes } from '../modules/broadcasts/routes';
import type { LiveEvents } from '../modules/inbox/liveEvents';
import { registerWebhookRoutes, WEBHOOK_PATH } from '../modules/webhooks/routes';
import type { Services } from '../services';
import type { AppState } from './context';
import { errors } from '../lib/errors';
import { createAuthGate } from './middleware/auth';
import { errorBoundary } from './middleware/errorBoundary';
import { requestContext } from './middleware/requestContext';
import { staticUi } from './middleware/staticUi';
import { access, RouteTable, type RouteDeclaration } from './route';

export const API_PREFIX = '/api/v1';

export type Readiness = () => Promise<{ ok: boolean; checks: Record<string, string> }>;

/** The Content-Security-Policy: nothing inline, nothing from elsewhere. */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  mediaSrc: ["'self'", 'blob:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  objectSrc: ["'none'"],
  frameSrc: ["'none'"],
  frameAncestors: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
};

export type BuiltApp = { app: Koa<AppState>; routes: RouteDeclaration[]; routers: Array<Router<AppState>>; openapi: () => unknown };

/** The web role's Koa application: system endpoints, the REST API and the admin UI. */
export type AppOptions = {
  /** False for a worker: only the system endpoints. */
  api: boolean;
  live?: LiveEvents;
  /** Mounted before the API (the sandbox Cloud API and simulator in zero-config mode). */
  extra?: Koa.Middleware<AppState>;
};

export function createApp(s: Services, readiness: Readiness, opts: AppOptions = { api: true }): BuiltApp {
  // Each trusted proxy appends the address it saw to X-Forwarded-For; only those last `hops`
  // entries are believed (ctx.ip is the leftmost of them), so a client's own entries are ignored.
  const hops = s.config.trustProxyHops;
  const app = new Koa<AppState>({ proxy: hops > 0, maxIpsCount: hops, env: s.config.env });
  app.on('error', (err: NodeJS.ErrnoException) => logStreamError(s, err));
  const gate = createAuthGate(s.sessions, s.audit);
  const systemRouter = new Router<AppState>();
  const apiRouter = new Router<AppState>({ prefix: API_PREFIX });
  const system = new RouteTable(systemRouter, '', s.config.bodyLimitBytes, gate);
  const api = new RouteTable(apiRouter, API_PREFIX, s.config.bodyLimitBytes, gate);

  if (opts.api) {
    registerAuthRoutes(api, s);
    registerUserRoutes(api, s);
    registerTeamRoutes(api, s);
    registerAuthzRoutes(api, s);
    registerAuditRoutes(api, s);
    registerSettingsRoutes(api, s);
    registerChannelRoutes(api, s);
    registerOutboxRoutes(api, s);
    registerTemplateRoutes(api, s);
    registerConversationRoutes(api, s);
    registerMediaRoutes(api, s);
    registerLexiconRoutes(api, s);
    registerAutoReplyRoutes(api, s);
    registerRetentionRoutes(api, s);
    registerHoldRoutes(api, s);
    registerReviewRoutes(api, s);
    registerDiscoveryRoutes(api, s);
    registerContactRoutes(api, s);
    registerGdprRoutes(api, s);
    registerSegmentRoutes(api, s);
    registerCannedRoutes(api, s);
    registerMacroRoutes(api, s);
    registerRoutingRoutes(api, s);
    registerImportRoutes(api, s);
    registerIntegrationRoutes(api, s);
    registerCostRoutes(api, s);
    registerBroadcastRoutes(api, s);
    if (opts.live) {
      registerEventRoutes(system, opts.live);
    }
    registerWebhookRoutes(system, s);
  }

  const openapi = () => {
    const generator = new OpenApiGeneratorV31([...api.openapi.definitions, ...system.openapi.definitions]);
    return generator.generateDocument({
      openapi: '3.1.0',
      info: { title: 'Switchboard API', version: '1' },
      servers: [{ url: '/' }],
    });
  };
  registerSystemRoutes(system, s, readiness, openapi);

  app.use(requestContext(s.log, s.metrics));
  app.use(errorBoundary(s.log));
  app.use(forBrowsers(helmet({ contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES }, crossOriginEmbedderPolicy: false })));
  app.use(forBrowsers(compress({ threshold: 1024 })));
  app.use(serializeJson);
  if (opts.extra) {
    app.use(opts.extra);
  }
  app.use(systemRouter.routes());
  app.use(apiRouter.routes());
  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/api/')) {
      throw errors.notFound('Route');
    }
    await next();
  });
  if (opts.api) {
    app.use(staticUi(uiDistDir));
  }
  return { app, routes: [...system.declarations, ...api.declarations], routers: [systemRouter, apiRouter], openapi };
}

// A client that goes away while a body streams (a closed tab, an aborted download) is routine.
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Errors that reach Koa after the error boundary answered: those of a streamed body. Logged
 * as structured lines instead of Koa's default stack trace on stderr.
 */
function logStreamError(s: Services, err: NodeJS.ErrnoException): void {
  if (err.code && CLIENT_GONE.has(err.code)) {
    s.log.debug({ code: err.code }, 'client went away while a response streamed');
    return;
  }
  s.log.error({ err }, 'response stream failed');
}

/**
 * Skips a middleware for Meta's webhook notifications, the hottest route: browser security
 * headers and compression mean nothing to a server that posts JSON and reads a tiny JSON
 * acknowledgement. The GET subscription check, which echoes a challenge, keeps every header.
 */
function forBrowsers(mw: Koa.Middleware<AppState>): Koa.Middleware<AppState> {
  return (ctx, next) => (ctx.method === 'POST' && ctx.path === WEBHOOK_PATH ? next() : mw(ctx, next));
}

/**
 * Turns object bodies into JSON text once. Otherwise koa-compress (asking for the length)
 * and Koa's responder would each stringify the same body.
 */
const serializeJson: Koa.Middleware<AppState> = async (ctx, next) => {
  await next();
  const body: unknown = ctx.body;
  if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body) && !(body instanceof Stream)) {
    ctx.body = JSON.stringify(body);
    ctx.type = 'application/json';
  }
};

function registerSystemRoutes(t: RouteTable, s: Services, readiness: Readiness, openapi: () => unknown): void {
  t.add({
    method: 'get', path: '/healthz', tag: 'system', summary: 'Liveness: the process is up', access: access.public(),
    handler: async (ctx) => {
      ctx.body = { status: 'ok' };
    },
  });
  t.add({
    method: 'get', path: '/readyz', tag: 'system', summary: 'Readiness: the database is reachable and migrations are current', access: access.public(),
    handler: async (ctx) => {
      const result = await readiness();
      ctx.status = result.ok ? 200 : 503;
      ctx.body = { status: result.ok ? 'ready' : 'not_ready', checks: result.checks };
    },
  });
  t.add({
    method: 'get', path: '/metrics', tag: 'system', summary: 'Prometheus metrics', access: access.public(),
    handler: async (ctx) => {
      ctx.type = s.metrics.registry.contentType;
      ctx.body = await s.metrics.registry.metrics();
    },
  });
  t.add({
    method: 'get', path: '/api/v1/openapi.json', tag: 'system', summary: 'This API as an OpenAPI 3.1 document', access: access.public(),
    handler: async (ctx) => {
      ctx.body = openapi();
    },
  });
}
