/**
 * The baseline server: a bare Koa 3 app with one @koa/router route answering a small JSON
 * body. No middleware, no database: the ceiling any Koa handler on this machine can reach.
 */
import { Router } from '@koa/router';
import Koa from 'koa';
import { BARE_PATH, listenOnLoopback, serveChild } from './child';

serveChild(async () => {
  const app = new Koa();
  const router = new Router();
  router.get(BARE_PATH, (ctx) => {
    ctx.body = { status: 'ok', at: Date.now() };
  });
  app.use(router.routes());
  return listenOnLoopback(app.callback());
});
