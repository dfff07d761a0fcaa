/**
 * The webhook baseline: a bare Koa 3 app with one @koa/router route that does the least any
 * correct receiver must do: read the raw body, check its HMAC-SHA256 signature (timing-safe),
 * and make the message durable with one INSERT of (wamid, body) through a pg pool the size of
 * the app's, before answering 200. No middleware, no parsing beyond finding the wamid.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Router } from '@koa/router';
import Koa from 'koa';
import pg from 'pg';
import getRawBody from 'raw-body';
import { listenOnLoopback, serveChild } from './child';
import { BASELINE_TABLE, WEBHOOK_BASELINE_ENV, WEBHOOK_PATH, wamidOf, type WebhookBaselineConfig } from './webhookProtocol';

const SIGNATURE_PATTERN = /^sha256=[0-9a-fA-F]{64}$/;
const BODY_LIMIT = 8 * 1024 * 1024;

serveChild(async () => {
  const raw = process.env[WEBHOOK_BASELINE_ENV];
  if (!raw) {
    throw new Error(`${WEBHOOK_BASELINE_ENV} is not set`);
  }
  const config = JSON.parse(raw) as WebhookBaselineConfig;
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolMax, application_name: 'bench-webhook-baseline' });
  await pool.query(`CREATE TABLE IF NOT EXISTS ${BASELINE_TABLE} (wamid text PRIMARY KEY, body jsonb NOT NULL)`);
  const secret = config.appSecret;

  const app = new Koa();
  const router = new Router();
  router.post(WEBHOOK_PATH, async (ctx) => {
    const body = await getRawBody(ctx.req, { limit: BODY_LIMIT });
    const header = ctx.get('x-hub-signature-256');
    const given = SIGNATURE_PATTERN.test(header) ? Buffer.from(header.slice('sha256='.length), 'hex') : null;
    const expected = createHmac('sha256', secret).update(body).digest();
    if (!given || !timingSafeEqual(expected, given)) {
      ctx.status = 401;
      ctx.body = { error: 'bad signature' };
      return;
    }
    const text = body.toString('utf8');
    const wamid = wamidOf(JSON.parse(text));
    if (!wamid) {
      ctx.status = 400;
      ctx.body = { error: 'no message' };
      return;
    }
    await pool.query(`INSERT INTO ${BASELINE_TABLE} (wamid, body) VALUES ($1, $2)`, [wamid, text]);
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  return listenOnLoopback(app.callback(), () => pool.end());
});
