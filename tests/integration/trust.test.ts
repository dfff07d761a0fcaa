import { expect } from 'chai';
import knexFactory from 'knex';
import { up as roleNamesUnique } from '../../migrations/20261202150100_role_names_unique';
import { systemActor } from '../../server/lib/actor';
import { loadBuiltinRoles } from '../../server/modules/authz/catalogue';
import { seedBuiltinRoles } from '../../server/modules/authz/roleCommands';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';

// Issue 9, "small things that erode trust", as the API answers them.
describe('trust: sessions without 401s, withheld fields, own account, unique role names, template dates', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '150' });
    admin = await app.adminClient();
  });
  after(async () => app.stop());

  const deniedEvents = (actorId: string, reason: string) =>
    app.runtime.services.db('audit_events').where({ action: 'access.denied', actor_id: actorId }).whereRaw("details->>'reason' = ?", [reason]);

  describe('GET /auth/session', () => {
    it('answers 200 with a null session when signed out (a 401 would be a console error in the browser)', async () => {
      const res = await app.client().get('/api/v1/auth/session');
      expect(res.status).to.equal(200);
      expect(res.body).to.deep.equal({ session: null, idleMinutes: null });
    });

    it('answers what /me answers when signed in', async () => {
      const me = await admin.get('/api/v1/me');
      const res = await admin.get('/api/v1/auth/session');
      expect(res.status).to.equal(200);
      expect(res.body.session).to.deep.equal(me.body);
      expect(res.body.idleMinutes).to.equal(null);
    });

    it('clears a stale cookie and answers null', async () => {
      const res = await app.client().request('GET', '/api/v1/auth/session', undefined, { cookie: 'sb_session=not-a-real-token' });
      expect(res.status).to.equal(200);
      expect(res.body.session).to.equal(null);
      expect(res.headers.getSetCookie().some((c) => c.startsWith('sb_session=;'))).to.equal(true);
    });
  });

  describe('field-restricted reads', () => {
    it('leaves out the channel fields the agent role may not read, and says which defaults a new number gets', async () => {
      const created = await admin.post('/api/v1/channels', {
        name: 'Defaults', phoneNumberId: '5550001234', wabaId: '5550004321', displayNumber: '+1 555 000 1234',
        accessToken: 'access-token-1234', appSecret: 'app-secret-1234', verifyToken: 'verify-token-1234',
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const listed = await admin.get('/api/v1/channels');
      // The version a number gets when the form leaves it empty is the one the list announces.
      expect(created.body.channel.graphVersion).to.equal(listed.body.defaults.graphVersion);
      expect(created.body.channel.graphBaseUrl).to.equal(listed.body.defaults.graphBaseUrl);

      const agent = await app.userWithRoles(['agent']);
      const seen = await agent.client.get('/api/v1/channels');
      expect(seen.status).to.equal(200);
      const row = (seen.body.items as Array<Record<string, unknown>>).find((c) => c.id === created.body.channel.id)!;
      expect(Object.keys(row).sort()).to.deep.equal(['displayNumber', 'id', 'name', 'qualityRating', 'status']);
    });

    it('leaves out the team fields a custom role may not read', async () => {
      const team = await admin.post('/api/v1/teams', { name: 'Quiet desk', description: 'Night shift' });
      const role = await admin.post('/api/v1/roles', { key: 'team-names', name: 'Team names', rules: [{ action: 'read', subject: 'Team', fields: ['id', 'name'] }] });
      expect(role.status, JSON.stringify(role.body)).to.equal(201);
      const reader = await app.userWithRoles(['team-names']);
      const seen = (await reader.client.get('/api/v1/teams')).body.items as Array<Record<string, unknown>>;
      expect(seen.find((t) => t.id === team.body.team.id)).to.deep.equal({ id: team.body.team.id, name: 'Quiet desk' });
      const full = (await admin.get('/api/v1/teams')).body.items as Array<Record<string, unknown>>;
      expect(full.find((t) => t.id === team.body.team.id)).to.deep.equal({ id: team.body.team.id, name: 'Quiet desk', description: 'Night shift', memberCount: 0, defaultCapacity: null });
    });
  });

  describe('own account', () => {
    it('refuses disabling yourself with 403 own_account_disable, audited as denied, and changes nothing', async () => {
      const me = (await admin.get('/api/v1/me')).body.user;
      const res = await admin.post(`/api/v1/users/${me.id}/disable`);
      expect(res.status).to.equal(403);
      expect(res.body.error.id).to.equal('own_account_disable');
      expect(await deniedEvents(me.id, 'own_account_disable')).to.have.length(1);
      expect((await admin.get('/api/v1/me')).status).to.equal(200);
    });
  });

  describe('role display names', () => {
    const rules = [{ action: 'read', subject: 'Team' }];

    it('refuses a name a built-in role has, whatever the case, naming it (409)', async () => {
      const res = await admin.post('/api/v1/roles', { key: 'agent-two', name: 'aGeNt', rules });
      expect(res.status).to.equal(409);
      expect(res.body.error.id).to.equal('conflict');
      expect(res.body.error.message).to.contain('"aGeNt"').and.to.contain('key agent');
      expect(res.body.error.details.fields).to.deep.equal([{ path: 'body.name', message: '"aGeNt" is already taken', code: 'taken', value: 'aGeNt' }]);
    });

    it('refuses a key already taken, naming it (409)', async () => {
      const res = await admin.post('/api/v1/roles', { key: 'supervisor', name: 'Another supervisor', rules });
      expect(res.status).to.equal(409);
      expect(res.body.error.message).to.contain('"supervisor"');
      expect(res.body.error.details.fields[0]).to.include({ path: 'body.key', value: 'supervisor' });
    });

    it('refuses renaming a role to another role\'s name, and allows changing its own case', async () => {
      const first = await admin.post('/api/v1/roles', { key: 'night-desk', name: 'Night desk', rules });
      const second = await admin.post('/api/v1/roles', { key: 'day-desk', name: 'Day desk', rules });
      expect([first.status, second.status]).to.deep.equal([201, 201]);
      const clash = await admin.patch(`/api/v1/roles/${second.body.role.id}`, { name: 'NIGHT DESK' });
      expect(clash.status).to.equal(409);
      expect(clash.body.error.details.fields[0]).to.include({ path: 'body.name', value: 'NIGHT DESK' });
      const recased = await admin.patch(`/api/v1/roles/${first.body.role.id}`, { name: 'Night Desk' });
      expect(recased.status).to.equal(200);
    });

    it('gives one of two simultaneous creations the name; the other gets the same 409 naming it', async () => {
      const [a, b] = await Promise.all([
        admin.post('/api/v1/roles', { key: 'race-a', name: 'Race', rules }),
        admin.post('/api/v1/roles', { key: 'race-b', name: 'race', rules }),
      ]);
      expect([a.status, b.status].sort()).to.deep.equal([201, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.error.details.fields[0]).to.include({ path: 'body.name', code: 'taken' });
    });

    it('migrates a database with duplicate names: the built-in keeps its name, the others get their key', async () => {
      const owner = knexFactory({ client: 'pg', connection: app.ownerUrl });
      try {
        await owner.raw('DROP INDEX roles_name_lower_unique');
        await owner('roles').insert([
          { id: '01900000-0000-7000-8000-000000000001', key: 'old-agent', name: 'AGENT', rules: '[]' },
          { id: '01900000-0000-7000-8000-000000000002', key: 'old-team', name: 'Team X', rules: '[]' },
          { id: '01900000-0000-7000-8000-000000000003', key: 'old-team-2', name: 'team x', rules: '[]' },
        ]);
        await roleNamesUnique(owner);
        const names = Object.fromEntries(((await owner('roles').select('key', 'name')) as Array<{ key: string; name: string }>).map((r) => [r.key, r.name]));
        expect(names.agent).to.equal(loadBuiltinRoles().find((r) => r.key === 'agent')!.name);
        expect(names['old-agent']).to.equal('AGENT (old-agent)');
        expect(names['old-team']).to.equal('Team X');
        expect(names['old-team-2']).to.equal('team x (old-team-2)');
        const duplicate = await owner('roles').insert({ id: '01900000-0000-7000-8000-000000000004', key: 'dup', name: 'TEAM x', rules: '[]' }).then(() => null, (err: { code?: string }) => err.code);
        expect(duplicate).to.equal('23505');
      } finally {
        await owner.destroy();
      }
    });

    it('at boot, a custom role named like a built-in one yields the name (renamed with its key, audited)', async () => {
      const shipped = loadBuiltinRoles().find((r) => r.key === 'auditor')!;
      const owner = knexFactory({ client: 'pg', connection: app.ownerUrl });
      try {
        // As if an older release had shipped the auditor role under another name.
        await owner('roles').where({ key: 'auditor' }).update({ name: 'Auditor (previous release)' });
      } finally {
        await owner.destroy();
      }
      const custom = await admin.post('/api/v1/roles', { key: 'auditor-copy', name: shipped.name, rules });
      expect(custom.status, JSON.stringify(custom.body)).to.equal(201);
      await seedBuiltinRoles(app.runtime.services, systemActor);
      const roles = (await admin.get('/api/v1/roles')).body.items as Array<{ key: string; name: string }>;
      expect(roles.find((r) => r.key === 'auditor')!.name).to.equal(shipped.name);
      expect(roles.find((r) => r.key === 'auditor-copy')!.name).to.equal(`${shipped.name} (auditor-copy)`);
      const renamed = await app.runtime.services.db('audit_events').where({ action: 'role.renamed', subject_id: custom.body.role.id });
      expect(renamed).to.have.length(1);
    });
  });

  describe('template dates', () => {
    it("shows each template's own dates: a sync that finds it unchanged leaves updatedAt", async () => {
      const channelId = ((await admin.get('/api/v1/channels')).body.items as Array<{ id: string; isSandbox: boolean }>).find((c) => c.isSandbox)!.id;
      const res = await admin.post('/api/v1/templates', {
        channelId, name: 'dated_notice', language: 'en_US', category: 'UTILITY', body: { text: 'Your appointment is confirmed.' },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.template.createdAt).to.be.a('string');
      const list = async () => ((await admin.get(`/api/v1/templates?channelId=${channelId}`)).body.items as any[]).find((t) => t.name === 'dated_notice');
      const approved = await eventually('the template approved', async () => ((await list())?.status === 'APPROVED' ? list() : null));
      expect(approved.createdAt).to.equal(res.body.template.createdAt);
      expect(Date.parse(approved.updatedAt)).to.be.at.least(Date.parse(approved.createdAt));
      // The connection test re-syncs every template from the Graph API; nothing changed.
      expect((await admin.post(`/api/v1/channels/${channelId}/test`)).status).to.equal(200);
      expect((await admin.post(`/api/v1/channels/${channelId}/test`)).status).to.equal(200);
      const after = await list();
      expect(after).to.deep.include({ createdAt: approved.createdAt, updatedAt: approved.updatedAt, status: 'APPROVED' });
    });
  });
});

// An idle session is reported as such, so the panel can say why it signed the user out.
describe('trust: GET /auth/session after an idle sign-out', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ SESSION_IDLE_MINUTES: '0.005' });
  });
  after(async () => app.stop());

  it('answers a null session with the idle timeout in minutes', async () => {
    const { client } = await app.userWithRoles(['agent']);
    // Background requests are not activity: the session goes idle while this polls.
    const res = await eventually('the session idle', async () => {
      const r = await client.request('GET', '/api/v1/auth/session', undefined, { 'x-switchboard-background': '1' });
      return r.body.session === null ? r : null;
    });
    expect(res.status).to.equal(200);
    expect(res.body.idleMinutes).to.equal(1);
  });
});
