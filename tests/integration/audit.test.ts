import { expect } from 'chai';
import pg from 'pg';
import { systemActor } from '../../server/lib/actor';
import { startTestApp, type TestApp } from '../support/app';

describe('audit log: hash chain, append-only, verification', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  it('records state changes with actor, subject and origin, never secrets', async () => {
    const admin = await app.adminClient();
    const team = await admin.post('/api/v1/teams', { name: 'Audit team', description: 'x' });
    const events = await admin.get(`/api/v1/audit/events?subjectType=Team&subjectId=${team.body.team.id}`);
    expect(events.status).to.equal(200);
    const created = events.body.items.find((e: any) => e.action === 'team.created');
    expect(created.actorEmail).to.equal(app.admin.email);
    expect(created.ip).to.be.a('string');
    const all = await app.runtime.services.db('audit_events').select('details');
    expect(JSON.stringify(all)).not.to.contain(app.admin.password);
  });

  it('audits reads of the audit log itself', async () => {
    const admin = await app.adminClient();
    await admin.get('/api/v1/audit/events?limit=1');
    await app.runtime.services.audit.flush();
    const reads = await admin.get('/api/v1/audit/events?action=audit.read&limit=5');
    expect(reads.body.items.length).to.be.greaterThan(0);
  });

  it('keeps the chain linear under concurrent writers and verifies it', async () => {
    const audit = app.runtime.services.audit;
    await Promise.all(
      Array.from({ length: 300 }, (_, i) => audit.record(systemActor, { action: 'test.concurrent', details: { i } })),
    );
    const db = app.runtime.services.db;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction((trx) => audit.appendIn(trx, systemActor, [{ action: 'test.tx', details: { i } }])),
      ),
    );
    const result = await audit.verify();
    expect(result.ok).to.equal(true);
    const count = await db('audit_events').count<{ n: number }[]>('* as n');
    expect(result.checked).to.equal(Number(count[0]!.n));
    const admin = await app.adminClient();
    const api = await admin.get('/api/v1/audit/verify');
    expect(api.body).to.include({ ok: true, firstBrokenSeq: null });
  });

  it('names the first broken link when a row is altered behind the application', async () => {
    const db = app.runtime.services.db;
    const target = await db('audit_events').select('seq').orderBy('seq', 'asc').offset(5).first();
    // A DBA with superuser rights bypasses the trigger through a direct connection.
    const client = new pg.Client({ connectionString: app.superuserUrl });
    await client.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query(`UPDATE audit_events SET details = '{"tampered": true}' WHERE seq = $1`, [target.seq]);
    } finally {
      await client.end();
    }
    const result = await app.runtime.services.audit.verify();
    expect(result).to.deep.equal({ ok: false, checked: Number(target.seq) - 1, firstBrokenSeq: Number(target.seq), reason: 'hash_mismatch' });
    const admin = await app.adminClient();
    const api = await admin.get('/api/v1/audit/verify');
    expect(api.body.ok).to.equal(false);
    expect(api.body.firstBrokenSeq).to.equal(Number(target.seq));
  });
});
