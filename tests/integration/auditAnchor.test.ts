import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as openpgp from 'openpgp';
import { auditAnchor } from '../../server/jobs/auditAnchor';
import { JOBS } from '../../server/jobs/worker';
import { projectRoot } from '../../server/lib/paths';
import type { ApiClient } from '../support/client';
import { startTestApp, type TestApp } from '../support/app';
import { deleteAuditTail, rewriteAuditHistory } from '../support/auditTamper';

const run = promisify(execFile);

/** Runs a command and returns its exit code and output, whatever the code. */
async function exitOf(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { env: env ?? process.env, cwd: projectRoot });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** `npm run audit:verify` against the app's database and data dir. */
function cliVerify(app: TestApp) {
  const { config } = app.runtime.services;
  return exitOf(path.join(projectRoot, 'node_modules', '.bin', 'tsx'), ['server/cli/auditVerify.ts'], {
    PATH: process.env.PATH,
    DATABASE_URL: app.databaseUrl,
    SWITCHBOARD_MASTER_KEY: app.runtime.services.masterKey.toString('base64'),
    SWITCHBOARD_DATA_DIR: config.dataDir,
    LOG_LEVEL: 'silent',
  });
}

describe('audit anchors: the chain head signed with the appliance key, kept outside the database', () => {
  let app: TestApp;
  let admin: ApiClient;
  let gnupgHome: string;
  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    gnupgHome = await mkdtemp(path.join(os.tmpdir(), 'sb-gnupg-'));
  });
  after(async () => {
    await exitOf('gpgconf', ['--homedir', gnupgHome, '--kill', 'all']);
    await rm(gnupgHome, { recursive: true, force: true });
    await app.stop();
  });

  it('verifies without an anchor, and says so', async () => {
    const res = await admin.get('/api/v1/audit/verify');
    expect(res.body).to.include({ ok: true, anchor: null });
    expect((await admin.get('/api/v1/audit/anchors/latest')).status).to.equal(404);
  });

  it('anchors on demand, for holders of AuditEvent:anchor only, and audits it', async () => {
    const agent = await app.userWithRoles(['agent']);
    const refused = await agent.client.post('/api/v1/audit/anchors');
    expect(refused.status).to.equal(403);
    const officer = await app.userWithRoles(['compliance-officer']);
    const res = await officer.client.post('/api/v1/audit/anchors');
    expect(res.status).to.equal(201);
    expect(res.body.seq).to.be.a('number');
    expect(res.body.hash).to.match(/^[0-9a-f]{64}$/);
    const events = await admin.get('/api/v1/audit/events?action=audit.anchored');
    expect(events.body.items[0]).to.deep.include({ actorId: officer.id, subjectId: String(res.body.seq) });
    expect(events.body.items[0].details).to.include({ trigger: 'request', seq: res.body.seq });
    const verified = await admin.get('/api/v1/audit/verify');
    expect(verified.body.ok).to.equal(true);
    expect(verified.body.anchor).to.include({ seq: res.body.seq, hash: res.body.hash });
  });

  it('anchors on the hourly schedule through a job whose queue the owner created', async () => {
    expect(JOBS.map((j) => j.name)).to.include('audit.anchor');
    expect(typeof auditAnchor.cron === 'function' && auditAnchor.cron(app.runtime.services.config)).to.equal('0 * * * *');
    const queue = await app.runtime.services.db('pgboss.queue').where({ name: 'audit.anchor' }).first();
    expect(queue).to.not.equal(undefined);
    const head = await app.runtime.services.db('audit_events').max<{ max: number }[]>('seq as max');
    await auditAnchor.perform(app.runtime.services, {});
    const verified = await admin.get('/api/v1/audit/verify');
    expect(verified.body.anchor.seq).to.equal(head[0]!.max);
    const events = await admin.get('/api/v1/audit/events?action=audit.anchored&limit=1');
    expect(events.body.items[0]).to.deep.include({ actorType: 'system' });
    expect(events.body.items[0].details.trigger).to.equal('schedule');
  });

  it("downloads the latest anchor and the public key, and GnuPG verifies the anchor's signature", async () => {
    const anchorRes = await admin.get('/api/v1/audit/anchors/latest');
    expect(anchorRes.status).to.equal(200);
    expect(anchorRes.headers.get('content-disposition')).to.match(/^attachment; filename="switchboard-audit-anchor-\d+\.json\.asc"$/);
    expect(anchorRes.body).to.contain('-----BEGIN PGP SIGNED MESSAGE-----');
    const keyRes = await admin.get('/api/v1/audit/public-key');
    expect(keyRes.status).to.equal(200);
    expect(keyRes.headers.get('content-type')).to.equal('application/pgp-keys');
    const anchorFile = path.join(gnupgHome, 'anchor.json.asc');
    const keyFile = path.join(gnupgHome, 'appliance.asc');
    await writeFile(anchorFile, anchorRes.body);
    await writeFile(keyFile, keyRes.body);

    const imported = await exitOf('gpg', ['--batch', '--homedir', gnupgHome, '--import', keyFile]);
    expect(imported.code, imported.stderr).to.equal(0);
    const verified = await exitOf('gpg', ['--batch', '--homedir', gnupgHome, '--status-fd', '1', '--verify', anchorFile]);
    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout).to.contain('[GNUPG:] GOODSIG');
    const { fingerprint } = (await admin.get('/api/v1/audit/verify')).body.anchor;
    expect(verified.stdout).to.contain(`[GNUPG:] VALIDSIG ${fingerprint}`);

    // A statement edited after signing (another sequence number) no longer verifies.
    const forged = String(anchorRes.body).replace(/"seq":(\d+)/, (_m, n: string) => `"seq":${Number(n) + 1}`);
    await writeFile(anchorFile, forged);
    const refused = await exitOf('gpg', ['--batch', '--homedir', gnupgHome, '--status-fd', '1', '--verify', anchorFile]);
    expect(refused.code).to.not.equal(0);
    expect(refused.stdout).to.contain('[GNUPG:] BADSIG');
  });

  it('detects and names a deleted tail (the chain ends before the anchored event), in the API and the CLI', async () => {
    const anchored = await admin.post('/api/v1/audit/anchors');
    expect(anchored.status).to.equal(201);
    await deleteAuditTail(app.superuserUrl, anchored.body.seq - 1);
    expect((await app.runtime.services.audit.verify()).ok, 'the chain alone looks intact').to.equal(true);
    const cli = await cliVerify(app);
    expect(cli.code).to.equal(2);
    expect(cli.stderr).to.contain(`broken at sequence ${anchored.body.seq - 1} (tail_deleted)`);
    expect(cli.stderr).to.contain('the newest events were deleted');
    const res = await admin.get('/api/v1/audit/verify');
    expect(res.body).to.deep.include({ ok: false, reason: 'tail_deleted', firstBrokenSeq: anchored.body.seq - 1 });
  });
});

