/**
 * The baseline server: a bare Koa 3 app with one @koa/router route answering a small JSON
 * body. No middleware, no database: the ceiling any Koa handler on this machine can reach.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router } from '@koa/router';
import Koa from 'koa';
import { BARE_PATH, serveChild } from './child';

serveChild(async () => {
  const app = new Koa();
  const router = new Router();
  router.get(BARE_PATH, (ctx) => {
    ctx.body = { status: 'ok', at: Date.now() };
  });
  app.use(router.routes());
  const server = http.createServer(app.callback());
  // Same keep-alive as the real web role (server/runtime.ts), so both sides keep their connections.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
});
