// A Cloud API client written by others works unchanged against the sandbox; the sandbox mounts inside a Koa app.
import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphApiError, WhatsAppClient } from '@kapso/whatsapp-cloud-api';
import Koa from 'koa';
import { createSandbox, type Sandbox } from '../../server/sandbox';
import { messagesOf, startTestBed, startWebhookReceiver, statusesOf, TEST_NUMBERS, type TestBed, type WebhookReceiver } from '../../server/sandbox/testkit';

const [SHOP] = TEST_NUMBERS as [typeof TEST_NUMBERS[0]];
const PN = SHOP.phoneNumberId;
const CUSTOMER = '16505550020';

describe('sandbox with a third-party Cloud API client (@kapso/whatsapp-cloud-api)', function () {
  this.timeout(20_000);
  let bed: TestBed;
  let client: WhatsAppClient;

  before(async () => {
    bed = await startTestBed();
    // Only the base URL differs from production use: the client is otherwise used as its README shows.
    client = new WhatsAppClient({ baseUrl: `${bed.url}/graph`, accessToken: SHOP.accessToken });
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, profileName: 'Ana', message: { type: 'text', body: 'Hello shop' } });
  });
  after(async () => bed.close());

  it('sends a text and a template, whose statuses then arrive', async () => {
    const textRes = await client.messages.sendText({ phoneNumberId: PN, to: `+${CUSTOMER}`, body: 'Hi Ana, how can we help?' });
    expect(textRes.messages[0]!.id).to.match(/^wamid\./);
    expect(textRes.contacts[0]!.waId).to.equal(CUSTOMER);
    const templateRes = await client.messages.sendTemplate({
      phoneNumberId: PN,
      to: '447700900123',
      template: { name: 'hello_world', language: { code: 'en_US' } },
    });
    const wamid = templateRes.messages[0]!.id;
    const statuses = await bed.receiver.waitFor((r) => statusesOf(r, wamid).length >= 2 && statusesOf(r, wamid));
    expect(statuses.map((s) => s.status)).to.include.members(['sent', 'delivered']);
    const conversation = bed.sandbox.conversation(PN, CUSTOMER);
    expect(conversation.map((m) => [m.direction, m.type])).to.deep.equal([['in', 'text'], ['out', 'text']]);
  });

  it('surfaces Meta\'s error codes through the client\'s own error type', async () => {
    try {
      await client.messages.sendText({ phoneNumberId: PN, to: '447700900999', body: 'out of the window' });
      expect.fail('the send should have failed');
    } catch (err) {
      expect(err).to.be.instanceOf(GraphApiError);
      expect((err as GraphApiError).code).to.equal(131047);
      expect((err as GraphApiError).category).to.equal('reengagementWindow');
    }
  });

  it('uploads, describes and downloads media, and reads the phone number and templates', async () => {
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const uploaded = await client.media.upload({ phoneNumberId: PN, type: 'image/png', file: new Blob([bytes], { type: 'image/png' }), fileName: 'a.png' });
    const meta = await client.media.get({ mediaId: uploaded.id });
    expect(meta.mimeType).to.equal('image/png');
    // Meta's download URLs need the token; this client sends it on request.
    const downloaded = await client.media.download({ mediaId: uploaded.id, auth: 'always' });
    expect(new Uint8Array(downloaded as ArrayBuffer)).to.deep.equal(bytes);
    // The client has no phone-number getter; its generic request helper reaches any Graph path.
    const phone = await client.request('GET', PN, { responseType: 'json' });
    expect(phone).to.deep.include({ verifiedName: 'Sandbox Shop', displayPhoneNumber: '+1 555-078-3881' });
    const [inbound] = bed.sandbox.conversation(PN, CUSTOMER);
    expect(await client.messages.markRead({ phoneNumberId: PN, messageId: inbound!.wamid })).to.deep.equal({ success: true });
    const templates = await client.templates.list({ businessAccountId: SHOP.wabaId, limit: 10 });
    expect(templates.data.map((t: { name: string }) => t.name)).to.include('hello_world');
  });
});

describe('sandbox mounted in a Koa app', function () {
  this.timeout(20_000);
  let sandbox: Sandbox;
  let receiver: WebhookReceiver;
  let server: Server;
  let base: string;

  before(async () => {
    receiver = await startWebhookReceiver({ appSecrets: [SHOP.appSecret] });
    sandbox = createSandbox({ numbers: [SHOP], webhookUrl: receiver.url, statusDelaysMs: { sent: 5, delivered: 10, read: 20 } });
    const app = new Koa();
    app.use(sandbox.middleware('/sandbox'));
    app.use((ctx) => {
      ctx.body = 'the app';
    });
    server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('serves the Graph API under the prefix and leaves other paths to the app', async () => {
    const res = await fetch(`${base}/sandbox/graph/v23.0/${PN}`, { headers: { authorization: `Bearer ${SHOP.accessToken}` } });
    expect(res.status).to.equal(200);
    expect(((await res.json()) as any).id).to.equal(PN);
    expect(await (await fetch(`${base}/elsewhere`)).text()).to.equal('the app');
    expect(await (await fetch(`${base}/sandboxed`)).text()).to.equal('the app');
    const unknown = await fetch(`${base}/sandbox/graph/v23.0/${PN}/nothing`, { headers: { authorization: `Bearer ${SHOP.accessToken}` } });
    expect(((await unknown.json()) as any).error.code).to.equal(2500);
  });

  it('builds media URLs on the mount', async () => {
    await sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'image', bytes: Buffer.from('jpeg'), mimeType: 'image/jpeg' } });
    const [message] = await receiver.waitFor((r) => messagesOf(r).length > 0 && messagesOf(r));
    const id = (message!.image as { id: string }).id;
    const meta = (await (await fetch(`${base}/sandbox/graph/v23.0/${id}`, { headers: { authorization: `Bearer ${SHOP.accessToken}` } })).json()) as any;
    expect(meta.url.startsWith(`${base}/sandbox/media-download/`)).to.equal(true);
    const bytes = await fetch(meta.url, { headers: { authorization: `Bearer ${SHOP.accessToken}` } });
    expect(await bytes.text()).to.equal('jpeg');
  });

  it('serves the simulator as separate HTML, script and stylesheet, with nothing inline', async () => {
    const html = await fetch(`${base}/sandbox/simulator`);
    expect(html.headers.get('content-type')).to.contain('text/html');
    expect(html.headers.get('content-security-policy')).to.contain("script-src 'self'");
    const page = await html.text();
    for (const id of ['sim-number', 'sim-wa-id', 'sim-name', 'sim-text', 'sim-send', 'sim-file', 'sim-messages']) {
      expect(page).to.contain(`id="${id}"`);
    }
    expect(page).to.match(/<script src="\/sandbox\/simulator\/app\.js"><\/script>/);
    expect(page).to.contain('<link rel="stylesheet" href="/sandbox/simulator/app.css">');
    expect(page).to.not.match(/<script>|<style|style="|\son[a-z]+=/);
    const script = await fetch(`${base}/sandbox/simulator/app.js`);
    expect(script.headers.get('content-type')).to.contain('javascript');
    expect(await script.text()).to.not.contain('innerHTML');
    const style = await fetch(`${base}/sandbox/simulator/app.css`);
    expect(style.headers.get('content-type')).to.contain('text/css');
  });
});
