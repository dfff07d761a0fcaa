import type Koa from 'koa';
import type { Actor } from '../lib/actor';
import type { AuthState } from '../modules/identity/principal';

export type AppState = {
  requestId: string;
  auth?: AuthState;
  /** The matched route's path template, for metrics and logs. */
  routePath?: string;
};

export type AppContext = Koa.ParameterizedContext<AppState>;

/** The actor behind a request: the signed-in user, or anonymous. */
export function actorOf(ctx: AppContext): Actor {
  return {
    type: ctx.state.auth ? 'user' : 'anonymous',
    id: ctx.state.auth?.user.id ?? null,
    ip: ctx.ip || null,
    requestId: ctx.state.requestId,
  };
}

/** The principal of an authenticated route; the pipeline guarantees it is there. */
export function authOf(ctx: AppContext): AuthState {
  const auth = ctx.state.auth;
  if (!auth) {
    throw new Error('route declared authenticated but no principal is set');
  }
  return auth;
}
