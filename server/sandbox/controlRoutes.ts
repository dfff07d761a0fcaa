import { Router, type RouterContext, type RouterMiddleware } from '@koa/router';
import type Koa from 'koa';
import type { z } from 'zod';
import type { Core } from './core';
import { controlSchemas, toCustomerMessage } from './controlSchema';
import { CustomerInputError } from './customers';
import { GraphError } from './errors';
import { JSON_LIMIT, readBody, sendAttachment } from './http';
import { simulatorAssets } from './simulator/assets';
import type { OperatorGate, Sandbox } from './types';

/** The app's Content-Security-Policy, also sent by the standalone server: nothing inline. */
export const SIMULATOR_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

type Driver = Pick<
  Sandbox,
  'customerSends' | 'customerSendsBatch' | 'customerReads' | 'conversation' | 'stats' | 'injectFailure' | 'setThroughput' | 'setQuality' | 'verifyWebhook'
>;

async function input<S extends z.ZodType>(ctx: RouterContext, schema: S): Promise<z.infer<S>> {
  const raw = await readBody(ctx, JSON_LIMIT * 40);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8') || '{}');
  } catch {
    throw new CustomerInputError('The body is not valid JSON');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new CustomerInputError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** Runs a control handler; bad input answers 400 `{error: {message}}`. */
function control(handler: (ctx: RouterContext) => Promise<unknown> | unknown) {
  return async (ctx: RouterContext) => {
    try {
      ctx.body = await handler(ctx);
      ctx.status = 200;
    } catch (err) {
      if (err instanceof CustomerInputError || err instanceof GraphError) {
        ctx.status = 400;
        ctx.body = { error: { message: err instanceof GraphError ? err.details : err.message } };
        return;
      }
      throw err;
    }
  };
}

/**
 * The operator routes: the control API used by the simulator page and by tests, `${prefix}/stats`,
 * and the simulator page itself (HTML, one script, one stylesheet: the strict CSP allows nothing
 * inline). Every one of them goes through the gate first.
 */
export function controlRouter(core: Core, driver: Driver, prefix: string, gate: OperatorGate): Router {
  const router = new Router({ prefix });
  // The router hands the guard a router context, which is a Koa context with params.
  const guard = gate.guard as unknown as RouterMiddleware;
  const get = (path: string, handler: RouterMiddleware) => router.get(path, guard, handler);
  const post = (path: string, handler: RouterMiddleware) => router.post(path, guard, handler);

  get('/stats', control(() => driver.stats()));

  // What the simulator's script must add to its writes (the host's CSRF token, for one).
  get('/control/session', control((ctx) => ({ writeHeaders: gate.writeHeaders?.(ctx as unknown as Koa.Context) ?? {}, pollHeaders: gate.pollHeaders ?? {} })));

  get('/control/numbers', control(() => ({
    numbers: [...core.state.numbers.values()].map((n) => ({
      phoneNumberId: n.cfg.phoneNumberId,
      wabaId: n.cfg.wabaId,
      displayNumber: n.cfg.displayNumber,
      verifiedName: n.cfg.verifiedName,
      qualityRating: n.qualityRating,
      throughputMps: n.throughputMps,
    })),
  })));

  get('/control/conversation', control((ctx) => {
    const q = controlSchemas.conversation.safeParse(ctx.query);
    if (!q.success) {
      throw new CustomerInputError('phoneNumberId and waId are required');
    }
    const conv = core.state.findConversation(q.data.phoneNumberId, q.data.waId.replace(/\D/g, ''));
    return { profileName: conv?.profileName, messages: driver.conversation(q.data.phoneNumberId, q.data.waId.replace(/\D/g, '')) };
  }));

  // Template definitions, so the simulator can render template messages as the customer sees them.
  get('/control/templates', control((ctx) => {
    const number = core.state.numbers.get(String(ctx.query.phoneNumberId ?? ''));
    if (!number) {
      throw new CustomerInputError('Unknown phoneNumberId');
    }
    return {
      templates: core.templates.list(number.cfg.wabaId).map((t) => ({ name: t.name, language: t.language, status: t.status, components: t.components })),
    };
  }));

  post('/control/customer-messages', control(async (ctx) => {
    const body = await input(ctx, controlSchemas.customerMessage);
    return driver.customerSends({ ...body, message: toCustomerMessage(body.message) });
  }));

  post('/control/customer-messages/batch', control(async (ctx) => {
    const body = await input(ctx, controlSchemas.batch);
    return driver.customerSendsBatch(body.items.map((item) => ({ ...item, message: toCustomerMessage(item.message) })));
  }));

  post('/control/read', control(async (ctx) => {
    const body = await input(ctx, controlSchemas.conversation);
    return { read: driver.customerReads(body.phoneNumberId, body.waId.replace(/\D/g, '')) };
  }));

  post('/control/failures', control(async (ctx) => {
    driver.injectFailure(await input(ctx, controlSchemas.failure));
    return { ok: true };
  }));

  post('/control/throughput', control(async (ctx) => {
    const body = await input(ctx, controlSchemas.throughput);
    driver.setThroughput(body.phoneNumberId, body.mps);
    return { ok: true };
  }));

  post('/control/quality', control(async (ctx) => {
    driver.setQuality(await input(ctx, controlSchemas.quality));
    return { ok: true };
  }));

  post('/control/verify-webhook', control(async (ctx) => driver.verifyWebhook((await input(ctx, controlSchemas.verify)).verifyToken)));

  // What the customer's phone shows: media of the conversation, for the simulator's <img> tags and links.
  get('/control/media/:id', (ctx) => {
    const media = core.media.get(ctx.params.id!);
    if (!media) {
      ctx.status = 404;
      return;
    }
    sendAttachment(ctx, media, 'private, max-age=300');
  });

  const assets = simulatorAssets(prefix);
  const serve = (type: string, text: string) => (ctx: RouterContext) => {
    // Mounted in the app, its own (helmet's) policy stands; standalone, the same policy is sent here.
    if (!ctx.response.get('Content-Security-Policy')) {
      ctx.set('Content-Security-Policy', SIMULATOR_CSP);
    }
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = type;
    ctx.body = text;
  };
  get('/simulator', serve('text/html; charset=utf-8', assets.html));
  get('/simulator/app.js', serve('application/javascript; charset=utf-8', assets.script));
  get('/simulator/app.css', serve('text/css; charset=utf-8', assets.style));
  return router;
}
