import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { newId } from '../../server/lib/ids';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';

// The file with every kind of bad row, one per line after the two good ones (row numbers count the header as 1).
const HEADER = 'phone,name,country,labels,tier';
const BAD_ROWS_FILE = Buffer.concat([
  Buffer.from([
    HEADER,
    '+33 6 12 34 56 78,Ann,FR,VIP,gold', // 2 create
    '06 12 34 56 79,Bob,,VIP;trial,silver', // 3 create (default country FR)
    'not a phone,Cat,FR,,gold', // 4 bad_phone
    '+33612345678,Ann again,FR,,gold', // 5 duplicate_in_file (row 2)
    '+33612345680,Dan,FR,Gold members,gold', // 6 unknown_label
    '+33612345681,',
  ].join('\n')),
  Buffer.from([0xc9, 0x6c, 0x6f, 0x64, 0x69, 0x65]), // "Élodie" in Latin-1: 7 bad_encoding
  Buffer.from(`,FR,,gold\n${[
    '+33612345682,Eve,FR', // 8 wrong_column_count
    '+33612345683,Fay,FR,,platinum', // 9 bad_attribute
    '+33612345684,Gil,FR,VIP,silver', // 10 already in the base: update or skip
    ',Nobody,FR,,gold', // 11 missing_phone
    '+33612345684,Gil twice,FR,,gold', // 12 duplicate_in_file (row 10)
  ].join('\n')}\n`),
]);

const EXPECTED = [
  { row: 2, decision: 'create', reason: null },
  { row: 3, decision: 'create', reason: null },
  { row: 4, decision: 'reject', reason: 'bad_phone' },
  { row: 5, decision: 'reject', reason: 'duplicate_in_file', detail: 'row 2' },
  { row: 6, decision: 'reject', reason: 'unknown_label', detail: 'Gold members' },
  { row: 7, decision: 'reject', reason: 'bad_encoding' },
  { row: 8, decision: 'reject', reason: 'wrong_column_count' },
  { row: 9, decision: 'reject', reason: 'bad_attribute', detail: 'tier' },
  { row: 10, decision: 'update', reason: null },
  { row: 11, decision: 'reject', reason: 'missing_phone' },
  { row: 12, decision: 'reject', reason: 'duplicate_in_file', detail: 'row 10' },
];

const MAPPING = { columns: ['phone', 'name', 'country', 'labels', 'attribute:tier'], defaultCountry: 'FR', existing: 'update', createLabels: false, labelSeparator: ';' };

