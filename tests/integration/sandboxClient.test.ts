// A Cloud API client written by others works unchanged against the sandbox, for every message type; the sandbox mounts inside a Koa app.
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
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);

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
    expect(conversation.slice(0, 2).map((m) => [m.direction, m.type])).to.deep.equal([['in', 'text'], ['out', 'text']]);
  });

  it('sends every message type the client has, media by id and by link', async () => {
    const upload = async (type: string, bytes: Uint8Array, fileName: string) =>
      (await client.media.upload({ phoneNumberId: PN, type, file: new Blob([bytes], { type }), fileName })).id;
    const ids = {
      image: await upload('image/png', PNG, 'a.png'),
      audio: await upload('audio/ogg', new Uint8Array([0x4f, 0x67, 0x67, 0x53, 1]), 'a.ogg'),
      video: await upload('video/mp4', new Uint8Array([0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70]), 'a.mp4'),
      document: await upload('application/pdf', new TextEncoder().encode('%PDF-1.4 tiny'), 'a.pdf'),
      sticker: await upload('image/webp', new TextEncoder().encode('RIFF\u0000\u0000\u0000\u0000WEBPVP8 '), 'a.webp'),
    };
    const to = CUSTOMER;
    const [inbound] = bed.sandbox.conversation(PN, CUSTOMER);
    const sends = [
      client.messages.sendText({ phoneNumberId: PN, to, body: 'text' }),
      client.messages.sendImage({ phoneNumberId: PN, to, image: { id: ids.image, caption: 'by id' } }),
      client.messages.sendImage({ phoneNumberId: PN, to, image: { link: 'https://example.com/a.png', caption: 'by link' } }),
      client.messages.sendAudio({ phoneNumberId: PN, to, audio: { id: ids.audio } }),
      client.messages.sendAudio({ phoneNumberId: PN, to, audio: { link: 'https://example.com/a.ogg' } }),
      client.messages.sendVideo({ phoneNumberId: PN, to, video: { id: ids.video } }),
      client.messages.sendVideo({ phoneNumberId: PN, to, video: { link: 'https://example.com/a.mp4' } }),
      client.messages.sendDocument({ phoneNumberId: PN, to, document: { id: ids.document, filename: 'invoice.pdf' } }),
      client.messages.sendDocument({ phoneNumberId: PN, to, document: { link: 'https://example.com/a.pdf', filename: 'a.pdf' } }),
      client.messages.sendSticker({ phoneNumberId: PN, to, sticker: { id: ids.sticker } }),
      client.messages.sendSticker({ phoneNumberId: PN, to, sticker: { link: 'https://example.com/a.webp' } }),
      client.messages.sendLocation({ phoneNumberId: PN, to, location: { latitude: 48.8584, longitude: 2.2945, name: 'Tour Eiffel', address: 'Paris' } }),
      client.messages.sendContacts({ phoneNumberId: PN, to, contacts: [{ name: { formattedName: 'Ana Lima', firstName: 'Ana' }, phones: [{ phone: '+16505550020', type: 'CELL' }] }] }),
      client.messages.sendReaction({ phoneNumberId: PN, to, reaction: { messageId: inbound!.wamid, emoji: '👍' } }),
      client.messages.sendInteractiveButtons({ phoneNumberId: PN, to, bodyText: 'Deliver tomorrow?', buttons: [{ id: 'yes', title: 'Yes' }, { id: 'no', title: 'No' }] }),
      client.messages.sendInteractiveList({ phoneNumberId: PN, to, bodyText: 'Pick a slot', buttonText: 'Slots', sections: [{ title: 'Morning', rows: [{ id: 'm9', title: '9:00', description: 'early' }] }] }),
      client.messages.sendInteractiveCtaUrl({ phoneNumberId: PN, to, bodyText: 'Track your parcel', parameters: { displayText: 'Track', url: 'https://example.com/track' } }),
      client.messages.sendInteractiveFlow({ phoneNumberId: PN, to, bodyText: 'Book a visit', parameters: { flowId: '1234567890', flowCta: 'Book', flowToken: 'token-1' } }),
      client.messages.sendTemplate({ phoneNumberId: PN, to, template: { name: 'hello_world', language: { code: 'en_US' } } }),
    ];
    // One at a time, as the pair limit (45 in a burst) allows: each is accepted with a wamid.
    const wamids: string[] = [];
    for (const send of sends) {
      wamids.push((await send).messages[0]!.id);
    }
    expect(wamids.every((id) => /^wamid\./.test(id))).to.equal(true);
    const out = bed.sandbox.conversation(PN, CUSTOMER).filter((m) => wamids.includes(m.wamid));
    expect(out.map((m) => m.type)).to.deep.equal([
      'text', 'image', 'image', 'audio', 'audio', 'video', 'video', 'document', 'document', 'sticker', 'sticker',
      'location', 'contacts', 'reaction', 'interactive', 'interactive', 'interactive', 'interactive', 'template',
    ]);
    expect(out.filter((m) => m.type === 'interactive').map((m) => (m.body as { type: string }).type)).to.deep.equal(['button', 'list', 'cta_url', 'flow']);
    const last = wamids.at(-1)!;
    await bed.receiver.waitFor((r) => statusesOf(r, last).some((s) => s.status === 'sent'));
  });

  it('is answered as the live API: a free-form message outside the 24-hour window is accepted, then fails with 131047', async () => {
    const res = await client.messages.sendText({ phoneNumberId: PN, to: '447700900999', body: 'out of the window' });
    const wamid = res.messages[0]!.id;
    const [failed] = await bed.receiver.waitFor((r) => statusesOf(r, wamid).length > 0 && statusesOf(r, wamid));
    expect(failed!.status).to.equal('failed');
    expect(failed!.errors![0]!.code).to.equal(131047);
  });

  it('surfaces Meta\'s error codes through the client\'s own error type', async () => {
    try {
      await client.messages.sendTemplate({ phoneNumberId: PN, to: CUSTOMER, template: { name: 'no_such_template', language: { code: 'en_US' } } });
      expect.fail('the send should have failed');
    } catch (err) {
      expect(err).to.be.instanceOf(GraphApiError);
      expect((err as GraphApiError).code).to.equal(132001);
    }
  });

  it('uploads, describes and downloads media, and reads the phone number and templates', async () => {
    const bytes = PNG;
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
