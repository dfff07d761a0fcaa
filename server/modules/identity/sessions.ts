import { createHash, randomBytes } from 'node:crypto';
import type { Db, Trx } from '../../db/knex';
import { notify } from '../../db/locks';
import type { AuthState } from './principal';
import { buildAbility, packForClient } from '../authz/ability';
import { deleteSession, insertSession, loadPrincipal, touchSession, type PrincipalRow } from './sessionRepo';

/** NOTIFY channel telling every process which cached principals are stale. */
export const AUTH_CHANNEL = 'sb_auth';

// A cached principal is trusted this long even without a NOTIFY (a safety net, not the mechanism).
const CACHE_TTL_MS = 30_000;
// last_seen_at is written at most this often per session (idle timeouts are minutes long), and
// at least four times per idle timeout so other processes do not see an active session as idle.
const TOUCH_EVERY_MS = 60_000;
const MAX_CACHED = 50_000;

type Cached = { sessionId: string; row: PrincipalRow; auth: AuthState; loadedAt: number; lastSeen: number; persistedLastSeen: number };

export type SessionTimeouts = { idleMs: number; absoluteMs: number };

/** Why a session can no longer be used. */
export type SessionEnd = 'missing' | 'disabled' | 'expired' | 'idle';

/** Hash of the cookie token: the id under which the session is stored. */
export function sessionIdOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Server-side sessions. Principals are cached per process and dropped on NOTIFY, so an
 * authenticated request normally costs no query, yet a role, team or status change applies
 * to the very next request (synchronously here, within milliseconds in other processes).
 */
export class SessionStore {
  private cache = new Map<string, Cached>();
  private readonly touchEveryMs: number;

  constructor(
    private readonly db: Db,
    private readonly timeouts: SessionTimeouts,
  ) {
    this.touchEveryMs = Math.min(TOUCH_EVERY_MS, timeouts.idleMs / 4);
  }

  /** Creates a session for a user; returns the cookie token (never stored) and the CSRF token. */
  async create(
    trx: Trx,
    userId: string,
    meta: { ip: string | null; userAgent: string | null },
  ): Promise<{ token: string; sessionId: string; csrfToken: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const sessionId = sessionIdOf(token);
    const csrfToken = randomBytes(24).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.timeouts.absoluteMs);
    await insertSession(trx, { id: sessionId, userId, csrfToken, ...meta, now, expiresAt });
    return { token, sessionId, csrfToken, expiresAt };
  }

  /**
   * The principal behind a cookie token, or null when missing, expired or disabled. With
   * `activity: false` (background checks such as the live-events stream), the call does not
   * count as the user's activity, so it never keeps an unattended session alive.
   */
  async resolve(token: string, opts: { activity?: boolean } = {}): Promise<AuthState | null> {
    const found = await this.lookup(token, opts.activity ?? true);
    return 'auth' in found ? found.auth : null;
  }

  /** Like `resolve`, but says why a session is no longer usable (idle: signed out for inactivity). */
  async lookup(token: string, activity: boolean): Promise<{ auth: AuthState } | { ended: SessionEnd }> {
    const now = Date.now();
    // Keyed by the token itself (held in memory only), so a cache hit costs no hashing.
    let entry = this.cache.get(token);
    if (!entry || now - entry.loadedAt > CACHE_TTL_MS || this.idle(entry, now)) {
      // Reload before declaring a session idle: another process may have seen it since.
      entry = await this.load(token, now);
      if (!entry) {
        return { ended: 'missing' };
      }
    }
    const sessionId = entry.sessionId;
    const row = entry.row;
    const ended: SessionEnd | null =
      row.status !== 'active' ? 'disabled' : row.expires_at.getTime() <= now ? 'expired' : this.idle(entry, now) ? 'idle' : null;
    if (ended) {
      await this.end(sessionId);
      return { ended };
    }
    if (activity) {
      entry.lastSeen = now;
      if (now - entry.persistedLastSeen > this.touchEveryMs) {
        entry.persistedLastSeen = now;
        touchSession(this.db, sessionId, new Date(now)).catch(() => undefined);
      }
    }
    return { auth: entry.auth };
  }

  /** The idle timeout, for messages that explain a sign-out. */
  get idleMs(): number {
    return this.timeouts.idleMs;
  }

  /** The idle timeout as the panel tells it to a user signed out for inactivity (at least 1 minute). */
  get idleMinutes(): number {
    return Math.max(1, Math.round(this.idleMs / 60_000));
  }

  private idle(entry: Cached, now: number): boolean {
    return now - entry.lastSeen > this.timeouts.idleMs;
  }

  private async load(token: string, now: number): Promise<Cached | undefined> {
    const sessionId = sessionIdOf(token);
    const row = await loadPrincipal(this.db, sessionId);
    if (!row) {
      this.cache.delete(token);
      return undefined;
    }
    if (this.cache.size >= MAX_CACHED) {
      this.cache.clear();
    }
    const lastSeen = row.last_seen_at.getTime();
    const entry = { sessionId, row, auth: toAuthState(row), loadedAt: now, lastSeen, persistedLastSeen: lastSeen };
    this.cache.set(token, entry);
    return entry;
  }

  /** Deletes a session (logout, expiry). */
  async end(sessionId: string, trx: Db | Trx = this.db): Promise<void> {
    this.invalidate(`session:${sessionId}`);
    await deleteSession(trx, sessionId);
    // Inside a transaction the notice goes out on commit, with the deletion.
    await notify(trx, AUTH_CHANNEL, `session:${sessionId}`);
  }

  /** Applies an invalidation message: `user:<id>`, `role:<id>`, `session:<id>` or `*`. */
  invalidate(message: string): void {
    const [kind, id] = message.split(':', 2);
    if (kind === '*' || !id) {
      this.cache.clear();
      return;
    }
    for (const [key, entry] of this.cache) {
      const hit =
        (kind === 'user' && entry.row.user_id === id) ||
        (kind === 'session' && entry.sessionId === id) ||
        (kind === 'role' && entry.row.roles.some((r) => r.id === id));
      if (hit) {
        this.cache.delete(key);
      }
    }
  }

  /** Invalidates here at once and, when the transaction commits, in every other process. */
  async invalidateEverywhere(trx: Trx, message: string): Promise<void> {
    this.invalidate(message);
    await notify(trx, AUTH_CHANNEL, message);
    // A request racing this transaction may have re-cached the old state: drop it again on commit.
    trx.executionPromise.then(() => this.invalidate(message)).catch(() => undefined);
  }
}

function toAuthState(row: PrincipalRow): AuthState {
  const user = {
    id: row.user_id,
    email: row.email,
    name: row.name,
    locale: row.locale,
    mustChangePassword: row.must_change_password,
    roleIds: row.roles.map((r) => r.id),
    teamIds: row.team_ids,
  };
  const rules = row.roles.flatMap((r) => r.rules);
  const ruleContext = { user: { id: user.id, teamIds: user.teamIds, email: user.email } };
  return {
    user,
    sessionId: row.session_id,
    csrfToken: row.csrf_token,
    rules,
    packedRules: packForClient(rules, ruleContext),
    ability: buildAbility(rules, ruleContext),
  };
}
