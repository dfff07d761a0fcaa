/** A tiny hash router: `#/users` -> 'users'. Hash routes need no server-side fallback. */
import { useSyncExternalStore } from 'react';

export const ROUTES = ['login', 'password', 'inbox', 'channels', 'templates', 'users', 'teams', 'roles', 'audit', 'lexicon', 'retention', 'legal-holds', 'review', 'discovery', 'gdpr', 'contacts', 'contact-fields', 'segments', 'contact-imports', 'integrations', 'canned', 'macros', 'costs', 'auto-replies', 'business-hours', 'availability', 'routing', 'broadcasts', 'home'] as const;
export type RouteName = (typeof ROUTES)[number];

function isRoute(value: string): value is RouteName {
  return (ROUTES as readonly string[]).includes(value);
}

/** Parses a location hash; anything unknown is the home route. */
export function parseHash(hash: string): RouteName {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return isRoute(name) && name !== 'home' ? name : 'home';
}

/** The segment after the route name: `#/inbox/<id>` -> '<id>', or null. */
export function parseHashArg(hash: string): string | null {
  const arg = hash.replace(/^#\/?/, '').split('?')[0]?.split('/')[1] ?? '';
  if (!arg) {
    return null;
  }
  try {
    return decodeURIComponent(arg);
  } catch {
    return null;
  }
}

/** The href of a route, for links. */
export function hrefFor(route: RouteName): string {
  return route === 'home' ? '#/' : `#/${route}`;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/** The current route, re-rendering on every hash change. */
export function useRoute(): RouteName {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}

/** The argument of the current route (e.g. the open conversation), re-rendering on change. */
export function useRouteArg(): string | null {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHashArg(hash);
}

/** The href of a route with an argument: `#/inbox/<id>`. */
export function hrefWithArg(route: RouteName, arg: string | null): string {
  return arg ? `${hrefFor(route)}/${encodeURIComponent(arg)}` : hrefFor(route);
}

/** Goes to a route. `replace` keeps redirects out of the back-button history. */
export function navigate(route: RouteName, options: { replace?: boolean; arg?: string | null } = {}): void {
  const target = hrefWithArg(route, options.arg ?? null);
  if (window.location.hash === target) {
    return;
  }
  if (options.replace) {
    window.history.replaceState(null, '', target);
    // replaceState fires no hashchange; tell subscribers ourselves.
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    return;
  }
  window.location.hash = target;
}

let returnTo: RouteName | null = null;
let idleSignOut: { idleMinutes: number } | null = null;

/** Remembers that the session ended for inactivity, for the sign-in page to say so. */
export function noteIdleSignOut(idleMinutes: number): void {
  idleSignOut = { idleMinutes };
}

/** Why the user was last signed out for inactivity, until they sign in again. */
export function idleSignOutNotice(): { idleMinutes: number } | null {
  return idleSignOut;
}

/** Forgets the notice (after a successful sign-in). */
export function clearIdleSignOut(): void {
  idleSignOut = null;
}

/** Sends the user to the login page, remembering where they were going. */
export function navigateToLogin(): void {
  const current = parseHash(window.location.hash);
  if (current !== 'login' && current !== 'password' && current !== 'home') {
    returnTo = current;
  }
  navigate('login', { replace: true });
}

/** The page to open after signing in (once), or null for the default page. */
export function takeReturnTo(): RouteName | null {
  const route = returnTo;
  returnTo = null;
  return route;
}
