import { actorOf, authOf } from '../../http/context';
import { BACKGROUND_HEADER, SESSION_COOKIE, setSessionCookie } from '../../http/middleware/auth';
import { access, type RouteTable } from '../../http/route';
import type { Services } from '../../services';
import { whereAccessible } from '../authz/sql';
import { assertCanRow } from '../authz/guard';
import { grantorOf } from '../authz/grants';
import { login, logout } from './login';
import { offlineIfSignedOut } from '../routing';
import { changePreferences, readPreferences } from './preferences';
import { presentMe, presentUser } from './present';
import {
  createdUserResponse, createUserBody, idParams, listUsersQuery, loginBody, meSchema, passwordBody, preferencesBody, preferencesResponse, resetPasswordResponse, sessionResponse, updateUserBody, userResponse, usersResponse,
} from './schema';
import { changeOwnPassword, createUser, editUser, resetPassword, setUserStatus } from './userCommands';
import { findUser, listUsers, USER_FIELDS } from './userRepo';

/** Sign-in, sign-out, password change and the current user. */
export function registerAuthRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'post', path: '/auth/login', tag: 'auth', summary: 'Sign in with email and password',
    access: access.public(), body: loginBody, responses: { 200: { description: 'Signed in', schema: meSchema } },
    handler: async (ctx, { body }) => {
      const result = await login(s, actorOf(ctx), { ...body, userAgent: ctx.get('user-agent') || null });
      setSessionCookie(ctx, result.token, result.expiresAt);
      const auth = await s.sessions.resolve(result.token);
      ctx.body = presentMe(auth!);
    },
  });
  t.add({
    method: 'post', path: '/auth/logout', tag: 'auth', summary: 'Sign out (ends this session)',
    access: access.authenticated(true), responses: { 204: { description: 'Signed out' } },
    handler: async (ctx) => {
      const auth = authOf(ctx);
      await logout(s, actorOf(ctx), { sessionId: auth.sessionId, userId: auth.user.id });
      // Their last session closed: an agent goes offline now (the sweeper would, within seconds).
      await offlineIfSignedOut(s, auth.user.id);
      setSessionCookie(ctx, null);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'post', path: '/auth/password', tag: 'auth', summary: 'Change your own password',
    access: access.authenticated(true), body: passwordBody, responses: { 204: { description: 'Changed' } },
    handler: async (ctx, { body }) => {
      const auth = authOf(ctx);
      await changeOwnPassword(s, { ...actorOf(ctx), id: auth.user.id }, { sessionId: auth.sessionId, email: auth.user.email }, body);
      ctx.status = 204;
    },
  });
  t.add({
    method: 'get', path: '/me', tag: 'auth', summary: 'The signed-in user, CSRF token and packed CASL rules',
    access: access.authenticated(true), responses: { 200: { description: 'Current user', schema: meSchema } },
    handler: async (ctx) => {
      ctx.body = presentMe(authOf(ctx));
    },
  });
  t.add({
    method: 'get', path: '/me/preferences', tag: 'auth', summary: 'Your own preferences (alerts of new customers, sound)',
    access: access.authenticated(), responses: { 200: { description: 'Preferences, with defaults for those never set', schema: preferencesResponse } },
    handler: async (ctx) => {
      ctx.body = { preferences: await readPreferences(s, authOf(ctx).user.id) };
    },
  });
  t.add({
    method: 'patch', path: '/me/preferences', tag: 'auth', summary: 'Change some of your own preferences; they follow you to every browser',
    access: access.authenticated(), body: preferencesBody,
    responses: { 200: { description: 'All your preferences, after the change', schema: preferencesResponse } },
    handler: async (ctx, { body }) => {
      ctx.body = { preferences: await changePreferences(s, { ...actorOf(ctx), id: authOf(ctx).user.id }, body) };
    },
  });
  // The panel asks this at every page load. Signed out is an answer here, not a 401: a browser
  // logs every 4xx as a console error, so the sign-in page would always open with one.
  t.add({
    method: 'get', path: '/auth/session', tag: 'auth', summary: 'The session of this browser: as /me when signed in, null when not',
    access: access.public(), responses: { 200: { description: 'The session, or null', schema: sessionResponse } },
    handler: async (ctx) => {
      const token = ctx.cookies.get(SESSION_COOKIE);
      const found = token ? await s.sessions.lookup(token, ctx.get(BACKGROUND_HEADER) !== '1') : null;
      if (found && 'auth' in found) {
        ctx.body = { session: presentMe(found.auth), idleMinutes: null };
        return;
      }
      if (token) {
        setSessionCookie(ctx, null);
      }
      ctx.body = { session: null, idleMinutes: found?.ended === 'idle' ? s.sessions.idleMinutes : null };
    },
  });
}


