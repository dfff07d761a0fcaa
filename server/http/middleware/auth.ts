import type { AuditLog } from '../../modules/audit/auditLog';
import type { SessionStore } from '../../modules/identity/sessions';
import { actorOf, type AppContext } from '../context';
import { equalSecrets } from '../../lib/constantTime';
import { errors, RowDenied } from '../../lib/errors';
import type { AuthGate } from '../route';

export const SESSION_COOKIE = 'sb_session';
export const CSRF_HEADER = 'x-csrf-token';
/**
 * Set by the panel on requests it makes by itself (live updates, polling). Such a request does
 * not count as activity; a client can only make its own session end sooner with it.
 */
export const BACKGROUND_HEADER = 'x-switchboard-background';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sets the session cookie: httpOnly, SameSite=Strict, and Secure whenever the request came over
 * TLS, and always in production (where TLS may end at a proxy the app was not told about).
 */
export function setSessionCookie(ctx: AppContext, token: string | null, expires?: Date): void {
  const secure = ctx.secure || ctx.app.env === 'production';
  // The cookies library refuses a Secure cookie on a plain connection unless told the client sees TLS.
  ctx.cookies.secure = secure;
  ctx.cookies.set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure,
    path: '/',
    overwrite: true,
    ...(token && expires ? { expires } : { maxAge: 0 }),
  });
}

/** The authentication and authorization steps every non-public route starts with. */
export function createAuthGate(sessions: SessionStore, audit: AuditLog): AuthGate {
  return {
    authenticate: (allowDuringPasswordChange, activity = true) => async (ctx, next) => {
      const token = ctx.cookies.get(SESSION_COOKIE);
      const found = token ? await sessions.lookup(token, activity && ctx.get(BACKGROUND_HEADER) !== '1') : null;
      if (!found || !('auth' in found)) {
        if (token) {
          setSessionCookie(ctx, null);
        }
        throw found?.ended === 'idle' ? errors.signedOutIdle(sessions.idleMs) : errors.unauthenticated();
      }
      const auth = found.auth;
      ctx.state.auth = auth;
      // Cookie-authenticated writes must echo the session's CSRF token (a cross-site form cannot).
      if (!SAFE_METHODS.has(ctx.method) && !equalSecrets(ctx.get(CSRF_HEADER), auth.csrfToken)) {
        throw errors.csrf();
      }
      if (auth.user.mustChangePassword && !allowDuringPasswordChange) {
        throw errors.passwordChangeRequired();
      }
      try {
        await next();
      } catch (err) {
        // A row the user may not see answers 404 like a missing one; the audit still records the refusal.
        if (err instanceof RowDenied) {
          await audit.record(actorOf(ctx), {
            action: 'access.denied',
            subjectType: err.subjectType,
            subjectId: err.subjectId,
            details: { permission: `${err.subjectType}:${err.action}`, row: true, method: ctx.method, path: ctx.state.routePath ?? ctx.path },
          });
        }
        throw err;
      }
    },
    require: (action, subject) => async (ctx, next) => {
      const auth = ctx.state.auth;
      if (!auth || !auth.ability.can(action, subject)) {
        await audit.record(actorOf(ctx), {
          action: 'access.denied',
          subjectType: subject,
          details: { permission: `${subject}:${action}`, method: ctx.method, path: ctx.state.routePath ?? ctx.path },
        });
        throw errors.forbidden();
      }
      await next();
    },
  };
}
