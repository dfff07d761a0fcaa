import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';

describe('authorization: CASL per request, conditions in SQL, buttons', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  const adminOnly: Array<[string, string, unknown?]> = [
    ['POST', '/api/v1/users', { email: 'x@example.test', name: 'X' }],
    ['POST', '/api/v1/teams', { name: 'Team X' }],
    ['POST', '/api/v1/roles', { key: 'x-role', name: 'X', rules: [] }],
    ['GET', '/api/v1/roles'],
    ['GET', '/api/v1/audit/events'],
    ['GET', '/api/v1/audit/verify'],
    ['PATCH', '/api/v1/settings', { organisationName: 'Evil' }],
  ];

  it('answers 401 to anonymous callers on every protected route', async () => {
    for (const [method, path, body] of adminOnly) {
      const res = await app.client().request(method, path, body);
      expect(res.status, `${method} ${path}`).to.equal(401);
      expect(res.body.error.id).to.equal('unauthenticated');
    }
  });

  it('answers 403 to an agent on admin routes, and audits the denial', async () => {
    const agent = await app.userWithRoles(['agent']);
    for (const [method, path, body] of adminOnly) {
      const res = await agent.client.request(method, path, body);
      expect(res.status, `${method} ${path}`).to.equal(403);
      expect(res.body.error.id).to.equal('forbidden');
    }
    await app.runtime.services.audit.flush();
    const denied = await app.runtime.services.db('audit_events').where({ action: 'access.denied', actor_id: agent.id });
    expect(denied.length).to.equal(adminOnly.length);
  });

  it('filters lists in SQL by rule conditions: an agent sees only their own user and teams', async () => {
    const admin = await app.adminClient();
    const t1 = (await admin.post('/api/v1/teams', { name: 'Blue' })).body.team;
    await admin.post('/api/v1/teams', { name: 'Red' });
    const agent = await app.userWithRoles(['agent'], { teamIds: [t1.id] });
    await app.userWithRoles(['agent']);
    const users = await agent.client.get('/api/v1/users');
    expect(users.status).to.equal(200);
    expect(users.body.items.map((u: any) => u.id)).to.deep.equal([agent.id]);
    const teams = await agent.client.get('/api/v1/teams');
    expect(teams.body.items.map((t: any) => t.name)).to.deep.equal(['Blue']);
    const everyone = await admin.get('/api/v1/users?limit=200');
    expect(everyone.body.items.length).to.be.greaterThan(2);
  });

  it('answers 404, not 403, for a row the user may not see', async () => {
    const agent = await app.userWithRoles(['agent']);
    const other = await app.userWithRoles(['agent']);
    const res = await agent.client.get(`/api/v1/users/${other.id}`);
    expect(res.status).to.equal(404);
    const missing = await agent.client.get('/api/v1/users/01a21a40-c631-7413-b469-f782e4420143');
    expect(missing.status).to.equal(404);
    expect(res.body).to.deep.equal(missing.body);
  });

  it('applies field restrictions from custom roles', async () => {
    const admin = await app.adminClient();
    const created = await admin.post('/api/v1/roles', {
      key: 'directory-reader',
      name: 'Directory reader',
      rules: [{ action: 'read', subject: 'User', fields: ['id', 'name'] }],
    });
    expect(created.status).to.equal(201);
    const reader = await app.userWithRoles(['directory-reader']);
    const list = await reader.client.get('/api/v1/users');
    expect(list.status).to.equal(200);
    for (const u of list.body.items) {
      expect(Object.keys(u).sort()).to.deep.equal(['id', 'name']);
    }
  });

  it('applies a role change to its users on their next request, without re-login', async () => {
    const admin = await app.adminClient();
    const role = (await admin.post('/api/v1/roles', { key: 'team-viewer', name: 'Team viewer', rules: [] })).body.role;
    const user = await app.userWithRoles(['team-viewer']);
    expect((await user.client.get('/api/v1/teams')).status).to.equal(403);
    const edited = await admin.patch(`/api/v1/roles/${role.id}`, { rules: [{ action: 'read', subject: 'Team' }] });
    expect(edited.status).to.equal(200);
    expect((await user.client.get('/api/v1/teams')).status).to.equal(200);
    const me = await user.client.get('/api/v1/me');
    expect(me.body.rules).to.deep.equal([['read', 'Team']]);
    // And a user's roles changed by an admin apply the same way.
    const agentRole = (await admin.get('/api/v1/roles')).body.items.find((r: any) => r.key === 'auditor');
    await admin.patch(`/api/v1/users/${user.id}`, { roleIds: [agentRole.id] });
    expect((await user.client.get('/api/v1/audit/verify')).status).to.equal(200);
  });

  it('refuses rules outside the catalogue and edits of built-in roles', async () => {
    const admin = await app.adminClient();
    const bad = await admin.post('/api/v1/roles', { key: 'bad-role', name: 'Bad', rules: [{ action: 'launch', subject: 'Rocket' }] });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.id).to.equal('validation_failed');
    expect(bad.body.error.message).to.contain('Rocket');
    const badOp = await admin.post('/api/v1/roles', { key: 'bad-op', name: 'Bad op', rules: [{ action: 'read', subject: 'User', conditions: { id: { $where: 'x' } } }] });
    expect(badOp.status).to.equal(400);
    const builtin = (await admin.get('/api/v1/roles')).body.items.find((r: any) => r.key === 'admin');
    const edit = await admin.patch(`/api/v1/roles/${builtin.id}`, { name: 'Root' });
    expect(edit.status).to.equal(409);
    expect(edit.body.error.id).to.equal('builtin_role_readonly');
  });

  it('refuses to delete a role still held, and deletes it once free', async () => {
    const admin = await app.adminClient();
    const role = (await admin.post('/api/v1/roles', { key: 'temp-role', name: 'Temp', rules: [] })).body.role;
    const holder = await app.userWithRoles(['temp-role']);
    const inUse = await admin.delete(`/api/v1/roles/${role.id}`);
    expect(inUse.status).to.equal(409);
    expect(inUse.body.error.id).to.equal('role_in_use');
    await admin.patch(`/api/v1/users/${holder.id}`, { roleIds: [] });
    expect((await admin.delete(`/api/v1/roles/${role.id}`)).status).to.equal(204);
  });

  it('lets a supervisor read users but not change them', async () => {
    const sup = await app.userWithRoles(['supervisor']);
    expect((await sup.client.get('/api/v1/users')).status).to.equal(200);
    const target = await app.userWithRoles(['agent']);
    expect((await sup.client.post(`/api/v1/users/${target.id}/disable`)).status).to.equal(403);
  });

  it('audits configuration changes with before and after values', async () => {
    const admin = await app.adminClient();
    const res = await admin.patch('/api/v1/settings', { organisationName: 'Acme Bank' });
    expect(res.status).to.equal(200);
    expect(res.body.organisationName).to.equal('Acme Bank');
    const ev = await admin.get('/api/v1/audit/events?action=settings.updated');
    expect(ev.body.items[0].details.changes.organisationName).to.deep.equal({ from: 'Switchboard', to: 'Acme Bank' });
  });
});
