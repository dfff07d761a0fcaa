// E-discovery export bundles end to end: requested through the API, written by the worker's
// job with progress, downloaded (audited), every checksum of the manifest right, the manifest's
// signature checked by stock GnuPG with the appliance's public key, and expiry by retention.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { discoveryExportsExpire } from '../../server/jobs/discoveryExport';
import { JOBS } from '../../server/jobs/worker';
import { newId } from '../../server/lib/ids';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { unzip } from '../support/gdpr';
import { insertMessage, makeThread } from '../support/retention';
import { addChannel } from '../support/whatsapp';

const run = promisify(execFile);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function gpg(home: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('gpg', ['--batch', '--homedir', home, '--status-fd', '1', ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}


describe('e-discovery exports: signed bundles written by a job, verified by GnuPG, expired by retention', () => {
  let app: TestApp;
  let officer: ApiClient;
  let officerId: string;
  let gnupgHome: string;
  const db = () => app.runtime.services.db;
  const photo = Buffer.from('not really a jpeg, but bytes all the same');
  let messageIds: string[] = [];
  let mediaId: string;
  let goneMediaId: string;
  let exportId: string;
  let bundle: Buffer;

  const download = async (client: ApiClient, id: string) => {
    const res = await fetch(`${app.url}/api/v1/discovery/exports/${id}/download`, { headers: { cookie: client.cookieHeader() ?? '' } });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
  };

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all' });
    const admin = await app.adminClient();
    const o = await app.userWithRoles(['compliance-officer']);
    officer = o.client;
    officerId = o.id;
    gnupgHome = await mkdtemp(path.join(os.tmpdir(), 'sb-gnupg-'));
    const channel = await addChannel(admin);
    const t = await makeThread(db(), channel.id, '33612360001');
    const other = await makeThread(db(), channel.id, '33612360002');
    mediaId = newId();
    goneMediaId = newId();
    const key = `media/test/${mediaId}`;
    const stored = await app.runtime.services.media.put(key, photo);
    await db()('media').insert([
      { id: mediaId, channel_id: channel.id, direction: 'in', mime_type: 'image/jpeg', size: stored.size, sha256: stored.sha256, storage_key: key },
      { id: goneMediaId, channel_id: channel.id, direction: 'in', mime_type: 'application/pdf', storage_key: `media/test/${goneMediaId}` },
    ]);
    const day = 86_400_000;
    messageIds = [
      await insertMessage(db(), t, new Date(Date.now() - 3 * day), { text: 'Your invoice is attached' }),
      await insertMessage(db(), t, new Date(Date.now() - 2 * day), { text: 'photo of the invoice', mediaId }),
      await insertMessage(db(), t, new Date(Date.now() - day), { text: 'the signed invoice, as a PDF', mediaId: goneMediaId }),
    ];
    await insertMessage(db(), other, new Date(), { text: 'nothing to see here' });
  });
  after(async () => {
    await run('gpgconf', ['--homedir', gnupgHome, '--kill', 'all']).catch(() => undefined);
    await rm(gnupgHome, { recursive: true, force: true });
    await app.stop();
  });

  it('queues an export (audited without the query text) and the worker writes it, with progress to the end', async () => {
    expect(JOBS.map((j) => j.name)).to.include.members(['discovery.export', 'discovery.exports.expire']);
    const res = await officer.post('/api/v1/discovery/exports', { filters: { query: 'invoice' } });
    expect(res.status, JSON.stringify(res.body)).to.equal(202);
    expect(res.body.export).to.include({ state: 'queued', doneMessages: 0 });
    exportId = res.body.export.id;
    const requested = await db()('audit_events').where({ action: 'discovery.export_requested', subject_id: exportId }).first();
    expect(requested.actor_id).to.equal(officerId);
    expect(JSON.stringify(requested.details)).not.to.contain('invoice');
    const done = await eventually('the export to finish', async () => {
      const r = await officer.get(`/api/v1/discovery/exports/${exportId}`);
      return r.body.export.state === 'done' ? r.body.export : null;
    }, 30_000);
    expect(done).to.include({ totalMessages: 3, doneMessages: 3, mediaFiles: 1 });
    expect(done.sha256).to.match(/^[0-9a-f]{64}$/);
    const days = (await db()('retention_policies').where({ data_class: 'exports' }).whereNull('channel_id').first()).days;
    const lifetime = new Date(done.expiresAt).getTime() - new Date(done.createdAt).getTime();
    expect(Math.round(lifetime / 86_400_000)).to.equal(days);
    const list = await officer.get('/api/v1/discovery/exports');
    expect(list.body.items.map((e: { id: string }) => e.id)).to.include(exportId);
    const completed = await db()('audit_events').where({ action: 'discovery.export_completed', subject_id: exportId }).first();
    expect(completed.actor_type).to.equal('system');
  });

  it('downloads a zip whose manifest lists every file with its right SHA-256, audited', async () => {
    const res = await download(officer, exportId);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/zip');
    expect(res.headers.get('content-disposition')).to.equal(`attachment; filename="switchboard-discovery-${exportId}.zip"`);
    bundle = res.body;
    expect(sha256(bundle)).to.equal((await officer.get(`/api/v1/discovery/exports/${exportId}`)).body.export.sha256);
    const files = await unzip(bundle);
    expect([...files.keys()].sort()).to.deep.equal(['README.txt', 'manifest.json', 'manifest.json.asc', 'media/' + mediaId + '.jpg', 'messages.jsonl'].sort());
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(manifest).to.deep.include({ type: 'switchboard.discovery-export', version: 1, exportId, messages: 3, missingMedia: [goneMediaId] });
    expect(manifest.filters).to.deep.equal({ query: 'invoice' });
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).to.deep.equal(['README.txt', `media/${mediaId}.jpg`, 'messages.jsonl']);
    for (const f of manifest.files as Array<{ path: string; sha256: string; size: number }>) {
      expect(sha256(files.get(f.path)!), f.path).to.equal(f.sha256);
      expect(files.get(f.path)!.length, f.path).to.equal(f.size);
    }
    expect(files.get(`media/${mediaId}.jpg`)!.equals(photo)).to.equal(true);
    const lines = files.get('messages.jsonl')!.toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.id)).to.deep.equal(messageIds);
    expect(lines[1]).to.deep.include({ text: 'photo of the invoice', mediaId, direction: 'in' });
    expect(lines[0].contact.waId).to.equal('33612360001');
    expect(files.get('README.txt')!.toString('utf8')).to.contain('gpg --verify manifest.json.asc manifest.json');
    const downloaded = await db()('audit_events').where({ action: 'discovery.export_downloaded', subject_id: exportId, actor_id: officerId }).first();
    expect(downloaded).to.not.equal(undefined);
  });

  it("has GnuPG verify the manifest's signature with the appliance's public key, and refuse an edited manifest", async () => {
    const files = await unzip(bundle);
    const admin = await app.adminClient();
    const key = await admin.get('/api/v1/audit/public-key');
    expect(key.status).to.equal(200);
    await writeFile(path.join(gnupgHome, 'appliance.asc'), key.body);
    await writeFile(path.join(gnupgHome, 'manifest.json'), files.get('manifest.json')!);
    await writeFile(path.join(gnupgHome, 'manifest.json.asc'), files.get('manifest.json.asc')!);
    const imported = await gpg(gnupgHome, ['--import', path.join(gnupgHome, 'appliance.asc')]);
    expect(imported.code, imported.stderr).to.equal(0);
    const verified = await gpg(gnupgHome, ['--verify', path.join(gnupgHome, 'manifest.json.asc'), path.join(gnupgHome, 'manifest.json')]);
    expect(verified.code, verified.stderr).to.equal(0);
    expect(verified.stdout).to.contain('[GNUPG:] GOODSIG');
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(verified.stdout).to.contain(`[GNUPG:] VALIDSIG ${manifest.signingKeyFingerprint}`);

    // A manifest edited after signing (one file's checksum swapped) no longer verifies.
    const forged = files.get('manifest.json')!.toString('utf8').replace(manifest.files[0].sha256, '0'.repeat(64));
    await writeFile(path.join(gnupgHome, 'manifest.json'), forged);
    const refused = await gpg(gnupgHome, ['--verify', path.join(gnupgHome, 'manifest.json.asc'), path.join(gnupgHome, 'manifest.json')]);
    expect(refused.code).to.not.equal(0);
    expect(refused.stdout).to.contain('[GNUPG:] BADSIG');
  });

  it('lets only holders of the export permissions request, read or download exports', async () => {
    const auditor = await app.userWithRoles(['auditor']);
    const agent = await app.userWithRoles(['agent']);
    for (const c of [auditor.client, agent.client]) {
      expect((await c.post('/api/v1/discovery/exports', { filters: { query: 'invoice' } })).status).to.equal(403);
      expect((await c.get('/api/v1/discovery/exports')).status).to.equal(403);
      expect((await download(c, exportId)).status).to.equal(403);
    }
    expect((await download(app.client(), exportId)).status).to.equal(401);
    expect((await officer.get(`/api/v1/discovery/exports/${newId()}`)).status).to.equal(404);
    expect((await officer.post('/api/v1/discovery/exports', { filters: { query: '' } })).status).to.equal(400);
  });

  it('deletes the bundle once the exports retention period is over, marks the export expired and refuses its download', async () => {
    const fileKey = (await db()('discovery_exports').where({ id: exportId }).first()).file_key as string;
    await db()('discovery_exports').where({ id: exportId }).update({ expires_at: new Date(Date.now() - 1000) });
    await discoveryExportsExpire.perform(app.runtime.services, {});
    const row = await officer.get(`/api/v1/discovery/exports/${exportId}`);
    expect(row.body.export.state).to.equal('expired');
    let gone = false;
    await app.runtime.services.media.open(fileKey).catch(() => {
      gone = true;
    });
    expect(gone, 'the zip is deleted from the store').to.equal(true);
    const res = await download(officer, exportId);
    expect(res.status).to.equal(409);
    const expired = await db()('audit_events').where({ action: 'discovery.export_expired', subject_id: exportId }).first();
    expect(expired.actor_type).to.equal('system');
  });
});
