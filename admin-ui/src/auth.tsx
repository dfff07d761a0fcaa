/** The session: who is signed in, their CSRF token, and their CASL ability. */
import { AbilityProvider } from '@casl/react';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { applyPackedRules, createAppAbility } from './ability';
import type { AppAbility } from './ability';
import { ApiError, onSessionProblem, reportSessionEnded, setCsrfRefresher, setCsrfToken } from './api';
import { authApi } from './endpoints';
import { clearIdleSignOut, navigate, navigateToLogin, noteIdleSignOut, useRoute } from './router';
import type { Me, SessionPayload } from './types';

export type SessionState =
  | { status: 'loading' }
  | { status: 'unavailable'; error: unknown }
  | { status: 'anonymous' }
  | { status: 'authenticated'; user: Me };

export interface Session {
  state: SessionState;
  ability: AppAbility;
  login: (email: string, password: string) => Promise<Me>;
  logout: () => Promise<void>;
  /** Re-reads the session (`/auth/session`) so role changes show without signing in again. */
  refresh: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** Loads the session (`/auth/session`, as `/me` but null when signed out) at start, refreshes it on every page change, and provides the ability. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const ability = useMemo(createAppAbility, []);
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  // Only the newest session answer may win when navigation fires several.
  const generation = useRef(0);

  const apply = useCallback(
    (payload: SessionPayload) => {
      setCsrfToken(payload.csrfToken);
      applyPackedRules(ability, payload.rules);
      setState({ status: 'authenticated', user: payload.user });
    },
    [ability],
  );

  const clear = useCallback(() => {
    generation.current += 1;
    setCsrfToken(null);
    ability.update([]);
    setState({ status: 'anonymous' });
  }, [ability]);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    try {
      const { session, idleMinutes } = await authApi.session();
      if (mine !== generation.current) {
        return;
      }
      if (session) {
        apply(session);
        return;
      }
      // Signed out: the same path as a 401 elsewhere (note an idle sign-out, show the sign-in page).
      reportSessionEnded(idleMinutes === null ? {} : { reason: 'idle_timeout', idleMinutes });
      clear();
    } catch (error) {
      if (mine !== generation.current) {
        return;
      }
      if (error instanceof ApiError && error.status === 401) {
        clear();
        return;
      }
      // Keep a live session on a transient failure; without one, say the server is away.
      setState((current) => (current.status === 'authenticated' ? current : { status: 'unavailable', error }));
    }
  }, [apply, clear]);

  useEffect(() => {
    onSessionProblem((problem, details) => {
      if (problem === 'password_change_required') {
        // The session now says mustChangePassword; the app then shows only the password page.
        void load();
        return;
      }
      if (problem === 'idle_timeout') {
        noteIdleSignOut(typeof details?.idleMinutes === 'number' ? details.idleMinutes : 0);
      }
      clear();
      navigateToLogin();
    });
    setCsrfRefresher(load);
    void load();
    return () => {
      onSessionProblem(null);
      setCsrfRefresher(null);
    };
  }, [clear, load]);

  // Re-read the session on navigation between pages: cheap, and buttons follow role changes.
  const route = useRoute();
  const firstRoute = useRef(true);
  useEffect(() => {
    if (firstRoute.current) {
      firstRoute.current = false;
      return;
    }
    if (route !== 'login') {
      void load();
    }
  }, [route, load]);

  const login = useCallback(
    async (email: string, password: string) => {
      generation.current += 1;
      const payload = await authApi.login(email, password);
      clearIdleSignOut();
      apply(payload);
      return payload.user;
    },
    [apply],
  );

  const logout = useCallback(async () => {
    try {
      await authApi.logout();
    } finally {
      clear();
      navigate('login');
    }
  }, [clear]);

  const value = useMemo<Session>(
    () => ({ state, ability, login, logout, refresh: load }),
    [state, ability, login, logout, load],
  );

  return (
    <SessionContext.Provider value={value}>
      <AbilityProvider value={ability}>{children}</AbilityProvider>
    </SessionContext.Provider>
  );
}

/** The session of the nearest provider. */
export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) {
    throw new Error('useSession outside SessionProvider');
  }
  return value;
}

/** The signed-in user; only for components rendered inside an authenticated shell. */
export function useCurrentUser(): Me {
  const { state } = useSession();
  if (state.status !== 'authenticated') {
    throw new Error('useCurrentUser without a session');
  }
  return state.user;
}
