import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EgressPolicy } from '../../server/modules/channels/egress';
import { MediaDownloader } from '../../server/modules/media/downloader';
import { startTestApp, type TestApp } from '../support/app';
import { eventually } from '../support/eventually';
import { startFakeGraph, type FakeGraph } from '../support/fakeGraph';
import { addChannel, inbound, postWebhook, type TestChannel } from '../support/whatsapp';

const MB = 1024 * 1024;
const SIZE = 100 * MB;
// One megabyte of varied bytes; the document is 100 of them, each with its index in front.
const BLOCK = Buffer.from(Array.from({ length: MB }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
const blockAt = (n: number) => {
  const b = Buffer.from(BLOCK);
  b.writeUInt32BE(n, 0);
  return b;
};

/** The process's live JavaScript memory: heap objects plus Buffers and other ArrayBuffers (external). */
function liveBytes(gc: () => void): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

describe('inbound media is streamed into the store, never whole in memory', function () {
  this.timeout(120_000);
  let app: TestApp;
  let graph: FakeGraph;
  let channel: TestChannel;
  let policy: EgressPolicy;

  before(async () => {
    graph = await startFakeGraph();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', GRAPH_ALLOWED_HOSTS: graph.url });
    channel = await addChannel(await app.adminClient(), { graphBaseUrl: graph.url });
    // The local server plays Meta's media host from the one place on loopback a policy trusts: the sandbox's path.
    policy = new EgressPolicy({ graphAllowedOrigins: [graph.url], mediaAllowedHosts: [] });
    policy.allowSandbox(`${graph.url}/sandbox`);
  });
  after(async () => {
    await policy.close();
    await app.stop();
    await graph.close();
  });

  it('a 100 MB document raises live memory (heap + external, after GC) by less than 50 MB while it downloads', async () => {
    // Measured in this process, around the download, as live heap + external memory after a
    // forced GC at each sample: that is exactly what a file held whole would occupy (100 MB of
    // Buffers in `external`). RSS would also count pages the allocator keeps after freeing and
    // the test's own server, so it measures the allocator rather than the code.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const hash = createHash('sha256');
    for (let n = 0; n < SIZE / MB; n++) {
      hash.update(blockAt(n));
    }
    const sha256 = hash.digest('hex');
    // Sampled as the server sends every tenth megabyte: by the last one the downloader has
    // received nearly all of the file, which a whole-file buffer would still be holding.
    let sample = () => undefined as void;
    graph.on('/sandbox/big.pdf', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': String(SIZE) });
      let n = 0;
      const more = () => {
        while (n < SIZE / MB) {
          if (n % 10 === 9) {
            sample();
          }
          if (!res.write(blockAt(n++))) {
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      more();
    });
    graph.media('8001', { url: `${graph.url}/sandbox/big.pdf`, mime_type: 'application/pdf', sha256, file_size: SIZE });
    // The webhook stores the message; the app's own downloader refuses the loopback URL, which
    // leaves the row for the downloader under test.
    const payload = inbound(channel, '15550003333', { type: 'document', document: { id: '8001', mime_type: 'application/pdf', sha256, filename: 'big.pdf' } });
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
    const db = app.runtime.services.db;
    const row = await eventually('the message is stored', async () => db('media').where({ meta_media_id: '8001' }).whereNot({ state: 'pending' }).first());
    await db('media').where({ id: row.id }).update({ state: 'pending', error: null });

    const downloader = new MediaDownloader({ ...app.runtime.services, egress: policy });
    const baseline = liveBytes(gc);
    let peak = baseline;
    let samples = 0;
    sample = () => {
      samples += 1;
      peak = Math.max(peak, liveBytes(gc));
    };
    await downloader.download(row.id);
    sample();
    expect(samples).to.equal(11);
    const stored = await db('media').where({ id: row.id }).first();
    expect(stored.state, JSON.stringify(stored.error)).to.equal('stored');
    expect(Number(stored.size)).to.equal(SIZE);
    expect(stored.sha256).to.equal(sha256);
    expect(peak - baseline, `peak ${((peak - baseline) / MB).toFixed(1)} MB over baseline`).to.be.below(50 * MB);
    // The bytes in the store are the document's.
    const { stream, size } = await app.runtime.services.media.open(stored.storage_key);
    const check = createHash('sha256');
    for await (const chunk of stream) {
      check.update(chunk as Buffer);
    }
    expect(size).to.equal(SIZE);
    expect(check.digest('hex')).to.equal(sha256);
    await app.runtime.services.media.remove(stored.storage_key);
  });
});
