/**
 * The sandbox: an emulator of the WhatsApp Cloud API (Graph API messages, media, templates and
 * phone numbers; signed webhooks with Meta's retries; statuses; Meta's error codes and rate
 * limits) plus a customer simulator page. Written from Meta's documents and checked against
 * Meta's OpenAPI schemas; it shares no code with the connector (server/whatsapp/).
 *
 * Meta's Resumable Upload API (template sample files) is served for each number's app id.
 *
 * Conventions: recipients whose wa_id starts with 999 are not on WhatsApp (their messages fail
 * with 131026); templates whose name contains 'reject' are rejected at review.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from '@koa/router';
import Koa from 'koa';
import { setQuality, setThroughput } from './account';
import { controlRouter } from './controlRoutes';
import { createCore } from './core';
import { customerSends, customerSendsBatch } from './customers';
import { graphFallback, graphRouter } from './graphRoutes';
import { isGraphVersion } from './http';
import { StatusEmitter } from './statuses';
import { loopbackGate } from './operator';
import type { OperatorGate, Sandbox, SandboxMount, SandboxOptions, SandboxRoute } from './types';
import { verifySubscription } from './webhooks';

export type {
  ConversationEntry,
  OperatorGate,
  SandboxMount,
  SandboxRoute,
  CustomerMessage,
  FailureRule,
  QualityChange,
  Sandbox,
  SandboxNumber,
  SandboxOptions,
  SandboxSeedTemplate,
  SandboxStats,
} from './types';
export { UNDELIVERABLE_PREFIX } from './messages';
export { SANDBOX_APP_ID } from './uploads';
export { metaJson, signatureHeader } from './webhooks';

/**
 * Graph answers a path without a version (`/{phone-number-id}/messages`) at the app's default
 * version, as if it had been given: the path gets that version before routing.
 */
function withVersion(path: string, graphPrefix: string, version: string): string {
  const first = path.slice(graphPrefix.length).split('/')[0] ?? '';
  return isGraphVersion(first) ? path : `${graphPrefix}${version}/${path.slice(graphPrefix.length)}`;
}

/** The routes a router serves, HEAD left out (Koa answers it with GET). */
function routesOf(router: Router, access: SandboxRoute['access']): SandboxRoute[] {
  return router.stack.flatMap((layer) =>
    layer.methods.filter((m) => m !== 'HEAD').map((method) => ({ method, path: String(layer.path), access })),
  );
}

/** Creates a sandbox serving the given numbers and posting webhooks to `webhookUrl`. */
export function createSandbox(options: SandboxOptions): Sandbox {
  const core = createCore(options);
  const statuses = new StatusEmitter(core);
  const servers = new Set<{ close(): Promise<void> }>();

  const sandbox: Sandbox = {
    mount(prefix: string, gate: OperatorGate = loopbackGate): SandboxMount {
      const base = prefix.replace(/\/+$/, '');
      const graph = graphRouter(core, statuses, base);
      const control = controlRouter(core, sandbox, base, gate);
      const fallback = graphFallback(core, base);
      // The router sets ctx.params itself when a route matches; a plain Koa context goes in.
      const graphRoutes = graph.routes() as unknown as Koa.Middleware;
      const controlRoutes = control.routes() as unknown as Koa.Middleware;
      const graphPrefix = `${base}/graph/`;
      const middleware: Koa.Middleware = async (ctx, next) => {
        if (base && ctx.path !== base && !ctx.path.startsWith(`${base}/`)) {
          await next();
          return;
        }
        if (ctx.path.startsWith(graphPrefix)) {
          ctx.path = withVersion(ctx.path, graphPrefix, core.opts.defaultGraphVersion);
        }
        await graphRoutes(ctx, () => controlRoutes(ctx, () => fallback(ctx, next)));
      };
      const routes = [
        ...routesOf(graph, 'graph'),
        ...routesOf(control, 'operator'),
      ];
      return { middleware, routes };
    },

    middleware(prefix: string, gate?: OperatorGate): Koa.Middleware {
      return sandbox.mount(prefix, gate).middleware;
    },

    async listen(port: number, host = '127.0.0.1') {
      const app = new Koa();
      app.use(sandbox.middleware(''));
      const server = createServer(app.callback());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const handle = {
        url: `http://${shownHost}:${address.port}`,
        close: () =>
          new Promise<void>((resolve) => {
            servers.delete(handle);
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      };
      servers.add(handle);
      return handle;
    },

    async customerSends(input) {
      return customerSends(core, input);
    },

    async customerSendsBatch(items) {
      return customerSendsBatch(core, items);
    },

    customerReads(phoneNumberId, waId) {
      const number = core.state.numbers.get(phoneNumberId);
      const conv = core.state.findConversation(phoneNumberId, waId);
      return number && conv ? statuses.customerReads(number, conv) : 0;
    },

    conversation(phoneNumberId, waId) {
      return core.state.entries(phoneNumberId, waId);
    },

    stats() {
      return core.state.snapshot();
    },

    injectFailure(rule) {
      core.failures.push({ ...rule, remaining: rule.times ?? 1 });
    },

    setThroughput(phoneNumberId, mps) {
      setThroughput(core, phoneNumberId, mps);
    },

    scheduledEvents() {
      return core.scheduler.pending;
    },

    setQuality(change) {
      setQuality(core, change);
    },

    verifyWebhook(verifyToken) {
      return verifySubscription(options.webhookUrl, verifyToken, options.webhookTimeoutMs ?? 10_000);
    },

    async close() {
      core.scheduler.close();
      await Promise.all([...servers].map((s) => s.close()));
    },
  };
  return sandbox;
}
