import { expect } from 'chai';
import pg from 'pg';
import { systemActor } from '../../server/lib/actor';
import { startTestApp, type TestApp } from '../support/app';

/** The SQLSTATE a statement failed with, or null when it succeeded. */
async function sqlstateOf(url: string, sql: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
    return null;
  } catch (err) {
    return (err as { code?: string }).code ?? 'unknown';
  } finally {
    await client.end();
  }
}

describe('audit log: the runtime database role cannot rewrite it', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
    await app.adminClient();
  });
  after(async () => app.stop());

  it('runs the application as a role that neither owns audit_events nor is a superuser', async () => {
    const { rows } = await app.runtime.services.db.raw(
      `SELECT current_user AS role, r.rolsuper, pg_has_role(current_user, c.relowner, 'USAGE') AS owns
         FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'audit_events'::regclass`,
    );
    expect(rows[0]).to.deep.include({ rolsuper: false, owns: false });
    expect(rows[0].role).to.equal(new URL(app.databaseUrl).username);
  });

  const refused: Array<[string, string]> = [
    ['UPDATE', `UPDATE audit_events SET action = 'forged' WHERE seq = 1`],
    ['DELETE', 'DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)'],
    ['TRUNCATE', 'TRUNCATE audit_events'],
    ['ALTER TABLE ... DISABLE TRIGGER', 'ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update'],
    ['ALTER TABLE ... DISABLE TRIGGER ALL', 'ALTER TABLE audit_events DISABLE TRIGGER ALL'],
    ['DROP TRIGGER', 'DROP TRIGGER audit_events_no_update ON audit_events'],
    ['DROP TABLE', 'DROP TABLE audit_events'],
    ['CREATE FUNCTION', `CREATE FUNCTION public.rehash() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`],
    ['CREATE TRIGGER', 'CREATE TRIGGER t BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()'],
    ['session_replication_role', 'SET session_replication_role = replica'],
    ['UPDATE of the appliance key', `UPDATE appliance_keys SET public_key = 'x'`],
    ['DELETE of the appliance key', 'DELETE FROM appliance_keys'],
  ];
  for (const [what, sql] of refused) {
    it(`refuses ${what} through the runtime role's own connection`, async () => {
      const before = await app.runtime.services.db('audit_events').count<{ n: number }[]>('* as n');
      // 42501 insufficient_privilege (not the trigger's exception: the privilege check comes first).
      expect(await sqlstateOf(app.databaseUrl, sql)).to.equal('42501');
      const after = await app.runtime.services.db('audit_events').count<{ n: number }[]>('* as n');
      expect(after[0]!.n).to.be.at.least(before[0]!.n);
      expect((await app.runtime.services.audit.verify()).ok).to.equal(true);
    });
  }

  it('still lets the runtime role append and read', async () => {
    const client = new pg.Client({ connectionString: app.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT count(*)::int AS n FROM audit_events');
      expect(rows[0].n).to.be.greaterThan(0);
    } finally {
      await client.end();
    }
    await app.runtime.services.audit.record(systemActor, { action: 'test.append' });
    expect((await app.runtime.services.audit.verify()).ok).to.equal(true);
  });

  it('keeps the append-only trigger for the owner role too', async () => {
    const client = new pg.Client({ connectionString: app.ownerUrl });
    await client.connect();
    try {
      const err = await client.query(`UPDATE audit_events SET action = 'forged' WHERE seq = 1`).catch((e: Error) => e);
      expect(String(err)).to.match(/append-only/);
    } finally {
      await client.end();
    }
  });
});
