import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';

type RoleAnswer = { key: string; name: string; builtin: boolean; translations: { en: { name: string; description: string }; fr: { name: string; description: string } } | null };

// What the panel needs to show roles and permission groups in the user's language.
describe('roles and the permission catalogue in each language of the panel', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  it("answers a built-in role's shipped texts in English and French, and a custom role as its author named it", async () => {
    const admin = await app.adminClient();
    const created = await admin.post('/api/v1/roles', { key: 'night-desk', name: 'Night desk', description: 'Evenings', rules: [{ action: 'read', subject: 'Team' }] });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect((created.body as { role: RoleAnswer }).role.translations).to.equal(null);

    const res = await admin.get('/api/v1/roles');
    expect(res.status).to.equal(200);
    const byKey = new Map((res.body as { items: RoleAnswer[] }).items.map((r) => [r.key, r]));
    expect(byKey.get('admin')!.translations).to.deep.equal({
      en: { name: 'Administrator', description: 'Runs the appliance: users, teams, roles, numbers and settings.' },
      fr: { name: 'Administrateur', description: "Administre l'appliance : utilisateurs, équipes, rôles, numéros et paramètres." },
    });
    expect(byKey.get('compliance-officer')!.translations!.fr.name).to.equal('Responsable de la conformité');
    // The stored name stays the English one (what audit details and sorting use).
    expect(byKey.get('supervisor')!.name).to.equal('Supervisor');
    expect(byKey.get('night-desk')!.translations).to.equal(null);
    expect(byKey.get('night-desk')!.name).to.equal('Night desk');
  });

  it('names each permission group in English and French for any signed-in user', async () => {
    const agent = await app.userWithRoles(['agent']);
    const res = await agent.client.get('/api/v1/permissions/catalogue');
    expect(res.status).to.equal(200);
    const body = res.body as { subjects: Record<string, { en: string; fr: string }>; actions: Array<{ subject: string }> };
    expect(body.subjects.User).to.deep.equal({ en: 'Users', fr: 'Utilisateurs' });
    expect(body.subjects.AuditEvent).to.deep.equal({ en: 'Audit log', fr: "Journal d'audit" });
    for (const subject of new Set(body.actions.map((a) => a.subject))) {
      expect(body.subjects[subject], subject).to.have.keys(['en', 'fr']);
    }
  });
});
