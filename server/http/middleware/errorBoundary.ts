import type Koa from 'koa';
import { isDatabaseUnavailable } from '../../db/knex';
import type { Logger } from '../../lib/logger';
import type { AppState } from '../context';
import { AppError, errors } from '../../lib/errors';

/** Known SQLSTATEs that are the client's doing, mapped to stable errors. */
function fromDatabase(err: { code?: string; constraint?: string }): AppError | null {
  switch (err.code) {
    case '23505':
      return errors.conflict('That already exists.', err.constraint ? { constraint: err.constraint } : {});
    case '23503':
      return errors.conflict('That refers to something that does not exist or is still in use.');
    case '22P02':
      return errors.validation('A value has the wrong format.');
    default:
      return null;
  }
}

/**
 * The one place errors become responses: `{ error: { id, message, details } }`.
 * 5xx messages never carry internals; the log gets them, with the request id.
 */
export function errorBoundary(log: Logger): Koa.Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      let err: AppError;
      if (caught instanceof AppError) {
        err = caught;
      } else if (isDatabaseUnavailable(caught)) {
        err = errors.unavailable();
        ctx.set('Retry-After', '5');
      } else {
        const mapped = fromDatabase(caught as { code?: string });
        const status = (caught as { status?: number; expose?: boolean }).status;
        if (mapped) {
          err = mapped;
        } else if (status && status >= 400 && status < 500 && (caught as { expose?: boolean }).expose) {
          err = errors.exposed(status, (caught as Error).message);
        } else {
          log.error({ err: caught, reqId: ctx.state.requestId, route: ctx.state.routePath }, 'unhandled error');
          err = errors.internal(ctx.state.requestId);
        }
      }
      if (err.status === 429 || err.status === 423) {
        const retry = err.details.retryAfterSeconds;
        if (typeof retry === 'number') {
          ctx.set('Retry-After', String(retry));
        }
      }
      ctx.status = err.status;
      ctx.body = { error: { id: err.id, message: err.message, details: err.details } };
    }
  };
}