describe('audit anchors: a re-hashed history', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  it('detects and names a history rewritten and re-hashed behind the application', async () => {
    const admin = await app.adminClient();
    await admin.post('/api/v1/teams', { name: 'Before the anchor', description: 'x' });
    const anchored = await admin.post('/api/v1/audit/anchors');
    expect(anchored.status).to.equal(201);
    await rewriteAuditHistory(app.superuserUrl, 2, { rewritten: true });
    expect((await app.runtime.services.audit.verify()).ok, 'the re-hashed chain is consistent in itself').to.equal(true);
    const res = await admin.get('/api/v1/audit/verify');
    expect(res.body).to.deep.include({ ok: false, reason: 'history_rewritten', firstBrokenSeq: anchored.body.seq });
    const cli = await cliVerify(app);
    expect(cli.code).to.equal(2);
    expect(cli.stderr).to.contain('(history_rewritten)');
  });

  it('refuses an anchor replaced by one signed with another key (someone covering their tracks)', async () => {
    const admin = await app.adminClient();
    const file = path.join(app.runtime.services.config.dataDir, 'media', 'audit-anchors', 'latest.json.asc');
    const head = await app.runtime.services.db('audit_events').select('seq', 'hash').orderBy('seq', 'desc').first();
    const genuine = await readFile(file, 'utf8');
    const statement = JSON.parse((await openpgp.readCleartextMessage({ cleartextMessage: genuine })).getText());
    const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'Intruder' }], format: 'object' });
    const forged = await openpgp.sign({
      message: await openpgp.createCleartextMessage({ text: JSON.stringify({ ...statement, seq: head.seq, hash: head.hash }) }),
      signingKeys: privateKey,
    });
    await writeFile(file, forged);
    const res = await admin.get('/api/v1/audit/verify');
    expect(res.body).to.deep.include({ ok: false, reason: 'anchor_invalid', anchor: null });
  });
});