describe('contact import: upload, mapping, dry run, import job, error report', function () {
  this.timeout(120_000);
  let app: TestApp;
  let admin: ApiClient;
  let supervisor: ApiClient;
  const vip = newId();
  const trial = newId();
  const existingId = newId();

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all' });
    admin = await app.adminClient();
    supervisor = (await app.userWithRoles(['supervisor'])).client;
    const db = app.runtime.services.db;
    await db('labels').insert([{ id: vip, name: 'VIP' }, { id: trial, name: 'Trial' }]);
    await db('contact_attributes').insert({ key: 'tier', name: 'Tier', type: 'choice', options: ['gold', 'silver'] });
    await db('contacts').insert({ id: existingId, wa_id: '33612345684', profile_name: 'Gil (old)', country: 'FR', label_ids: [trial], attributes: { tier: 'gold', other: 1 } });
  });
  after(async () => app.stop());

  async function upload(client: ApiClient, bytes: Buffer, filename = 'contacts.csv', type = 'text/csv') {
    const form = new FormData();
    form.set('file', new Blob([bytes], { type }), filename);
    const res = await fetch(`${app.url}/api/v1/imports`, { method: 'POST', headers: { cookie: client.cookieHeader()!, 'x-csrf-token': client.csrfToken! }, body: form });
    return { status: res.status, body: (await res.json()) as any };
  }

  async function runToEnd(id: string, dryRun: boolean, options: unknown = MAPPING) {
    const started = await admin.post(`/api/v1/imports/${id}/start`, { options, dryRun });
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    return eventually('the run to finish', async () => {
      const res = await admin.get(`/api/v1/imports/${id}`);
      return ['done', 'failed'].includes(res.body.import.status) && res.body.import;
    }, 60_000);
  }

  async function report(id: string, only: 'all' | 'rejected') {
    const res = await fetch(`${app.url}/api/v1/imports/${id}/report.csv?only=${only}`, { headers: { cookie: admin.cookieHeader()! } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-disposition')).to.match(/^attachment/);
    return parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
  }

  const contactsNow = () => app.runtime.services.db('contacts').select('wa_id', 'profile_name', 'country', 'label_ids', 'attributes').orderBy('wa_id');

  it('imports the file with every kind of bad row: the dry run says per row what the import then does, and nothing else changes', async () => {
    const up = await upload(admin, BAD_ROWS_FILE);
    expect(up.status, JSON.stringify(up.body)).to.equal(201);
    expect(up.body.import.header).to.deep.equal(HEADER.split(','));
    expect(up.body.sample[0]).to.deep.equal(['+33 6 12 34 56 78', 'Ann', 'FR', 'VIP', 'gold']);
    const id = up.body.import.id;
    const before = await contactsNow();

    const dry = await runToEnd(id, true);
    expect(dry.status).to.equal('done');
    expect(dry.progress).to.deep.equal({ rowsRead: 11, created: 2, updated: 1, skipped: 0, rejected: 8, newLabels: 0 });
    const decisions = (await admin.get(`/api/v1/imports/${id}/rows?limit=500`)).body.items;
    expect(decisions.map((d: any) => ({ row: d.row, decision: d.decision, reason: d.reason, ...(d.detail && d.reason !== 'wrong_column_count' && d.reason !== 'bad_encoding' ? { detail: d.detail } : {}) })))
      .to.deep.equal(EXPECTED);
    expect(await contactsNow()).to.deep.equal(before);
    const dryReport = await report(id, 'all');
    expect(dryReport.map((r) => Number(r.row))).to.deep.equal(EXPECTED.map((e) => e.row));
    const dryRejected = dryReport.filter((r) => r.decision === 'reject');

    const real = await runToEnd(id, false);
    expect(real.status).to.equal('done');
    expect(real.progress).to.deep.equal(dry.progress);
    // Imported once: the stored file is gone, and the import cannot run again.
    expect((await admin.post(`/api/v1/imports/${id}/start`, { options: MAPPING, dryRun: true })).status).to.equal(409);
    expect(existsSync(path.join(app.runtime.services.config.dataDir, 'imports', `${id}.csv`))).to.equal(false);
    const rejected = await report(id, 'rejected');
    expect(rejected).to.deep.equal(dryRejected);
    expect(rejected.find((r) => r.row === '8')!.line).to.equal('+33612345682,Eve,FR');
    expect(rejected.find((r) => r.row === '7')!.line).to.contain('+33612345681,');

    const after = await contactsNow();
    expect(after.map((c: any) => c.wa_id)).to.deep.equal(['33612345678', '33612345679', '33612345684']);
    const bob = after.find((c: any) => c.wa_id === '33612345679');
    expect(bob).to.deep.include({ profile_name: 'Bob', country: null, attributes: { tier: 'silver' } });
    expect([...bob.label_ids].sort()).to.deep.equal([vip, trial].sort());
    // The existing contact: the file's cells win, labels are added, other attributes stay.
    const gil = after.find((c: any) => c.wa_id === '33612345684');
    expect(gil).to.deep.include({ profile_name: 'Gil', attributes: { tier: 'silver', other: 1 } });
    expect([...gil.label_ids].sort()).to.deep.equal([vip, trial].sort());

    const events = await app.runtime.services.db('audit_events').where({ subject_id: id }).orderBy('seq');
    expect(events.map((e: any) => e.action)).to.deep.equal([
      'contact_import.uploaded', 'contact_import.started', 'contact_import.dry_run', 'contact_import.report_downloaded',
      'contact_import.started', 'contact_import.completed', 'contact_import.report_downloaded',
    ]);
    expect(events.find((e: any) => e.action === 'contact_import.completed').details).to.deep.include({ created: 2, updated: 1 });
    // Ids and counts only: no number, name or file name in the log.
    expect(JSON.stringify(events)).not.to.match(/3361234|Ann|Bob|contacts\.csv/);
  });

  it('skips numbers already in the base with "skip existing", and creates unknown labels when asked', async () => {
    const file = Buffer.from(`${HEADER}\n+33612345684,Gil renamed,FR,VIP,gold\n+33 7 81 23 45 67,Hal,FR,New label;vip,gold\n`);
    const db = app.runtime.services.db;
    const gilBefore = await db('contacts').where({ wa_id: '33612345684' }).first();
    const up = await upload(admin, file);
    const done = await runToEnd(up.body.import.id, false, { ...MAPPING, existing: 'skip', createLabels: true });
    expect(done.progress, JSON.stringify(done)).to.deep.include({ created: 1, skipped: 1, rejected: 0, newLabels: 1 });
    expect(await db('contacts').where({ wa_id: '33612345684' }).first()).to.deep.equal(gilBefore);
    const label = await db('labels').whereRaw('lower(name) = ?', ['new label']).first();
    const hal = await db('contacts').where({ wa_id: '33781234567' }).first();
    expect([...hal.label_ids].sort()).to.deep.equal([label.id, vip].sort());
  });

  it('finds a repeated number across batches (a file larger than one staging batch), naming the first row', async () => {
    const rows = Array.from({ length: 2_100 }, (_, i) => `+3361400${String(i).padStart(4, '0')},Row ${i},FR,,gold`);
    rows.push('+33614000000,Row 0 again,FR,,gold');
    const up = await upload(admin, Buffer.from(`${HEADER}\n${rows.join('\n')}\n`));
    const dry = await runToEnd(up.body.import.id, true);
    expect(dry.progress).to.deep.include({ rowsRead: 2_101, created: 2_100, rejected: 1 });
    const rejected = (await admin.get(`/api/v1/imports/${up.body.import.id}/rows?decision=reject`)).body.items;
    expect(rejected).to.deep.equal([{ row: 2_102, decision: 'reject', reason: 'duplicate_in_file', detail: 'row 2', line: '+33614000000,Row 0 again,FR,,gold' }]);
  });

  it('fails a file that stops being CSV after its first batches (read in the checking thread), importing none of it', async () => {
    const rows = Array.from({ length: 2_100 }, (_, i) => `+3361500${String(i).padStart(4, '0')},Row ${i},FR,,gold`);
    rows.push('+33615009999,"A quote never closed,FR,,gold', '+33615009998,After it,FR,,gold');
    const up = await upload(admin, Buffer.from(`${HEADER}\n${rows.join('\n')}\n`));
    const failed = await runToEnd(up.body.import.id, false);
    expect(failed.status).to.equal('failed');
    expect(failed.error).to.equal('The file is not readable as CSV.');
    expect(failed.progress.rowsRead).to.be.at.least(2_000);
    expect(await app.runtime.services.db('contacts').whereLike('wa_id', '3361500%').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
    const audited = await app.runtime.services.db('audit_events').where({ action: 'contact_import.failed', subject_id: up.body.import.id });
    expect(audited).to.have.length(1);
  });

  it('leaves nothing half-written when the apply fails midway, and says the run failed', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `+3361300${String(i).padStart(4, '0')},Row ${i},FR,,gold`);
    const up = await upload(admin, Buffer.from(`${HEADER}\n${rows.join('\n')}\n`));
    // A database failure on the 40th contact, after the first 39 were inserted in the same statement.
    const su = new pg.Client({ connectionString: app.superuserUrl });
    await su.connect();
    try {
      await su.query(`CREATE FUNCTION test_refuse_contact() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.wa_id = '33613000039' THEN RAISE EXCEPTION 'forced failure'; END IF; RETURN NEW; END $$`);
      await su.query('CREATE TRIGGER test_refuse_contact BEFORE INSERT ON contacts FOR EACH ROW EXECUTE FUNCTION test_refuse_contact()');
      const failed = await runToEnd(up.body.import.id, false);
      expect(failed.status).to.equal('failed');
      expect(failed.error).to.equal('The import failed; nothing was imported.');
      expect(await app.runtime.services.db('contacts').whereLike('wa_id', '3361300%').count({ n: '*' }).first()).to.deep.equal({ n: 0 });
    } finally {
      await su.query('DROP TRIGGER IF EXISTS test_refuse_contact ON contacts');
      await su.query('DROP FUNCTION IF EXISTS test_refuse_contact()');
      await su.end();
    }
    // Once the cause is gone, the same file imports whole.
    const again = await runToEnd(up.body.import.id, false);
    expect(again.status).to.equal('done');
    expect(await app.runtime.services.db('contacts').whereLike('wa_id', '3361300%').count({ n: '*' }).first()).to.deep.equal({ n: 50 });
  });

  it('refuses a wrong mapping, a file that is not CSV, and users without the permission (audited)', async () => {
    const up = await upload(admin, Buffer.from(`${HEADER}\n+33612345699,Ivy,FR,,gold\n`));
    const id = up.body.import.id;
    const short = await admin.post(`/api/v1/imports/${id}/start`, { options: { ...MAPPING, columns: ['phone', 'name'] }, dryRun: true });
    expect(short.status).to.equal(400);
    expect(short.body.error.details.fields[0].path).to.equal('body.options.columns');
    const noPhone = await admin.post(`/api/v1/imports/${id}/start`, { options: { ...MAPPING, columns: ['name', 'ignore', 'ignore', 'ignore', 'ignore'] }, dryRun: true });
    expect(noPhone.status).to.equal(400);
    expect((await upload(admin, Buffer.from('x'), 'photo.png', 'image/png')).status).to.equal(400);
    expect((await upload(admin, Buffer.from(''))).status).to.equal(400);
    expect((await upload(supervisor, Buffer.from(`${HEADER}\n`))).status).to.equal(403);
    expect((await supervisor.get(`/api/v1/imports/${id}`)).status).to.equal(403);
    expect((await fetch(`${app.url}/api/v1/imports/${id}/report.csv`)).status).to.equal(401);
    const denied = await app.runtime.services.db('audit_events').where({ action: 'access.denied' }).whereRaw("details->>'permission' LIKE 'ContactImport:%'");
    expect(denied.length).to.be.greaterThan(1);
  });
});
