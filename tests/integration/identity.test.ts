import { expect } from 'chai';
import { ApiClient } from '../support/client';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';

describe('identity: sign-in, sessions, passwords', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '3', LOGIN_MAX_FAILURES_PER_IP: '1000' });
  });
  after(async () => app.stop());

  it('forces the bootstrap admin to change the password before anything else', async () => {
    const c = app.client();
    const login = await c.post('/api/v1/auth/login', { email: app.admin.email, password: app.admin.password });
    expect(login.status).to.equal(200);
    expect(login.body.user.mustChangePassword).to.equal(true);
    c.csrfToken = login.body.csrfToken;
    const blocked = await c.get('/api/v1/users');
    expect(blocked.status).to.equal(403);
    expect(blocked.body.error.id).to.equal('password_change_required');
    const weak = await c.post('/api/v1/auth/password', { currentPassword: app.admin.password, newPassword: 'password123' });
    expect(weak.status).to.equal(400);
    expect(weak.body.error.id).to.equal('weak_password');
    expect(weak.body.error.details.reasons).to.include.members(['too_short', 'common']);
    const ok = await c.post('/api/v1/auth/password', { currentPassword: app.admin.password, newPassword: TEST_PASSWORD });
    expect(ok.status).to.equal(204);
    expect((await c.get('/api/v1/users')).status).to.equal(200);
    // The old password no longer works.
    const old = await app.client().post('/api/v1/auth/login', { email: app.admin.email, password: app.admin.password });
    expect(old.status).to.equal(401);
  });

  it('sets an httpOnly, SameSite=Strict session cookie and never returns it in the body', async () => {
    const { email } = await app.userWithRoles(['agent']);
    const res = await fetch(`${app.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: TEST_PASSWORD }),
    });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sb_session='))!;
    expect(cookie).to.match(/httponly/i);
    expect(cookie).to.match(/samesite=strict/i);
    expect(cookie).not.to.match(/secure/i); // plain HTTP here; Secure is set behind TLS
    const body = await res.text();
    expect(body).not.to.contain(cookie.split(';')[0]!.split('=')[1]!);
  });

  it('rejects a cookie-authenticated write without the CSRF token', async () => {
    const admin = await app.adminClient();
    const noToken = await admin.request('POST', '/api/v1/teams', { name: 'CSRF team' }, { 'x-csrf-token': 'wrong' });
    expect(noToken.status).to.equal(403);
    expect(noToken.body.error.id).to.equal('csrf_failed');
    const withToken = await admin.post('/api/v1/teams', { name: 'CSRF team' });
    expect(withToken.status).to.equal(201);
  });

  it('locks an account after repeated failures, answers 423, and audits it', async () => {
    const { email } = await app.userWithRoles(['agent']);
    const c = app.client();
    for (let i = 0; i < 2; i++) {
      const r = await c.post('/api/v1/auth/login', { email, password: 'wrong-password-123' });
      expect(r.status).to.equal(401);
      expect(r.body.error.id).to.equal('invalid_credentials');
    }
    const third = await c.post('/api/v1/auth/login', { email, password: 'wrong-password-123' });
    expect(third.status).to.equal(423);
    expect(third.body.error.id).to.equal('account_locked');
    expect(third.headers.get('retry-after')).to.match(/^\d+$/);
    // Even the right password is refused while locked.
    const right = await c.post('/api/v1/auth/login', { email, password: TEST_PASSWORD });
    expect(right.status).to.equal(423);
    const admin = await app.adminClient();
    const events = await admin.get(`/api/v1/audit/events?action=auth.&limit=100`);
    const actions = events.body.items.filter((e: any) => e.details.email === email).map((e: any) => e.action);
    expect(actions).to.include('auth.account_locked');
    expect(actions.filter((a: string) => a === 'auth.login_failed').length).to.be.greaterThanOrEqual(3);
  });

  it('does not reveal whether an email exists', async () => {
    const r = await app.client().post('/api/v1/auth/login', { email: 'nobody@example.test', password: 'whatever-it-is-1' });
    expect(r.status).to.equal(401);
    expect(r.body.error.id).to.equal('invalid_credentials');
  });

  it('logs out: the session no longer works', async () => {
    const { client } = await app.userWithRoles(['agent']);
    expect((await client.get('/api/v1/me')).status).to.equal(200);
    expect((await client.post('/api/v1/auth/logout')).status).to.equal(204);
    expect((await client.get('/api/v1/me')).status).to.equal(401);
  });

  it('ends an idle session and one past its absolute lifetime', async () => {
    const idle = await app.userWithRoles(['agent']);
    const old = await app.userWithRoles(['agent']);
    const db = app.runtime.services.db;
    await db('sessions').where({ user_id: idle.id }).update({ last_seen_at: new Date(Date.now() - 31 * 60_000) });
    await db('sessions').where({ user_id: old.id }).update({ expires_at: new Date(Date.now() - 1000) });
    app.runtime.services.sessions.invalidate('*');
    expect((await idle.client.get('/api/v1/me')).status).to.equal(401);
    expect((await old.client.get('/api/v1/me')).status).to.equal(401);
    expect(await db('sessions').whereIn('user_id', [idle.id, old.id]).count('* as n').first()).to.deep.equal({ n: 0 });
  });

  it('disabling a user ends their sessions at once; re-enabling lets them sign in again', async () => {
    const agent = await app.userWithRoles(['agent']);
    const admin = await app.adminClient();
    const off = await admin.post(`/api/v1/users/${agent.id}/disable`);
    expect(off.status).to.equal(200);
    expect(off.body.user.status).to.equal('disabled');
    expect((await agent.client.get('/api/v1/me')).status).to.equal(401);
    const denied = await app.client().post('/api/v1/auth/login', { email: agent.email, password: TEST_PASSWORD });
    expect(denied.status).to.equal(401);
    expect((await admin.post(`/api/v1/users/${agent.id}/enable`)).status).to.equal(200);
    await new ApiClient(app.url).login(agent.email, TEST_PASSWORD);
  });

  it('admin creates a user with a temporary password that must be changed', async () => {
    const admin = await app.adminClient();
    const roles = await admin.get('/api/v1/roles');
    const agentRole = roles.body.items.find((r: any) => r.key === 'agent');
    const created = await admin.post('/api/v1/users', { email: 'New.Agent@Example.test', name: 'New Agent', roleIds: [agentRole.id] });
    expect(created.status).to.equal(201);
    expect(created.body.user.mustChangePassword).to.equal(true);
    expect(created.body.user).not.to.have.property('passwordHash');
    const dup = await admin.post('/api/v1/users', { email: 'new.agent@example.test', name: 'Again' });
    expect(dup.status).to.equal(409);
    expect(dup.body.error.id).to.equal('conflict');
    const c = app.client();
    const login = await c.post('/api/v1/auth/login', { email: 'new.agent@example.test', password: created.body.temporaryPassword });
    expect(login.status).to.equal(200);
    expect(login.body.user.mustChangePassword).to.equal(true);
  });
});

describe('identity: per-IP throttling', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ LOGIN_MAX_FAILURES_PER_IP: '3', LOGIN_MAX_FAILURES_PER_ACCOUNT: '100' });
  });
  after(async () => app.stop());

  it('answers 429 to an IP that keeps failing, whatever the account, and audits it', async () => {
    const c = app.client();
    for (let i = 0; i < 3; i++) {
      const r = await c.post('/api/v1/auth/login', { email: `probe${i}@example.test`, password: 'guess-guess-guess' });
      expect(r.status).to.equal(401);
    }
    const blocked = await c.post('/api/v1/auth/login', { email: app.admin.email, password: app.admin.password });
    expect(blocked.status).to.equal(429);
    expect(blocked.body.error.id).to.equal('rate_limited');
    expect(Number(blocked.headers.get('retry-after'))).to.be.greaterThan(0);
    await app.runtime.services.audit.flush();
    const rows = await app.runtime.services.db('audit_events').where({ action: 'auth.login_failed' }).whereRaw("details->>'reason' = 'ip_throttled'");
    expect(rows.length).to.equal(1);
  });
});
