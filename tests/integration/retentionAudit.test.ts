// Audit events past their period go only as one oldest range, through the owner's trim
// function, and leave a signed start: the chain left verifies, the runtime role still cannot
// delete an audit row itself, and a start removed without its signed statement is caught.
import { expect } from 'chai';
import { createDb } from '../../server/db/knex';
import { startKey } from '../../server/modules/audit/startAnchor';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { backdateAuditStart } from '../support/retention';

const YEAR_MS = 365.25 * 86_400_000;

describe('retention of the audit log: the oldest range goes, a signed start keeps the chain verifiable', () => {
  let app: TestApp;
  let officer: ApiClient;
  const db = () => app.runtime.services.db;
  const BACKDATED = 6;

  before(async () => {
    app = await startTestApp();
    officer = (await app.userWithRoles(['compliance-officer'])).client;
    await (await app.adminClient()).get('/api/v1/auth/me');
    expect(Number((await db()('audit_events').max({ n: 'seq' }))[0]!.n)).to.be.greaterThan(BACKDATED + 2);
    // An install running for eight years: its first events are older than the 7-year default.
    await backdateAuditStart(app.superuserUrl, BACKDATED, new Date(Date.now() - 8 * YEAR_MS));
    expect((await officer.get('/api/v1/audit/verify')).body.ok).to.equal(true);
  });
  after(async () => app.stop());

  it('previews and removes exactly the expired oldest range, and the rest verifies from the signed start', async () => {
    const preview = await officer.get('/api/v1/retention/preview');
    expect(preview.body.lines.find((l: { dataClass: string }) => l.dataClass === 'audit').count).to.equal(BACKDATED);
    const run = await officer.post('/api/v1/retention/runs');
    expect(run.status, JSON.stringify(run.body)).to.equal(201);
    expect(run.body.run.counts.auditEvents).to.equal(BACKDATED);
    expect(run.body.run.counts.auditStart).to.equal(BACKDATED + 1);
    expect(Number((await db()('audit_events').min({ n: 'seq' }))[0]!.n)).to.equal(BACKDATED + 1);

    const verify = await officer.get('/api/v1/audit/verify');
    expect(verify.body, JSON.stringify(verify.body)).to.include({ ok: true, firstBrokenSeq: null });
    // Anchored after the trim, the head still verifies against the anchor too.
    expect((await officer.post('/api/v1/audit/anchors')).status).to.be.oneOf([200, 201]);
    const anchored = await officer.get('/api/v1/audit/verify');
    expect(anchored.body.ok).to.equal(true);
    expect(anchored.body.anchor).to.not.equal(null);
    // Nothing more has expired: a second run removes nothing.
    expect((await officer.post('/api/v1/retention/runs')).body.run.counts.auditEvents).to.equal(0);
  });

  it('leaves the runtime role unable to delete audit rows itself, even with the trim setting', async () => {
    const runtime = createDb(app.databaseUrl, 1);
    try {
      const plain = await runtime.raw('DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)').catch((err: { code: string }) => err);
      expect((plain as { code?: string }).code).to.equal('42501');
      const sneaky = await runtime
        .transaction(async (trx) => {
          await trx.raw(`SELECT set_config('switchboard.audit_trim_before', '999999', true)`);
          await trx.raw('DELETE FROM audit_events');
        })
        .catch((err: { code: string }) => err);
      expect((sneaky as { code?: string }).code).to.equal('42501');
      // The trim function itself removes nothing that has not expired.
      const trimmed = await runtime.raw('SELECT * FROM switchboard_trim_audit_events()');
      expect(trimmed.rows).to.deep.equal([]);
    } finally {
      await runtime.destroy();
    }
    // The owner's own append-only trigger still refuses a plain delete.
    const owner = createDb(app.ownerUrl, 1);
    try {
      const err = await owner.raw('DELETE FROM audit_events WHERE seq = (SELECT min(seq) FROM audit_events)').catch((e: { code: string }) => e);
      expect((err as { code?: string }).code).to.equal('42501');
    } finally {
      await owner.destroy();
    }
  });

  it('reports a gap at the start when the signed start is missing', async () => {
    await app.runtime.services.media.remove(startKey(BACKDATED + 1));
    const verify = await officer.get('/api/v1/audit/verify');
    expect(verify.body).to.include({ ok: false, reason: 'sequence_gap', firstBrokenSeq: 1 });
  });
});
