import type Koa from 'koa';
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../lib/logger';
import type { Metrics } from '../../lib/metrics';
import type { AppState } from '../context';

const INCOMING_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Gives each request an id (echoed in X-Request-Id), then logs and measures it. */
export function requestContext(log: Logger, metrics: Metrics): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    // Request ids need uniqueness, not time order: randomUUID draws from a pooled buffer.
    ctx.state.requestId = INCOMING_ID.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = ctx.state.routePath ?? (ctx.path.startsWith('/api/') ? 'unmatched' : 'static');
      metrics.httpRequests.inc({ method: ctx.method, route, status: String(ctx.status) });
      metrics.httpDuration.observe({ method: ctx.method, route }, seconds);
      // Method, route template, status and ids only: no bodies, no query strings, no cookies.
      log.info(
        { reqId: ctx.state.requestId, method: ctx.method, route, status: ctx.status, ms: Math.round(seconds * 1e5) / 100, userId: ctx.state.auth?.user.id },
        'request',
      );
    }
  };
}
