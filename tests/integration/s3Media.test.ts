// The S3-compatible media store, against a real S3 server (s3rver on loopback): the store on its
// own, then the whole app with MEDIA_STORE=s3 (inbound media lands in the bucket and is served
// back; uploaded media is read from the bucket when sent).
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { clientFor } from '../../server/modules/channels/credentials';
import { S3MediaStore } from '../../server/modules/media/s3Store';
import { DirectoryMediaStore, isMediaMissing, mediaKey, type MediaStore } from '../../server/modules/media/store';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { startTestS3, type TestS3 } from '../support/s3';
import { eventually } from '../support/eventually';
import { TINY_PNG } from '../support/media';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  expect.fail('expected a rejection');
}

describe('S3 media store against a real S3-compatible server', function () {
  this.timeout(30_000);
  let s3: TestS3;
  let store: S3MediaStore;

  before(async () => {
    s3 = await startTestS3();
    store = new S3MediaStore(s3.settings({ prefix: 'store/' }));
  });
  after(async () => {
    store?.close();
    await s3?.stop();
  });

  it('puts bytes under the prefix, reports size and sha256, and opens them as a stream with their length', async () => {
    const bytes = Buffer.from('a media file, not a real one\n'.repeat(100));
    const stored = await store.put('2026/11/put-open', bytes);
    expect(stored).to.deep.equal({ size: bytes.length, sha256: sha256(bytes) });
    expect(await s3.has('store/2026/11/put-open')).to.equal(true);
    expect((await s3.bytesOf('store/2026/11/put-open')).equals(bytes)).to.equal(true);
    const { stream, size } = await store.open('2026/11/put-open');
    expect(size).to.equal(bytes.length);
    expect((await readAll(stream)).equals(bytes)).to.equal(true);
  });

  it('signs the body\'s SHA-256 and sends no flexible-checksum headers, which many S3-compatible servers refuse', async () => {
    const bytes = Buffer.from('checked bytes');
    const before = s3.requests.length;
    await store.put('2026/11/headers', bytes);
    const puts = s3.requests.slice(before).filter((r) => r.method === 'PUT');
    expect(puts).to.have.length(1);
    const headers = puts[0]!.headers;
    expect(headers['x-amz-content-sha256']).to.equal(sha256(bytes));
    expect(headers['content-length']).to.equal(String(bytes.length));
    expect(headers['x-amz-meta-sha256']).to.equal(sha256(bytes));
    expect(Object.keys(headers).filter((h) => h.startsWith('x-amz-checksum-') || h.startsWith('x-amz-sdk-checksum'))).to.deep.equal([]);
  });

  it('streams a file larger than a part as a multipart upload, holding one part at a time', async () => {
    // 20 MB in 1 MB chunks, generated as they are read: three parts of at most 8 MB.
    const chunk = (n: number) => Buffer.alloc(1024 * 1024, n);
    const whole = createHash('sha256');
    for (let n = 0; n < 20; n++) {
      whole.update(chunk(n));
    }
    const before = s3.requests.length;
    const stored = await store.putStream('2026/11/big', Readable.from((function* () {
      for (let n = 0; n < 20; n++) {
        yield chunk(n);
      }
    })()));
    expect(stored).to.deep.equal({ size: 20 * 1024 * 1024, sha256: whole.digest('hex') });
    const parts = s3.requests.slice(before).filter((r) => r.method === 'PUT' && r.path.endsWith('/store/2026/11/big'));
    expect(parts).to.have.length(3);
    expect(sha256(await s3.bytesOf('store/2026/11/big'))).to.equal(stored.sha256);
  });

  it('leaves no object when the check refuses the bytes or the source fails, small or multipart', async () => {
    const refuse = () => {
      throw new Error('checksum mismatch');
    };
    const big = () => Readable.from((function* () {
      for (let n = 0; n < 10; n++) {
        yield Buffer.alloc(1024 * 1024, n);
      }
    })());
    const failing = () => Readable.from((async function* () {
      yield Buffer.alloc(9 * 1024 * 1024, 1);
      throw new Error('connection reset');
    })());
    for (const [key, source, verify] of [
      ['2026/11/refused-small', Readable.from([Buffer.from('small')]), refuse],
      ['2026/11/refused-big', big(), refuse],
      ['2026/11/broken-big', failing(), undefined],
    ] as const) {
      const err = await store.putStream(key, source, verify).then(() => null, (e: Error) => e);
      expect(err?.message, key).to.match(/checksum mismatch|connection reset/);
      expect(await s3.has(`store/${key}`), key).to.equal(false);
    }
  });

  it('fails a missing key exactly as the directory store fails a missing file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'switchboard-media-'));
    try {
      const stores: MediaStore[] = [store, new DirectoryMediaStore(dir)];
      for (const s of stores) {
        const err = await rejection(s.open('2026/11/never-stored'));
        expect(isMediaMissing(err), s.constructor.name).to.equal(true);
        expect((err as { code?: string }).code, s.constructor.name).to.equal('ENOENT');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('removes an object, and removing it again is not an error', async () => {
    await store.put('2026/11/removed', Buffer.from('bye'));
    await store.remove('2026/11/removed');
    expect(await s3.has('store/2026/11/removed')).to.equal(false);
    expect(isMediaMissing(await rejection(store.open('2026/11/removed')))).to.equal(true);
    await store.remove('2026/11/removed');
  });

  it('keeps stores with different prefixes apart in one bucket', async () => {
    const other = new S3MediaStore(s3.settings({ prefix: 'other/' }));
    const bare = new S3MediaStore(s3.settings());
    try {
      await other.put('2026/11/shared-key', Buffer.from('other'));
      await store.put('2026/11/shared-key', Buffer.from('store'));
      expect((await readAll((await other.open('2026/11/shared-key')).stream)).toString()).to.equal('other');
      expect((await readAll((await store.open('2026/11/shared-key')).stream)).toString()).to.equal('store');
      expect(isMediaMissing(await rejection(bare.open('2026/11/shared-key')))).to.equal(true);
      await other.remove('2026/11/shared-key');
      expect((await readAll((await store.open('2026/11/shared-key')).stream)).toString()).to.equal('store');
    } finally {
      other.close();
      bare.close();
    }
  });

  it('is refused by the server with a wrong secret key (requests are really signed), and reports it as no missing file', async () => {
    const wrong = new S3MediaStore(s3.settings({ credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'not-the-secret' } }));
    try {
      const err = await rejection(wrong.put('2026/11/forbidden', Buffer.from('x')));
      expect((err as { name?: string }).name).to.equal('SignatureDoesNotMatch');
      const openErr = await rejection(wrong.open('2026/11/put-open'));
      expect(isMediaMissing(openErr)).to.equal(false);
    } finally {
      wrong.close();
    }
    expect(await s3.has('2026/11/forbidden')).to.equal(false);
  });

  it('refuses unsafe keys before sending anything', async () => {
    const before = s3.requests.length;
    for (const key of ['../escape', '/absolute', 'UPPER/case', '2026/../x']) {
      expect(((await rejection(store.put(key, Buffer.from('x')))) as Error).message, key).to.match(/unsafe media key/);
    }
    expect(s3.requests.length).to.equal(before);
  });
});

describe('app with MEDIA_STORE=s3: inbound media lands in the bucket and is served from it', function () {
  this.timeout(60_000);
  let s3: TestS3;
  let app: TestApp;
  let admin: ApiClient;
  let phoneNumberId: string;
  let channelId: string;

  before(async () => {
    s3 = await startTestS3();
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', ...s3.env('switchboard/media') });
    admin = await app.adminClient();
    const channels = await admin.get('/api/v1/channels');
    phoneNumberId = channels.body.items[0].phoneNumberId;
    channelId = channels.body.items[0].id;
  });
  after(async () => {
    await app?.stop();
    await s3?.stop();
  });

  it('stores an inbound image in the bucket and serves it only to those who may see the conversation', async () => {
    const sandbox = app.runtime.sandbox!.sandbox;
    await sandbox.customerSends({ phoneNumberId, from: '33700000042', profileName: 'Img', message: { type: 'image', bytes: TINY_PNG, mimeType: 'image/png', caption: 'photo' } });
    const conv = await eventually('the conversation', async () => (await admin.get('/api/v1/conversations?q=33700000042')).body.items[0]);
    const message = await eventually('the media stored', async () => {
      const page = await admin.get(`/api/v1/conversations/${conv.id}/messages`);
      const m = page.body.items[0];
      return m?.media?.state === 'stored' ? m : null;
    });

    // In the bucket, under the prefix, with the date-sharded key and the very bytes.
    const row = await app.runtime.services.db('media').where({ id: message.media.id }).first();
    const objectKey = `switchboard/media/${mediaKey(row.id, row.created_at)}`;
    expect(row.storage_key).to.equal(mediaKey(row.id, row.created_at));
    expect(row.sha256).to.equal(sha256(TINY_PNG));
    expect(await s3.has(objectKey)).to.equal(true);
    expect((await s3.bytesOf(objectKey)).equals(TINY_PNG)).to.equal(true);

    const res = await fetch(app.url + message.media.url, { headers: { cookie: admin.cookieHeader()! } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('image/png');
    expect(res.headers.get('content-length')).to.equal(String(TINY_PNG.length));
    expect(Buffer.from(await res.arrayBuffer()).equals(TINY_PNG)).to.equal(true);

    const agent = await app.userWithRoles(['agent']);
    await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: (await app.userWithRoles(['agent'])).id });
    expect((await agent.client.get(message.media.url)).status).to.equal(404);

    // An object lost from the bucket is a clear 410, not a server error.
    await app.runtime.services.media.remove(row.storage_key);
    const gone = await admin.get(message.media.url);
    expect(gone.status).to.equal(410);
    expect(gone.body.error.id).to.equal('media_missing');
  });

  it('keeps an uploaded file in the bucket and sends it to WhatsApp from there', async () => {
    const sandbox = app.runtime.sandbox!.sandbox;
    await sandbox.customerSends({ phoneNumberId, from: '33700000043', profileName: 'Doc', message: { type: 'text', body: 'Send me the PDF' } });
    const conv = await eventually('the conversation', async () => (await admin.get('/api/v1/conversations?q=33700000043')).body.items[0]);

    const pdf = Buffer.from('%PDF-1.4\n% a tiny document\n');
    const form = new FormData();
    form.set('file', new Blob([pdf], { type: 'application/pdf' }), 'tarifs.pdf');
    const upload = await fetch(`${app.url}/api/v1/media`, {
      method: 'POST',
      headers: { cookie: admin.cookieHeader()!, 'x-csrf-token': admin.csrfToken! },
      body: form,
    });
    expect(upload.status).to.equal(201);
    const media = ((await upload.json()) as { media: { id: string } }).media;
    const row = await app.runtime.services.db('media').where({ id: media.id }).first();
    expect((await s3.bytesOf(`switchboard/media/${row.storage_key}`)).equals(pdf)).to.equal(true);

    const sent = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'media', mediaId: media.id, caption: 'Voici' });
    expect(sent.status).to.equal(201);
    const out = await eventually('the customer receives the document', async () =>
      sandbox.conversation(phoneNumberId, '33700000043').find((m) => m.direction === 'out'),
    );
    // What WhatsApp (the sandbox) received is the file the sender read back from the bucket.
    const creds = await app.runtime.services.channels.get(channelId);
    const graph = clientFor(creds!, 10_000);
    const info = await graph.getMedia((out.body as { id: string }).id);
    expect((await graph.downloadMedia(info.url, 1024 * 1024)).equals(pdf)).to.equal(true);
  });
});
