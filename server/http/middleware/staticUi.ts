import { existsSync } from 'node:fs';
import path from 'node:path';
import type Koa from 'koa';
import send from 'koa-send';
import type { AppState } from '../context';

// Vite names built assets by content hash, so they never change under the same URL.
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Serves the built admin UI: hashed assets cached for a year, index.html never cached. */
export function staticUi(root: string): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || ctx.path.startsWith('/api/')) {
      return next();
    }
    if (!existsSync(path.join(root, 'index.html'))) {
      ctx.status = 503;
      ctx.type = 'text/plain';
      ctx.body = 'The admin UI is not built. Run: npm run build:ui';
      return;
    }
    const file = ctx.path === '/' ? 'index.html' : ctx.path.slice(1);
    const isAsset = file.startsWith('assets/');
    try {
      await send(ctx, file, {
        root,
        index: 'index.html',
        setHeaders: (res) => res.setHeader('Cache-Control', isAsset ? IMMUTABLE : 'no-cache'),
      });
    } catch (err) {
      if ((err as { status?: number }).status !== 404 || isAsset) {
        throw err;
      }
      // Client-side routes fall back to the app shell.
      await send(ctx, 'index.html', { root, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') });
    }
  };
}
