// Sessions and sign-in under attack: the live-events stream does not keep a session alive, the
// lock-out cannot be used to keep the owner out, the current-password check is throttled too,
// the client address comes only from trusted proxies, and production cookies are Secure.
import http from 'node:http';
import { expect } from 'chai';
import { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';

/** Opens /events and collects everything until the server ends the stream. */
function openStream(baseUrl: string, cookie: string): Promise<{ text: () => string; ended: Promise<void>; close: () => void }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = http.get(`${baseUrl}/events`, { headers: { cookie, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`SSE answered ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      const ended = new Promise<void>((done) => res.on('end', () => done()));
      resolve({ text: () => text, ended, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

const loginFrom = (c: ApiClient, address: string, email: string, password: string) =>
  c.request('POST', '/api/v1/auth/login', { email, password }, { 'x-forwarded-for': `10.9.9.9, ${address}` });

describe('sign-in hardening: idle sessions and the live-events stream', () => {
  let app: TestApp;
  before(async () => {
    // A 3-second idle timeout: the stream's own checks run several times within it.
    app = await startTestApp({ SESSION_IDLE_MINUTES: '0.05' });
  });
  after(async () => app.stop());

  it('signs out an unattended inbox tab: the stream’s checks are no activity, and it says why', async () => {
    const agent = await app.userWithRoles(['agent']);
    const stream = await openStream(app.url, agent.client.cookieHeader()!);
    await stream.ended;
    expect(stream.text()).to.match(/event: session\.ended\ndata: \{"reason":"idle_timeout","idleMinutes":1\}/);
    expect(await app.runtime.services.db('sessions').where({ user_id: agent.id })).to.have.length(0);
    expect((await agent.client.get('/api/v1/me')).status).to.equal(401);
  });

  it('does not count requests the panel makes by itself (X-Switchboard-Background) as activity', async () => {
    const agent = await app.userWithRoles(['agent']);
    // Polled every 50 ms, far more often than the 3-second timeout: only the header lets it lapse.
    const res = await eventually('the polled session to end', async () => {
      const r = await agent.client.request('GET', '/api/v1/conversations', undefined, { 'x-switchboard-background': '1' });
      return r.status === 401 ? r : null;
    });
    expect(res.body.error.details.reason).to.equal('idle_timeout');
  });

  it('answers an idle session’s next request with the reason, for the sign-in page to show', async () => {
    const agent = await app.userWithRoles(['agent']);
    await app.runtime.services.db('sessions').where({ user_id: agent.id }).update({ last_seen_at: new Date(Date.now() - 60_000) });
    app.runtime.services.sessions.invalidate('*');
    const res = await agent.client.get('/api/v1/me');
    expect(res.status).to.equal(401);
    expect(res.body.error.id).to.equal('unauthenticated');
    expect(res.body.error.details).to.deep.equal({ reason: 'idle_timeout', idleMinutes: 1 });
  });
});

describe('sign-in hardening: lock-out, throttling and client addresses behind one proxy', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ TRUST_PROXY: '1', LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '6' });
  });
  after(async () => app.stop());

  it('locks the account only for the guessing address: its owner still signs in from another', async () => {
    const victim = await app.userWithRoles(['agent']);
    const attacker = app.client();
    for (let i = 0; i < 2; i++) {
      expect((await loginFrom(attacker, '198.51.100.66', victim.email, 'wrong-password-123')).status).to.equal(401);
    }
    const locked = await loginFrom(attacker, '198.51.100.66', victim.email, 'wrong-password-123');
    expect(locked.status).to.equal(423);
    expect(locked.body.error.id).to.equal('account_locked');
    expect((await loginFrom(attacker, '198.51.100.66', victim.email, TEST_PASSWORD)).status).to.equal(423);
    const owner = await loginFrom(app.client(), '203.0.113.10', victim.email, TEST_PASSWORD);
    expect(owner.status).to.equal(200);
  });

  it('still limits one address spraying many accounts (429), without touching other addresses', async () => {
    const sprayer = app.client();
    for (let i = 0; i < 6; i++) {
      expect((await loginFrom(sprayer, '198.51.100.77', `spray${i}@example.test`, 'guess-guess-guess')).status).to.equal(401);
    }
    const blocked = await loginFrom(sprayer, '198.51.100.77', 'spray9@example.test', 'guess-guess-guess');
    expect(blocked.status).to.equal(429);
    expect(blocked.body.error.id).to.equal('rate_limited');
    const user = await app.userWithRoles(['agent']);
    expect((await loginFrom(app.client(), '203.0.113.11', user.email, TEST_PASSWORD)).status).to.equal(200);
  });

  it('throttles the current-password check of a password change with the same counters', async () => {
    const user = await app.userWithRoles(['agent']);
    const c = app.client();
    expect((await loginFrom(c, '198.51.100.88', user.email, TEST_PASSWORD)).status).to.equal(200);
    c.csrfToken = (await c.get('/api/v1/me')).body.csrfToken;
    const change = (current: string) =>
      c.request('POST', '/api/v1/auth/password', { currentPassword: current, newPassword: 'another-Horse-battery-7' }, { 'x-forwarded-for': '198.51.100.88' });
    expect((await change('wrong-password-1')).status).to.equal(401);
    expect((await change('wrong-password-2')).status).to.equal(401);
    const locked = await change('wrong-password-3');
    expect(locked.status).to.equal(423);
    expect(locked.body.error.id).to.equal('account_locked');
    // Even the right current password is refused from there while locked.
    expect((await change(TEST_PASSWORD)).status).to.equal(423);
    await app.runtime.services.audit.flush();
    const failures = await app.runtime.services.db('audit_events').where({ action: 'auth.password_change_failed', actor_id: user.id });
    expect(failures.map((f: { details: { reason: string } }) => f.details.reason)).to.include.members(['bad_password', 'account_locked']);
    // The password did not change: it still signs in from elsewhere.
    expect((await loginFrom(app.client(), '203.0.113.12', user.email, TEST_PASSWORD)).status).to.equal(200);
  });

  it('records the address the trusted proxy saw, not one the client forged in X-Forwarded-For', async () => {
    await app.client().request('POST', '/api/v1/auth/login', { email: 'forged@example.test', password: 'whatever-it-is-1' }, {
      'x-forwarded-for': '6.6.6.6, 203.0.113.7',
    });
    await app.runtime.services.audit.flush();
    const row = await app.runtime.services.db('audit_events').where({ action: 'auth.login_failed' }).whereRaw("details->>'email' = 'forged@example.test'").first();
    expect(row.ip).to.equal('203.0.113.7');
  });
});

describe('sign-in hardening: no proxy trusted, production cookies', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ TRUST_PROXY: '0', NODE_ENV: 'production' });
  });
  after(async () => app.stop());

  it('ignores X-Forwarded-For entirely with a hop count of 0', async () => {
    await app.client().request('POST', '/api/v1/auth/login', { email: 'direct@example.test', password: 'whatever-it-is-1' }, {
      'x-forwarded-for': '203.0.113.7',
    });
    await app.runtime.services.audit.flush();
    const row = await app.runtime.services.db('audit_events').where({ action: 'auth.login_failed' }).whereRaw("details->>'email' = 'direct@example.test'").first();
    expect(row.ip).to.match(/127\.0\.0\.1$/);
  });

  it('marks the session cookie Secure in production, even over plain HTTP to the pod', async () => {
    const { email } = await app.userWithRoles(['agent']);
    const res = await fetch(`${app.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: TEST_PASSWORD }),
    });
    expect(res.status).to.equal(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sb_session='))!;
    expect(cookie).to.match(/;\s*secure/i);
    expect(cookie).to.match(/httponly/i);
  });
});
