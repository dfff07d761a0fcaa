import type Koa from 'koa';
import type { AppAbility } from '../modules/authz/ability';
import type { RawRuleInput } from '../modules/authz/schema';

/** The signed-in principal of one request. */
export type AuthState = {
  user: {
    id: string;
    email: string;
    name: string;
    locale: 'en' | 'fr';
    mustChangePassword: boolean;
    roleIds: string[];
    teamIds: string[];
  };
  sessionId: string;
  csrfToken: string;
  rules: RawRuleInput[];
  /** The rules with placeholders filled, packed for the UI. */
  packedRules: unknown[];
  ability: AppAbility;
};

export type AppState = {
  requestId: string;
  auth?: AuthState;
  /** The matched route's path template, for metrics and logs. */
  routePath?: string;
};

export type AppContext = Koa.ParameterizedContext<AppState>;

/** Who did something, as the audit log records it. Commands take this, never a Koa context. */
export type Actor = {
  type: 'user' | 'system' | 'anonymous';
  id: string | null;
  ip: string | null;
  requestId: string | null;
};

export const systemActor: Actor = { type: 'system', id: null, ip: null, requestId: null };

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
