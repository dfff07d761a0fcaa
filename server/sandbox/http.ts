import type { RouterContext, RouterMiddleware } from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { Core } from './core';
import { GraphError, graphErrorBody, metaError } from './errors';
import type { StoredMedia } from './media';
import type { NumberState } from './state';

/** JSON request bodies: generous for messages and template definitions. */
export const JSON_LIMIT = 1024 * 1024;
const VERSION_RE = /^v\d+\.\d+$/;

/**
 * Sends a stored file so that no browser ever runs it: as a download (`Content-Disposition:
 * attachment`), with a `Content-Security-Policy: sandbox` that disables scripts and forms should it
 * be opened anyway, and `nosniff` so its declared (Meta-listed) type is never second-guessed into
 * HTML. An `<img>` tag still shows an image served this way.
 */
export function sendAttachment(ctx: Koa.Context, media: StoredMedia, cacheControl: string): void {
  // Koa derives the type from the name's extension: the stored type is set after it.
  ctx.attachment(media.filename ?? `media-${media.id}`);
  ctx.type = media.mimeType;
  ctx.set('Content-Security-Policy', 'sandbox');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Cache-Control', cacheControl);
  ctx.set('Content-Length', String(media.bytes.length));
  ctx.status = 200;
  ctx.body = media.bytes;
}

/** Reads the request bytes, refusing more than `limit` with Meta's error for oversized input. */
export async function readBody(ctx: Koa.Context, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) {
    throw metaError(131053, `The request body (${declared} bytes) is larger than the ${limit} bytes allowed.`);
  }
  try {
    return await getRawBody(ctx.req, { limit });
  } catch (err) {
    if ((err as { type?: string }).type === 'entity.too.large') {
      throw metaError(131053, `The request body is larger than the ${limit} bytes allowed.`);
    }
    throw metaError(100, 'The request body could not be read.');
  }
}

/** Form bodies read before the handler, because their `access_token` field authenticates the call. */
const formParams = new WeakMap<Koa.Context, Record<string, unknown>>();

const FORM = 'application/x-www-form-urlencoded';

/** Reads a form-encoded body once, so that the token check and the handler both see it. */
async function loadForm(ctx: Koa.Context): Promise<void> {
  const raw = await readBody(ctx, JSON_LIMIT);
  formParams.set(ctx, Object.fromEntries(new URLSearchParams(raw.toString('utf8'))));
}

/**
 * The request's parameters: a JSON object, or an `application/x-www-form-urlencoded` body (whose
 * values are strings), as Graph takes both; a form's `access_token` is the credential, not a
 * parameter. Graph answers 100 for anything else.
 */
export async function readParams(ctx: Koa.Context): Promise<Record<string, unknown>> {
  const form = formParams.get(ctx);
  if (form) {
    const { access_token: _token, ...params } = form;
    return params;
  }
  const raw = await readBody(ctx, JSON_LIMIT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8') || '{}');
  } catch {
    throw metaError(100, 'Invalid JSON in request body.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw metaError(100, 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Graph takes every object or array parameter as a JSON-encoded string too (`"template": "{...}"`,
 * `contacts=[...]` in a form body), as many client libraries send them: those named in `keys` are
 * decoded. A string that is not JSON stays a string, which the validator refuses as Graph would.
 */
export function decodeJsonParams(params: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const decoded = { ...params };
  for (const key of keys) {
    const value = decoded[key];
    if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
      try {
        decoded[key] = JSON.parse(value) as unknown;
      } catch {
        // Left as the string it is: the validator answers Meta's error for it.
      }
    }
  }
  return decoded;
}

/**
 * The access token: `Authorization: Bearer <token>` (or `OAuth <token>`, which the Resumable Upload
 * API documents), or Graph's `access_token` parameter, in the query or a form-encoded body.
 */
export function tokenOf(ctx: Koa.Context): string | undefined {
  const match = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  if (match) {
    return match[1];
  }
  const query = ctx.query.access_token;
  if (typeof query === 'string' && query) {
    return query;
  }
  const form = formParams.get(ctx)?.access_token;
  return typeof form === 'string' && form ? form : undefined;
}

/**
 * The WABAs a token may act on; 190 when it is missing or matches no sandbox number. A token grants
 * access to the numbers, media and templates of its own WABA only (others answer 100/33).
 */
export function wabasOfToken(core: Core, ctx: Koa.Context): Set<string> {
  const token = tokenOf(ctx);
  const wabas = new Set<string>();
  if (token) {
    for (const n of core.state.numbers.values()) {
      if (n.cfg.accessToken === token) {
        wabas.add(n.cfg.wabaId);
      }
    }
  }
  if (wabas.size === 0) {
    throw metaError(190, token ? 'The access token could not be decrypted or does not belong to a sandbox number.' : 'An access token is required to request this resource.');
  }
  return wabas;
}

/** True when the token may act on this number. */
export function mayUseNumber(wabas: Set<string>, number: NumberState): boolean {
  return wabas.has(number.cfg.wabaId);
}

/** True for a Graph version path segment such as `v23.0`. */
export function isGraphVersion(segment: string): boolean {
  return VERSION_RE.test(segment);
}

/** Checks the `{version}` path segment (any `v<major>.<minor>`, as Graph accepts several). */
export function checkVersion(version: string | undefined): void {
  if (!version || !VERSION_RE.test(version)) {
    throw metaError(2500, `Unknown path components: /${version ?? ''}. Graph API paths start with a version such as /v23.0.`);
  }
}

/** Answers a Graph error in Meta's shape, counting it by code. */
export function answerError(core: Core, ctx: Koa.Context, err: unknown): void {
  const graphError = err instanceof GraphError ? err : metaError(1);
  if (!(err instanceof GraphError)) {
    core.log?.error({ err }, 'sandbox request failed');
  }
  core.state.countViolation(graphError.code);
  ctx.status = graphError.httpStatus;
  if (graphError.code === 190) {
    ctx.set('WWW-Authenticate', 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token"');
  }
  ctx.body = graphErrorBody(graphError);
}

/** Wraps a Graph handler: version check, JSON answer, Meta-shaped errors. */
export function graphHandler(core: Core, handler: (ctx: RouterContext) => Promise<unknown>): RouterMiddleware {
  return async (ctx) => {
    try {
      checkVersion(ctx.params.version);
      if (ctx.method !== 'GET' && ctx.is(FORM)) {
        await loadForm(ctx);
      }
      const body = await handler(ctx);
      ctx.status = 200;
      ctx.body = body;
    } catch (err) {
      answerError(core, ctx, err);
    }
  };
}
