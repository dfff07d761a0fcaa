// Sandbox media: upload, metadata, token-protected expiring download URLs, deletion, Meta's limits.
import { expect } from 'chai';
import { eventually } from '../support/eventually';
import { createHash } from 'node:crypto';
import { messagesOf, startTestBed, TEST_NUMBERS, type TestBed } from '../../server/sandbox/testkit';

const [SHOP, , BOUTIQUE] = TEST_NUMBERS as [typeof TEST_NUMBERS[0], typeof TEST_NUMBERS[0], typeof TEST_NUMBERS[0]];
const PN = SHOP.phoneNumberId;
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

function form(bytes: Buffer, type: string, filename = 'file', product = 'whatsapp'): FormData {
  const f = new FormData();
  f.set('messaging_product', product);
  f.set('type', type);
  f.set('file', new Blob([bytes], { type }), filename);
  return f;
}

/** A WebP whose VP8X header says "animated" (500 KB allowed) or not (100 KB). */
function webp(size: number, animated: boolean): Buffer {
  const bytes = Buffer.alloc(size);
  bytes.write('RIFF', 0, 'ascii');
  bytes.write('WEBP', 8, 'ascii');
  bytes.write('VP8X', 12, 'ascii');
  bytes[20] = animated ? 0x02 : 0x00;
  return bytes;
}

describe('sandbox media', function () {
  this.timeout(20_000);
  let bed: TestBed;
  const call = async (method: string, path: string, init?: Parameters<TestBed['graph']>[2]) => (await bed.graph(method, path, init)) as { status: number; json: any; raw: string };
  const upload = (body: FormData, token?: string) => call('POST', `/${PN}/media`, { body, token });

  beforeEach(async () => {
    bed = await startTestBed({ mediaUrlTtlMs: 300 });
  });
  afterEach(async () => bed.close());

  it('uploads, describes, downloads with the token only, and deletes', async () => {
    const up = await upload(form(PNG, 'image/png', 'pixel.png'));
    expect(up.status).to.equal(200);
    expect(up.json.id).to.match(/^\d{15,16}$/);
    const meta = await call('GET', `/${up.json.id}?phone_number_id=${PN}`);
    expect(meta.json).to.deep.include({
      messaging_product: 'whatsapp', mime_type: 'image/png', id: up.json.id, file_size: String(PNG.length), sha256: createHash('sha256').update(PNG).digest('hex'),
    });
    const withToken = await fetch(meta.json.url, { headers: { authorization: `Bearer ${SHOP.accessToken}` } });
    expect(withToken.status).to.equal(200);
    expect(withToken.headers.get('content-type')).to.equal('image/png');
    expect(Buffer.from(await withToken.arrayBuffer())).to.deep.equal(PNG);
    expect((await fetch(meta.json.url)).status).to.equal(401);
    expect((await fetch(meta.json.url, { headers: { authorization: `Bearer ${BOUTIQUE.accessToken}` } })).status).to.equal(401);
    expect((await fetch(meta.json.url.replace(/hash=[^&]+/, 'hash=forged'), { headers: { authorization: `Bearer ${SHOP.accessToken}` } })).status).to.equal(404);

    expect((await call('DELETE', `/${up.json.id}`)).json).to.deep.equal({ success: true });
    const gone = await call('GET', `/${up.json.id}`);
    expect(gone.json.error).to.include({ code: 100, error_subcode: 33 });
    expect(bed.sandbox.stats().media).to.deep.equal({ uploaded: 1, downloaded: 1, deleted: 1 });
  });

  it('refuses a download URL once it has expired; a fresh GET gives a new one', async () => {
    const up = await upload(form(PNG, 'image/png'));
    const meta = await call('GET', `/${up.json.id}`);
    // URLs carry whole-second expiry times (Meta's `ext`): the URL is refused once that second has passed.
    const expired = await eventually('the URL to expire', async () => {
      const res = await fetch(meta.json.url, { headers: { authorization: `Bearer ${SHOP.accessToken}` } });
      return res.status === 404 ? res.text() : null;
    });
    expect(expired).to.equal('URL signature expired');
    const fresh = await call('GET', `/${up.json.id}`);
    expect((await fetch(fresh.json.url, { headers: { authorization: `Bearer ${SHOP.accessToken}` } })).status).to.equal(200);
  });

  it('holds uploads to Meta\'s types and sizes', async () => {
    const big = await upload(form(Buffer.alloc(5 * 1024 * 1024 + 1), 'image/jpeg'));
    expect(big.json.error.code).to.equal(131053);
    const html = await upload(form(Buffer.from('<html>'), 'text/html'));
    expect(html.json.error.code).to.equal(100);
    expect(html.json.error.error_data.details).to.contain("Received file of type 'text/html'");
    expect((await upload(form(webp(150 * 1024, false), 'image/webp'))).json.error.code).to.equal(131053);
    expect((await upload(form(webp(150 * 1024, true), 'image/webp'))).status).to.equal(200);
    expect((await upload(form(webp(501 * 1024, true), 'image/webp'))).json.error.code).to.equal(131053);
    expect((await upload(form(Buffer.from('%PDF'), 'application/pdf'))).status).to.equal(200);
    expect((await upload(form(PNG, 'image/png', 'x', 'sms'))).json.error.code).to.equal(100);
    const noFile = new FormData();
    noFile.set('messaging_product', 'whatsapp');
    expect((await upload(noFile)).json.error.code).to.equal(131008);
    expect((await upload(form(PNG, 'image/png'), 'bad-token')).json.error.code).to.equal(190);
  });

  it('sends uploaded media by id, of the right kind only', async () => {
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: '16505550002', message: { type: 'text', body: 'Send me the photo' } });
    const up = await upload(form(PNG, 'image/png'));
    const send = (type: string) => call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to: '16505550002', type, [type]: { id: up.json.id } } });
    expect((await send('image')).status).to.equal(200);
    expect((await send('document')).status).to.equal(200);
    expect((await send('sticker')).json.error.code).to.equal(131009);
    const other = await call('POST', `/${BOUTIQUE.phoneNumberId}/messages`, {
      token: BOUTIQUE.accessToken,
      json: { messaging_product: 'whatsapp', to: '16505550002', type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
    });
    expect(other.status).to.equal(200);
  });

  it('stores a customer\'s media and lets the app download it by the id in the webhook', async () => {
    const bytes = Buffer.from('%PDF-1.7 invoice');
    await bed.sandbox.customerSends({
      phoneNumberId: PN, from: '16505550003',
      message: { type: 'document', bytes, mimeType: 'application/pdf', filename: 'invoice.pdf', caption: 'My invoice' },
    });
    const [message] = await bed.receiver.waitFor((r) => messagesOf(r).length > 0 && messagesOf(r));
    const document = message!.document as Record<string, string>;
    expect(document).to.deep.include({ mime_type: 'application/pdf', filename: 'invoice.pdf', caption: 'My invoice', sha256: createHash('sha256').update(bytes).digest('base64') });
    const meta = await call('GET', `/${document.id}`);
    const download = await fetch(meta.json.url, { headers: { authorization: `Bearer ${SHOP.accessToken}` } });
    expect(Buffer.from(await download.arrayBuffer()).toString()).to.equal('%PDF-1.7 invoice');
    // Another WABA's token cannot see it.
    expect((await call('GET', `/${document.id}`, { token: BOUTIQUE.accessToken })).json.error.code).to.equal(100);
  });
});
