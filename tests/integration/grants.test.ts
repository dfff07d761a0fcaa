// "Grant only what you hold": every escalation path tried by a user holding just that permission,
// refused with 403 and a stable id, and audited as denied; temporary passwords expire.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { projectRoot } from '../../server/lib/paths';
import { ApiClient } from '../support/client';
import { startTestApp, TEST_PASSWORD, type TestApp } from '../support/app';

describe('grants: nobody gives more than they hold', () => {
  let app: TestApp;
  let admin: ApiClient;
  const roleIds: Record<string, string> = {};

  /** A custom role (created by the admin) and a signed-in user holding only it. */
  async function holderOf(key: string, rules: unknown[]) {
    const res = await admin.post('/api/v1/roles', { key, name: key, rules });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    roleIds[key] = res.body.role.id;
    return app.userWithRoles([key]);
  }

  /** The denied-access audit rows of an actor for one refusal id. */
  async function deniedRows(actorId: string, reason: string) {
    await app.runtime.services.audit.flush();
    return app.runtime.services.db('audit_events').where({ action: 'access.denied', actor_id: actorId }).whereRaw("details->>'reason' = ?", [reason]);
  }

  async function expectRefused(res: { status: number; body: any }, actorId: string, id: string) {
    expect(res.status, JSON.stringify(res.body)).to.equal(403);
    expect(res.body.error.id).to.equal(id);
    expect(await deniedRows(actorId, id)).to.have.length.greaterThan(0);
  }

  const adminUserId = async () =>
    ((await app.runtime.services.db('users').select('id').where({ email: app.admin.email }).first()) as { id: string }).id;

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    for (const r of (await admin.get('/api/v1/roles')).body.items as Array<{ key: string; id: string }>) {
      roleIds[r.key] = r.id;
    }
  });
  after(async () => app.stop());

  it('User:create: refuses creating a user with the admin role, or any role beyond the creator', async () => {
    const creator = await holderOf('user-creator', [{ action: 'create', subject: 'User' }]);
    const asAdmin = await creator.client.post('/api/v1/users', { email: 'evil-admin@example.test', name: 'Evil', roleIds: [roleIds.admin] });
    await expectRefused(asAdmin, creator.id, 'grant_exceeds_own_rights');
    expect(asAdmin.body.error.details.missing).to.include('all:manage');
    expect(await app.runtime.services.db('users').where({ email: 'evil-admin@example.test' })).to.have.length(0);
    const asAgent = await creator.client.post('/api/v1/users', { email: 'evil-agent@example.test', name: 'Evil', roleIds: [roleIds.agent] });
    await expectRefused(asAgent, creator.id, 'grant_exceeds_own_rights');
    // A user with no roles gives nothing away.
    const plain = await creator.client.post('/api/v1/users', { email: 'plain@example.test', name: 'Plain' });
    expect(plain.status).to.equal(201);
  });

  it('User:update: refuses changing one’s own roles, granting roles one lacks, and editing a more powerful user', async () => {
    const updater = await holderOf('user-updater', [{ action: 'update', subject: 'User' }]);
    const self = await updater.client.patch(`/api/v1/users/${updater.id}`, { roleIds: [roleIds.admin] });
    await expectRefused(self, updater.id, 'own_roles_immutable');
    // Sending one's roles unchanged (as an edit form does) is not a change.
    const rename = await updater.client.patch(`/api/v1/users/${updater.id}`, { name: 'Renamed', roleIds: [roleIds['user-updater']] });
    expect(rename.status, JSON.stringify(rename.body)).to.equal(200);
    const victim = await app.userWithRoles([]);
    const grant = await updater.client.patch(`/api/v1/users/${victim.id}`, { roleIds: [roleIds.admin] });
    await expectRefused(grant, updater.id, 'grant_exceeds_own_rights');
    const editAdmin = await updater.client.patch(`/api/v1/users/${await adminUserId()}`, { name: 'Owned' });
    await expectRefused(editAdmin, updater.id, 'target_exceeds_own_rights');
    const editPlain = await updater.client.patch(`/api/v1/users/${victim.id}`, { name: 'Still plain' });
    expect(editPlain.status).to.equal(200);
    const after = await app.runtime.services.db('user_roles').where({ user_id: victim.id });
    expect(after).to.have.length(0);
  });

  it('User:update: joining teams is a grant too when role conditions name the user’s teams', async () => {
    const mine = (await admin.post('/api/v1/teams', { name: 'Own team' })).body.team;
    const other = (await admin.post('/api/v1/teams', { name: 'Other team' })).body.team;
    const role = await admin.post('/api/v1/roles', {
      key: 'team-scoped',
      name: 'Team scoped',
      rules: [{ action: ['read', 'update'], subject: 'User' }, { action: 'read', subject: 'Team', conditions: { id: { $in: '${user.teamIds}' } } }],
    });
    expect(role.status).to.equal(201);
    const member = await app.userWithRoles(['team-scoped'], { teamIds: [mine.id] });
    const join = await member.client.patch(`/api/v1/users/${member.id}`, { teamIds: [mine.id, other.id] });
    await expectRefused(join, member.id, 'grant_exceeds_own_rights');
    const seen = ((await member.client.get('/api/v1/teams')).body.items as Array<{ id: string }>).map((t) => t.id);
    expect(seen).to.deep.equal([mine.id]);
    // Leaving a team only narrows what the role gives.
    const leave = await member.client.patch(`/api/v1/users/${member.id}`, { teamIds: [] });
    expect(leave.status, JSON.stringify(leave.body)).to.equal(200);
  });

  it('Role:create: refuses a custom role with rules the author does not hold', async () => {
    const author = await holderOf('role-creator', [{ action: 'create', subject: 'Role' }]);
    const root = await author.client.post('/api/v1/roles', { key: 'root-role', name: 'Root', rules: [{ action: 'manage', subject: 'all' }] });
    await expectRefused(root, author.id, 'grant_exceeds_own_rights');
    const reader = await author.client.post('/api/v1/roles', { key: 'user-reader', name: 'Readers', rules: [{ action: 'read', subject: 'User' }] });
    await expectRefused(reader, author.id, 'grant_exceeds_own_rights');
    const same = await author.client.post('/api/v1/roles', { key: 'role-creator-2', name: 'Same', rules: [{ action: 'create', subject: 'Role' }] });
    expect(same.status).to.equal(201);
  });

  it('Role:update: refuses editing a role (even one’s own) into rights the editor does not hold', async () => {
    const editor = await holderOf('role-updater', [{ action: 'update', subject: 'Role' }]);
    const own = await editor.client.patch(`/api/v1/roles/${roleIds['role-updater']}`, { rules: [{ action: 'manage', subject: 'all' }] });
    await expectRefused(own, editor.id, 'grant_exceeds_own_rights');
    const narrower = await editor.client.patch(`/api/v1/roles/${roleIds['role-updater']}`, {
      rules: [{ action: 'update', subject: 'Role' }, { action: 'update', subject: 'Role', fields: ['name'] }],
    });
    expect(narrower.status, JSON.stringify(narrower.body)).to.equal(200);
    const stored = await app.runtime.services.db('roles').where({ id: roleIds['role-updater'] }).first();
    expect(JSON.stringify(stored.rules)).not.to.contain('manage');
  });

  it('Role:update: rules that name the holder are checked for each user who holds the role', async () => {
    // The editor may read conversations assigned to themselves; a role saying "assigned to
    // ${user.id}" would give another holder conversations the editor cannot read.
    const editor = await holderOf('scoped-editor', [
      { action: ['read', 'update'], subject: 'Role' },
      { action: 'read', subject: 'Conversation', conditions: { assigneeId: '${user.id}' } },
    ]);
    const shared = await admin.post('/api/v1/roles', { key: 'shared-role', name: 'Shared', rules: [] });
    await app.userWithRoles(['shared-role']);
    const res = await editor.client.patch(`/api/v1/roles/${shared.body.role.id}`, {
      rules: [{ action: 'read', subject: 'Conversation', conditions: { assigneeId: '${user.id}' } }],
    });
    await expectRefused(res, editor.id, 'grant_exceeds_own_rights');
  });

  it('User:resetPassword: refuses resetting a more powerful user’s password (the caller would learn it)', async () => {
    const resetter = await holderOf('password-resetter', [{ action: 'resetPassword', subject: 'User' }]);
    const res = await resetter.client.post(`/api/v1/users/${await adminUserId()}/reset-password`);
    await expectRefused(res, resetter.id, 'target_exceeds_own_rights');
    expect(res.body).not.to.have.nested.property('temporaryPassword');
    // The admin's password still works.
    await new ApiClient(app.url).login(app.admin.email, TEST_PASSWORD);
    const plain = await app.userWithRoles([]);
    const ok = await resetter.client.post(`/api/v1/users/${plain.id}/reset-password`);
    expect(ok.status).to.equal(200);
    expect(ok.body.temporaryPassword).to.be.a('string');
  });

  it('User:disable and User:enable: refuse acting on a more powerful user', async () => {
    const disabler = await holderOf('user-disabler', [{ action: ['disable', 'enable'], subject: 'User' }]);
    const supervisor = await app.userWithRoles(['supervisor']);
    await expectRefused(await disabler.client.post(`/api/v1/users/${supervisor.id}/disable`), disabler.id, 'target_exceeds_own_rights');
    expect((await supervisor.client.get('/api/v1/me')).status).to.equal(200);
    await expectRefused(await disabler.client.post(`/api/v1/users/${supervisor.id}/enable`), disabler.id, 'target_exceeds_own_rights');
    const plain = await app.userWithRoles([]);
    expect((await disabler.client.post(`/api/v1/users/${plain.id}/disable`)).status).to.equal(200);
  });

  it('lets the admin grant anything, and tells each caller which roles they could grant', async () => {
    const target = await app.userWithRoles([]);
    const res = await admin.patch(`/api/v1/users/${target.id}`, { roleIds: [roleIds.admin, roleIds.agent] });
    expect(res.status).to.equal(200);
    const adminView = (await admin.get('/api/v1/roles')).body.items as Array<{ key: string; grantable: boolean }>;
    expect(adminView.every((r) => r.grantable)).to.equal(true);
    const lister = await holderOf('role-lister', [{ action: 'read', subject: ['Role', 'User', 'Team', 'Channel', 'Template'] }]);
    const view = new Map(((await lister.client.get('/api/v1/roles')).body.items as Array<{ key: string; grantable: boolean }>).map((r) => [r.key, r.grantable]));
    expect(view.get('admin')).to.equal(false);
    expect(view.get('supervisor')).to.equal(false);
    expect(view.get('role-lister')).to.equal(true);
  });
});

