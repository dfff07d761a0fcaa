import { expect } from 'chai';
import type { RouteDeclaration } from '../../server/http/route';
import type { ApiClient } from '../support/client';
import { startTestApp, type TestApp } from '../support/app';

// Path parameters are filled with an id that names no row: the gate answers before any row is read.
const ABSENT_ID = '01a21a40-c631-7413-b469-f782e4420143';

// What the authentication and permission gates answer; a handler's own refusals (a wrong
// current password, a row that is not there) say something else.
const GATE_REFUSALS = ['401 unauthenticated', '403 forbidden'];

/** The route's path with every `:param` filled. */
function concrete(path: string): string {
  return path.replace(/:([A-Za-z_]+)/g, ABSENT_ID);
}

/**
 * How a route answers: its status, and the error id of a refusal. The body of a success is
 * not read, as the live-events stream never ends.
 */
async function answerOf(baseUrl: string, route: RouteDeclaration, client: ApiClient | null): Promise<string> {
  const headers: Record<string, string> = {};
  const cookie = client?.cookieHeader();
  if (cookie) {
    headers.cookie = cookie;
  }
  if (client?.csrfToken && route.method !== 'GET') {
    headers['x-csrf-token'] = client.csrfToken;
  }
  const withBody = route.method === 'POST' || route.method === 'PATCH' || route.method === 'PUT';
  if (withBody) {
    headers['content-type'] = 'application/json';
  }
  const abort = new AbortController();
  const res = await fetch(baseUrl + concrete(route.path), {
    method: route.method,
    headers,
    body: withBody ? '{}' : undefined,
    redirect: 'manual',
    signal: abort.signal,
  });
  if (res.status < 400) {
    abort.abort();
    return String(res.status);
  }
  const body = (await res.json().catch(() => null)) as { error?: { id?: string } } | null;
  return `${res.status} ${body?.error?.id ?? 'no error id'}`;
}

describe('authorization matrix over the real route table', () => {
  let app: TestApp;
  let routes: RouteDeclaration[];
  before(async () => {
    app = await startTestApp();
    // Signing out ends the session the later requests use, so it goes last.
    const last = (r: RouteDeclaration) => (r.path.endsWith('/auth/logout') ? 1 : 0);
    routes = app.runtime.built!.routes.filter((r) => r.access.kind !== 'public').sort((a, b) => last(a) - last(b));
  });
  after(async () => app.stop());

  it('answers 401 to an anonymous caller on every route that is not public', async () => {
    expect(routes.length).to.be.greaterThan(20);
    for (const route of routes) {
      expect(await answerOf(app.url, route, null), `${route.method} ${route.path}`).to.equal('401 unauthenticated');
    }
  });

  it('answers 403 on every permission route to a signed-in user who holds no permission', async () => {
    const nobody = await app.userWithRoles([]);
    for (const route of routes) {
      const answer = await answerOf(app.url, route, nobody.client);
      if (route.access.kind === 'permission') {
        expect(answer, `${route.method} ${route.path}`).to.equal('403 forbidden');
      } else {
        expect(answer, `${route.method} ${route.path} (any signed-in user)`).to.not.be.oneOf(GATE_REFUSALS);
      }
    }
  });

  it('lets through a user whose only permission is the one each route requires', async function () {
    // One role and one signed-in user (an argon2 hash) per permission: it grows with the catalogue.
    this.timeout(180_000);
    const admin = await app.adminClient();
    const holders = new Map<string, ApiClient>();
    for (const route of routes) {
      if (route.access.kind !== 'permission') {
        continue;
      }
      const { action, subject } = route.access;
      const key = `${subject}:${action}`;
      let client = holders.get(key);
      if (!client) {
        const roleKey = `only-${subject}-${action}`.toLowerCase().replace(/[^a-z0-9-]/g, '-');
        const created = await admin.post('/api/v1/roles', { key: roleKey, name: `Only ${key}`, rules: [{ action, subject }] });
        expect(created.status, `role for ${key}: ${JSON.stringify(created.body)}`).to.equal(201);
        client = (await app.userWithRoles([roleKey])).client;
        holders.set(key, client);
      }
      const answer = await answerOf(app.url, route, client);
      expect(answer, `${route.method} ${route.path} with ${key}`).to.not.be.oneOf(GATE_REFUSALS);
    }
    expect(holders.size).to.be.greaterThan(10);
  });
});