/** User administration. */
export function registerUserRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'get', path: '/users', tag: 'users', summary: 'List users', access: access.can('read', 'User'),
    query: listUsersQuery,
    responses: { 200: { description: 'Users', schema: usersResponse } },
    handler: async (ctx, { query }) => {
      const { ability } = authOf(ctx);
      const users = await listUsers(s.db, query, (q) => whereAccessible(q, ability, 'read', 'User', USER_FIELDS));
      ctx.body = {
        items: users.map((u) => presentUser(u, ability)),
        nextCursor: users.length === query.limit ? users[users.length - 1]!.email : null,
      };
    },
  });
  t.add({
    method: 'get', path: '/users/:id', tag: 'users', summary: 'Get a user', access: access.can('read', 'User'),
    params: idParams, responses: { 200: { description: 'User', schema: userResponse } },
    handler: async (ctx, { params }) => {
      const { ability } = authOf(ctx);
      const user = assertCanRow(ability, 'read', 'User', await findUser(s.db, params.id));
      ctx.body = { user: presentUser(user, ability) };
    },
  });
  t.add({
    method: 'post', path: '/users', tag: 'users', summary: 'Create a user with a temporary password',
    access: access.can('create', 'User'), body: createUserBody,
    responses: { 201: { description: 'Created', schema: createdUserResponse } },
    handler: async (ctx, { body }) => {
      const { user, temporaryPassword } = await createUser(s, grantorOf(actorOf(ctx), authOf(ctx)), body);
      ctx.status = 201;
      ctx.body = { user: presentUser(user, authOf(ctx).ability), temporaryPassword };
    },
  });
  t.add({
    method: 'patch', path: '/users/:id', tag: 'users', summary: "Change a user's name, locale, roles or teams",
    access: access.can('update', 'User'), params: idParams, body: updateUserBody,
    responses: { 200: { description: 'Updated', schema: userResponse } },
    handler: async (ctx, { params, body }) => {
      const { ability } = authOf(ctx);
      assertCanRow(ability, 'update', 'User', await findUser(s.db, params.id));
      ctx.body = { user: presentUser(await editUser(s, grantorOf(actorOf(ctx), authOf(ctx)), params.id, body), ability) };
    },
  });
  for (const [verb, status] of [['disable', 'disabled'], ['enable', 'active']] as const) {
    t.add({
      method: 'post', path: `/users/:id/${verb}`, tag: 'users', summary: `${verb === 'disable' ? 'Disable' : 'Re-enable'} a user`,
      access: access.can(verb, 'User'), params: idParams, responses: { 200: { description: 'Done', schema: userResponse } },
      handler: async (ctx, { params }) => {
        const { ability } = authOf(ctx);
        assertCanRow(ability, verb, 'User', await findUser(s.db, params.id));
        ctx.body = { user: presentUser(await setUserStatus(s, grantorOf(actorOf(ctx), authOf(ctx)), params.id, status), ability) };
      },
    });
  }
  t.add({
    method: 'post', path: '/users/:id/reset-password', tag: 'users', summary: 'Issue a new temporary password',
    access: access.can('resetPassword', 'User'), params: idParams,
    responses: { 200: { description: 'Reset', schema: resetPasswordResponse } },
    handler: async (ctx, { params }) => {
      assertCanRow(authOf(ctx).ability, 'resetPassword', 'User', await findUser(s.db, params.id));
      ctx.body = { temporaryPassword: await resetPassword(s, grantorOf(actorOf(ctx), authOf(ctx)), params.id) };
    },
  });
}