describe('grants: temporary passwords expire', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ TEMPORARY_PASSWORD_HOURS: '24' });
  });
  after(async () => app.stop());

  const expiryOf = async (email: string) =>
    ((await app.runtime.services.db('users').select('temporary_password_expires_at').whereRaw('lower(email) = ?', [email]).first()) as {
      temporary_password_expires_at: Date | null;
    }).temporary_password_expires_at;

  it('gives the bootstrap admin’s, new users’ and reset passwords a 24 h life, and refuses them after it', async () => {
    const bootstrapExpiry = await expiryOf(app.admin.email);
    expect(bootstrapExpiry).to.be.instanceOf(Date);
    const admin = await app.adminClient();
    // Changing the password ends the temporary one's expiry.
    expect(await expiryOf(app.admin.email)).to.equal(null);

    const created = await admin.post('/api/v1/users', { email: 'temp@example.test', name: 'Temp' });
    expect(created.status).to.equal(201);
    const expiry = await expiryOf('temp@example.test');
    const hours = (expiry!.getTime() - Date.now()) / 3_600_000;
    expect(hours).to.be.within(23, 24.01);

    await app.runtime.services.db('users').where({ email: 'temp@example.test' }).update({ temporary_password_expires_at: new Date(Date.now() - 1000) });
    const late = await app.client().post('/api/v1/auth/login', { email: 'temp@example.test', password: created.body.temporaryPassword });
    expect(late.status).to.equal(401);
    expect(late.body.error.id).to.equal('temporary_password_expired');
    await app.runtime.services.audit.flush();
    const failed = await app.runtime.services.db('audit_events').where({ action: 'auth.login_failed' }).whereRaw("details->>'reason' = 'temporary_password_expired'");
    expect(failed).to.have.length(1);

    // An admin resets it again: the new temporary password works, for another 24 h.
    const reset = await admin.post(`/api/v1/users/${created.body.user.id}/reset-password`);
    expect(reset.status).to.equal(200);
    expect((await expiryOf('temp@example.test'))!.getTime()).to.be.greaterThan(Date.now() + 23 * 3_600_000);
    const login = await app.client().post('/api/v1/auth/login', { email: 'temp@example.test', password: reset.body.temporaryPassword });
    expect(login.status).to.equal(200);
    expect(login.body.user.mustChangePassword).to.equal(true);
  });

  it('lets the operator issue a new temporary password from the command line when no admin can sign in', async () => {
    const email = 'stranded@example.test';
    const admin = await app.adminClient();
    expect((await admin.post('/api/v1/users', { email, name: 'Stranded' })).status).to.equal(201);
    await app.runtime.services.db('users').where({ email }).update({ temporary_password_expires_at: new Date(Date.now() - 1000) });
    const { stdout } = await promisify(execFile)(
      path.join(projectRoot, 'node_modules', '.bin', 'tsx'),
      [path.join(projectRoot, 'server/cli/resetPassword.ts'), email],
      { env: { ...process.env, DATABASE_URL: app.databaseUrl, SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'), LOG_LEVEL: 'silent' } },
    );
    const password = /Temporary password for \S+: (\S+)/.exec(stdout)?.[1];
    expect(password, stdout).to.be.a('string');
    const login = await app.client().post('/api/v1/auth/login', { email, password });
    expect(login.status).to.equal(200);
    expect(login.body.user.mustChangePassword).to.equal(true);
    await app.runtime.services.audit.flush();
    const rows = await app.runtime.services.db('audit_events').where({ action: 'user.password_reset', actor_type: 'system' });
    expect(rows).to.have.length(1);
  });
});
