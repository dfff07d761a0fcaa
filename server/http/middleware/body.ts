import getRawBody from 'raw-body';
import { errors } from '../../lib/errors';
import type { AppContext } from '../context';

/** Reads the raw request bytes, refusing bodies over `limit` with a 413. */
export async function readRawBody(ctx: AppContext, limit: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || 0);
  if (declared > limit) {
    throw errors.payloadTooLarge(limit);
  }
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.get('content-length') || undefined });
  } catch (err) {
    const type = (err as { type?: string }).type;
    if (type === 'entity.too.large') {
      throw errors.payloadTooLarge(limit);
    }
    if (type === 'request.aborted' || type === 'request.size.invalid') {
      throw errors.badRequest('The request body was incomplete.');
    }
    throw err;
  }
}

/** Parses a JSON body; an empty body is `{}`. Malformed JSON is a 400 naming the position. */
export async function readJsonBody(ctx: AppContext, limit: number): Promise<unknown> {
  const raw = await readRawBody(ctx, limit);
  if (raw.length === 0) {
    return {};
  }
  if (!ctx.is('application/json')) {
    throw errors.unsupportedMediaType();
  }
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch (err) {
    throw errors.validation('The request body is not valid JSON.', {
      fields: [{ path: 'body', message: (err as Error).message }],
    });
  }
}
