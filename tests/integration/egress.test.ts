import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { EgressPolicy } from '../../server/modules/channels/egress';
import { MediaDownloader } from '../../server/modules/media/downloader';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { startFakeGraph, type FakeGraph } from '../support/fakeGraph';
import { addChannel, inbound, postWebhook, type TestChannel } from '../support/whatsapp';

describe("a number's settings are no way out: Graph API hosts and media downloads", function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let graph: FakeGraph;
  let channel: TestChannel;

  before(async () => {
    graph = await startFakeGraph();
    // The fake Graph API is the operator's allowed egress proxy; `localhost` is (wrongly) listed
    // as a media host, to prove the address is still checked after DNS resolution.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', GRAPH_ALLOWED_HOSTS: graph.url, MEDIA_ALLOWED_HOSTS: 'lookaside.fbsbx.com,localhost' });
    admin = await app.adminClient();
    channel = await addChannel(admin, { graphBaseUrl: graph.url });
  });
  after(async () => {
    await app.stop();
    await graph.close();
  });

  const db = () => app.runtime.services.db;
  const deniedEvents = async (subjectId: string | null) =>
    ((await admin.get('/api/v1/audit/events?action=access.denied')).body.items as any[]).filter((e) => e.subjectType === 'Channel' && e.subjectId === subjectId);

  it('refuses a Graph API base URL that is not Meta, an allowed host or the sandbox, naming the field, and audits the refusal', async () => {
    const body = { name: 'Exfil', phoneNumberId: '5550001', wabaId: '5550002', displayNumber: '+1 555 000 1000', accessToken: 'token-12345678', appSecret: 'secret-12345678', verifyToken: 'verify-12345678' };
    for (const graphBaseUrl of ['https://attacker.example', 'http://169.254.169.254', `${app.url}/sandbox/graph`]) {
      const res = await admin.post('/api/v1/channels', { ...body, graphBaseUrl });
      expect(res.status, graphBaseUrl).to.equal(400);
      expect(res.body.error.id).to.equal('graph_host_not_allowed');
      expect(res.body.error.details.fields[0].path).to.equal('body.graphBaseUrl');
    }
    expect(await db()('channels').where({ phone_number_id: '5550001' })).to.have.length(0);
    expect((await deniedEvents(null)).some((e) => e.details.reason === 'graph_host_not_allowed')).to.equal(true);
    const meta = await admin.post('/api/v1/channels', { ...body, graphBaseUrl: 'https://graph.facebook.com' });
    expect(meta.status, JSON.stringify(meta.body)).to.equal(201);
    const patched = await admin.patch(`/api/v1/channels/${meta.body.channel.id}`, { graphBaseUrl: 'https://attacker.example' });
    expect(patched.body.error.id).to.equal('graph_host_not_allowed');
  });

  it('moves a number to another Graph API host only with its access token entered again, and audits where it went', async () => {
    const moved = await admin.patch(`/api/v1/channels/${channel.id}`, { graphBaseUrl: 'https://graph.facebook.com' });
    expect(moved.status).to.equal(400);
    expect(moved.body.error.id).to.equal('access_token_required');
    expect(moved.body.error.details.fields[0].path).to.equal('body.accessToken');
    expect((await db()('channels').where({ id: channel.id }).first()).graph_base_url).to.equal(graph.url);
    expect((await deniedEvents(channel.id)).some((e) => e.details.reason === 'access_token_required')).to.equal(true);
    // The same URL again, or other fields, need no token.
    expect((await admin.patch(`/api/v1/channels/${channel.id}`, { graphBaseUrl: graph.url, name: 'Renamed' })).status).to.equal(200);
    const withToken = await admin.patch(`/api/v1/channels/${channel.id}`, { graphBaseUrl: 'https://graph.facebook.com', accessToken: 'a-new-token-5678' });
    expect(withToken.status, JSON.stringify(withToken.body)).to.equal(200);
    const events = (await admin.get('/api/v1/audit/events?action=channel.updated')).body.items as any[];
    const event = events.find((e) => e.subjectId === channel.id && e.details.graphBaseUrl);
    expect(event.details.graphBaseUrl).to.deep.equal({ from: graph.url, to: 'https://graph.facebook.com' });
    expect(event.details.secretsChanged).to.deep.equal(['accessToken']);
    expect(JSON.stringify(event.details)).not.to.include('a-new-token');
    const back = await admin.patch(`/api/v1/channels/${channel.id}`, { graphBaseUrl: graph.url, accessToken: channel.accessToken });
    expect(back.status).to.equal(200);
  });

  it('never sends the token to a base URL saved before the policy: the connection test refuses, the number acts as disabled', async () => {
    const legacy = await addChannel(admin, { graphBaseUrl: graph.url });
    // Reachable, but another origin than the allowed one: as if saved by an older version.
    await db()('channels').where({ id: legacy.id }).update({ graph_base_url: `http://localhost:${new URL(graph.url).port}` });
    app.runtime.services.channels.invalidate();
    const seen = graph.requested.length;
    const test = await admin.post(`/api/v1/channels/${legacy.id}/test`);
    expect(test.status).to.equal(200);
    expect(test.body.ok).to.equal(false);
    expect(test.body.details.error.message).to.match(/GRAPH_ALLOWED_HOSTS/);
    expect((await app.runtime.services.channels.get(legacy.id))!.status).to.equal('disabled');
    expect(graph.requested.length).to.equal(seen);
  });

  /** Sends an inbound document whose media the fake Graph describes with `url`; answers the media row once settled. */
  async function inboundDocument(mediaId: string, url: string, sha256 = 'AAAA') {
    graph.media(mediaId, { url, mime_type: 'application/pdf', sha256, file_size: 4 });
    const payload = inbound(channel, '15550002222', { type: 'document', document: { id: mediaId, mime_type: 'application/pdf', sha256, filename: 'x.pdf' } });
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
    return eventually('the media download settles', async () => {
      const row = await db()('media').where({ meta_media_id: mediaId }).first();
      return row && row.state !== 'pending' ? row : null;
    });
  }

  it('never downloads media from a host outside MEDIA_ALLOWED_HOSTS, nor from one that resolves to 127.0.0.1', async () => {
    graph.on('/secret', (_req, res) => res.end('internal'));
    const direct = await inboundDocument('7001', `${graph.url}/secret`);
    expect(direct.state).to.equal('failed');
    expect(direct.error.message).to.match(/refused/);
    const { port } = new URL(graph.url);
    const viaName = await inboundDocument('7002', `https://localhost/secret?port=${port}`);
    expect(viaName.state).to.equal('failed');
    expect(viaName.error.message).to.match(/not a public address/);
    const metadata = await inboundDocument('7003', 'https://169.254.169.254/latest/meta-data/');
    expect(metadata.state).to.equal('failed');
    expect(graph.requested).not.to.include('/secret');
  });

  describe('with a local server trusted as the sandbox is', () => {
    // Only the sandbox of the process may be on loopback; a downloader whose policy trusts the
    // fake server's /sandbox path as it would the sandbox's lets a real local server play
    // Meta's media host, and its redirects be checked hop by hop.
    let downloader: MediaDownloader;
    let policy: EgressPolicy;
    before(() => {
      policy = new EgressPolicy({ graphAllowedOrigins: [graph.url], mediaAllowedHosts: ['lookaside.fbsbx.com'] });
      policy.allowSandbox(`${graph.url}/sandbox`);
      downloader = new MediaDownloader({ ...app.runtime.services, egress: policy });
    });
    after(() => policy.close());

    const pending = async (mediaId: string, url: string, sha256: string) => {
      graph.media(mediaId, { url, mime_type: 'application/pdf', sha256 });
      const row = await db()('media').where({ meta_media_id: mediaId }).first();
      await db()('media').where({ id: row.id }).update({ state: 'pending', error: null, sha256 });
      await downloader.download(row.id);
      return db()('media').where({ id: row.id }).first();
    };
    const pdf = Buffer.from('%PDF-1.4 fine\n');
    const sha = createHash('sha256').update(pdf).digest('hex');

    it('follows a redirect inside the allowed place, and refuses one that points at 127.0.0.1', async () => {
      graph.on('/sandbox/file.pdf', (_req, res) => res.end(pdf));
      graph.on('/sandbox/hop', (_req, res) => res.writeHead(302, { location: '/sandbox/file.pdf' }).end());
      graph.on('/sandbox/escape', (_req, res) => res.writeHead(302, { location: `${graph.url}/secret` }).end());
      graph.on('/sandbox/escape-by-name', (_req, res) => res.writeHead(302, { location: `http://localhost:${new URL(graph.url).port}/sandbox/file.pdf` }).end());
      await inboundDocument('7101', 'https://127.0.0.1/unused');
      const ok = await pending('7101', `${graph.url}/sandbox/hop`, sha);
      expect(ok.state, JSON.stringify(ok.error)).to.equal('stored');
      expect(ok.sha256).to.equal(sha);
      for (const [id, hop] of [['7102', 'escape'], ['7103', 'escape-by-name']] as const) {
        await inboundDocument(id, 'https://127.0.0.1/unused');
        const refused = await pending(id, `${graph.url}/sandbox/${hop}`, sha);
        expect(refused.state, hop).to.equal('failed');
        expect(refused.error.message).to.match(/refused/);
      }
      expect(graph.requested).not.to.include('/secret');
    });

    it("refuses a file whose SHA-256 is not Meta's, and leaves no file behind", async () => {
      await inboundDocument('7201', 'https://127.0.0.1/unused');
      const bad = await pending('7201', `${graph.url}/sandbox/file.pdf`, createHash('sha256').update('other').digest('hex'));
      expect(bad.state).to.equal('failed');
      expect(bad.error.message).to.equal('checksum mismatch');
      const dir = path.join(app.runtime.services.config.dataDir, 'media');
      const names = (await readdir(dir, { recursive: true })).map(String);
      expect(names.filter((n) => n.includes(bad.id))).to.deep.equal([]);
    });
  });
});
