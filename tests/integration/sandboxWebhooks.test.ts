// Sandbox webhooks: signatures over Meta-escaped bytes, retries, batching, status order, read receipts, pricing.
import { expect } from 'chai';
import { eventually } from '../support/eventually';
import { createHmac } from 'node:crypto';
import { createSandbox } from '../../server/sandbox';
import { changesOf, messagesOf, startTestBed, startWebhookReceiver, statusesOf, TEST_NUMBERS, type TestBed } from '../../server/sandbox/testkit';

const [SHOP, SUPPORT, BOUTIQUE] = TEST_NUMBERS as [typeof TEST_NUMBERS[0], typeof TEST_NUMBERS[0], typeof TEST_NUMBERS[0]];
const PN = SHOP.phoneNumberId;
const CUSTOMER = '16505550010';

describe('sandbox webhooks', function () {
  this.timeout(20_000);
  let bed: TestBed;
  const call = async (method: string, path: string, init?: Parameters<TestBed['graph']>[2]) => (await bed.graph(method, path, init)) as { status: number; json: any; raw: string };
  const sendText = (body: string, to = CUSTOMER) => call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to, type: 'text', text: { body } } });

  afterEach(async () => bed?.close());

  it('signs the exact bytes with the app secret and escapes non-ASCII and "/" as Meta does', async () => {
    bed = await startTestBed();
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, profileName: 'Zoë Ångström', message: { type: 'text', body: 'Ça coûte 10€/kg? 👍' } });
    await bed.sandbox.customerSends({ phoneNumberId: BOUTIQUE.phoneNumberId, from: CUSTOMER, message: { type: 'text', body: 'Bonjour' } });
    const [shop, boutique] = await bed.receiver.waitFor((r) => r.length >= 2 && [...r].sort((a) => (a.raw.includes('Bonjour') ? 1 : -1)));
    const raw = shop!.raw.toString('latin1');
    expect(raw).to.contain('\\u00c7a co\\u00fbte 10\\u20ac\\/kg? \\ud83d\\udc4d');
    expect(raw).to.contain('Zo\\u00eb \\u00c5ngstr\\u00f6m');
    expect([...shop!.raw].every((byte) => byte < 0x80)).to.equal(true);
    expect(shop!.headers['x-hub-signature-256']).to.equal(`sha256=${createHmac('sha256', SHOP.appSecret).update(shop!.raw).digest('hex')}`);
    expect(boutique!.headers['x-hub-signature-256']).to.equal(`sha256=${createHmac('sha256', BOUTIQUE.appSecret).update(boutique!.raw).digest('hex')}`);
    // Re-serializing the parsed body gives other bytes: verifying over it would fail.
    expect(JSON.stringify(shop!.json)).to.not.equal(shop!.raw.toString('utf8'));
    const message = messagesOf([shop!])[0]!;
    expect((message.text as { body: string }).body).to.equal('Ça coûte 10€/kg? 👍');
    expect(message.timestamp).to.match(/^\d{10}$/);
    expect(shop!.json.entry[0]!.changes[0]!.value.contacts).to.deep.equal([{ profile: { name: 'Zoë Ångström' }, wa_id: CUSTOMER }]);
    expect(shop!.headers['content-type']).to.equal('application/json');
  });

  it('makes Meta\'s subscription check: the challenge must come back for the right verify token', async () => {
    const receiver = await startWebhookReceiver({ appSecrets: [SHOP.appSecret], verifyToken: 'let-me-in' });
    const sandbox = createSandbox({ numbers: [SHOP], webhookUrl: receiver.url });
    try {
      expect(await sandbox.verifyWebhook('let-me-in')).to.deep.equal({ ok: true, status: 200 });
      expect(await sandbox.verifyWebhook('wrong')).to.deep.equal({ ok: false, status: 403 });
    } finally {
      await sandbox.close();
      await receiver.close();
    }
  });

  it('retries a webhook that did not get a 2xx, with the same bytes, and counts it', async () => {
    bed = await startTestBed({}, (n) => (n < 2 ? 500 : 200));
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'retry me' } });
    await bed.receiver.waitFor(() => bed.sandbox.stats().webhooks.delivered === 1);
    const [first, second, third] = bed.receiver.received;
    expect([first!.answered, second!.answered, third!.answered]).to.deep.equal([500, 500, 200]);
    expect(second!.raw).to.deep.equal(first!.raw);
    expect(third!.headers['x-hub-signature-256']).to.equal(first!.headers['x-hub-signature-256']);
    expect(bed.sandbox.stats().webhooks).to.deep.equal({ delivered: 1, failed: 2, retried: 2, abandoned: 0, pending: 0 });
  });

  it('gives up after the last retry and counts the abandoned notification', async () => {
    bed = await startTestBed({ webhookRetry: { delaysMs: [0, 20] } }, () => 503);
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'nobody home' } });
    await bed.receiver.waitFor(() => bed.sandbox.stats().webhooks.abandoned === 1);
    expect(bed.receiver.received).to.have.length(3);
    expect(bed.sandbox.stats().webhooks).to.deep.include({ delivered: 0, failed: 3, retried: 2, abandoned: 1 });
  });

  it('batches many changes in one POST per app, one entry per WABA', async () => {
    bed = await startTestBed();
    const items = [
      { phoneNumberId: PN, from: '16505550011', message: { type: 'text' as const, body: 'one' } },
      { phoneNumberId: SUPPORT.phoneNumberId, from: '16505550012', message: { type: 'text' as const, body: 'two' } },
      { phoneNumberId: PN, from: '16505550013', message: { type: 'text' as const, body: 'three' } },
      { phoneNumberId: BOUTIQUE.phoneNumberId, from: '16505550014', message: { type: 'text' as const, body: 'quatre' } },
    ];
    const { wamids } = await bed.sandbox.customerSendsBatch(items);
    await bed.receiver.waitFor((r) => r.length >= 2);
    const shop = bed.receiver.received.find((h) => h.json.entry[0]!.id === SHOP.wabaId)!;
    expect(shop.json.entry).to.have.length(1);
    expect(shop.json.entry[0]!.changes).to.have.length(3);
    expect(shop.signatureValid).to.equal(true);
    expect(messagesOf(bed.receiver.received).map((m) => m.id)).to.have.members(wamids);

    const res = await fetch(`${bed.url}/control/customer-messages/batch`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ phoneNumberId: PN, from: `1650555${String(i).padStart(4, '0')}`, message: { type: 'text', body: `m${i}` } })) }),
    });
    expect(res.status).to.equal(200);
    const big = await bed.receiver.waitFor((r) => r.find((h) => h.json.entry[0]!.changes.length === 50));
    expect(big.signatureValid).to.equal(true);
  });

  it('sends sent, delivered and read in order, with pricing on sent and delivered', async () => {
    bed = await startTestBed();
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'hi' } });
    const res = await sendText('hello');
    const wamid = res.json.messages[0].id;
    const statuses = await bed.receiver.waitFor((r) => statusesOf(r, wamid).length >= 3 && statusesOf(r, wamid));
    expect(statuses.map((s) => s.status)).to.deep.equal(['sent', 'delivered', 'read']);
    expect(statuses.map((s) => Boolean(s.pricing))).to.deep.equal([true, true, false]);
    expect(statuses[0]!.conversation).to.have.keys('id', 'expiration_timestamp', 'origin');
    expect(statuses[1]!.conversation).to.not.have.key('expiration_timestamp');
    expect(statuses.every((s) => s.recipient_id === CUSTOMER)).to.equal(true);
    expect(bed.sandbox.conversation(PN, CUSTOMER).find((m) => m.wamid === wamid)!.status).to.equal('read');
  });

  it('reads only when the customer opens the chat when autoRead is off', async () => {
    bed = await startTestBed({ autoRead: false });
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'hi' } });
    const wamids = [(await sendText('one')).json.messages[0].id, (await sendText('two')).json.messages[0].id];
    await bed.receiver.waitFor((r) => wamids.every((w) => statusesOf(r, w).some((s) => s.status === 'delivered')));
    // Once nothing more is scheduled, no read ever will be: the customer has not opened the chat.
    await eventually('the sandbox to be quiet', async () => bed.sandbox.scheduledEvents() === 0);
    expect(wamids.map((w) => bed.sandbox.conversation(PN, CUSTOMER).find((m) => m.wamid === w)!.status)).to.deep.equal(['delivered', 'delivered']);
    expect(wamids.flatMap((w) => statusesOf(bed.receiver.received, w)).some((s) => s.status === 'read')).to.equal(false);
    const control = await fetch(`${bed.url}/control/read`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phoneNumberId: PN, waId: CUSTOMER }) });
    expect(await control.json()).to.deep.equal({ read: 2 });
    await bed.receiver.waitFor((r) => wamids.every((w) => statusesOf(r, w).some((s) => s.status === 'read')));
  });

  it('with reorder on, delivers some statuses twice or delivered before sent', async () => {
    bed = await startTestBed({ reorder: 1, autoRead: false, statusDelaysMs: { sent: 10, delivered: 200, read: 300 } });
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'hi' } });
    const wamid = (await sendText('shuffled')).json.messages[0].id;
    const statuses = await bed.receiver.waitFor((r) => statusesOf(r, wamid).length >= 3 && statusesOf(r, wamid));
    const order = statuses.map((s) => s.status);
    expect(order.slice(0, 2)).to.deep.equal(['delivered', 'sent']);
    // The third is a duplicate of one of them.
    expect(order).to.have.length(3);
    expect(['sent', 'delivered']).to.include(order[2]);
  });

  it('prices templates by category: utility is free inside the window, marketing is billable', async () => {
    bed = await startTestBed({
      templates: [{ name: 'receipt', language: 'en', category: 'UTILITY', components: [{ type: 'BODY', text: 'Paid.' }] }],
    });
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'hi' } });
    const template = (to: string, name: string, code: string) =>
      call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to, type: 'template', template: { name, language: { code } } } });
    const inWindow = (await template(CUSTOMER, 'receipt', 'en')).json.messages[0].id;
    const cold = (await template('16505559999', 'receipt', 'en')).json.messages[0].id;
    const promo = (await template(CUSTOMER, 'hello_world', 'en_US')).json.messages[0].id;
    const pricing = async (wamid: string) => (await bed.receiver.waitFor((r) => statusesOf(r, wamid).find((s) => s.status === 'sent'))).pricing;
    expect(await pricing(inWindow)).to.deep.equal({ billable: false, pricing_model: 'PMP', category: 'utility', type: 'free_customer_service' });
    expect(await pricing(cold)).to.deep.equal({ billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' });
    expect(await pricing(promo)).to.deep.equal({ billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' });
  });

  it('marks customer messages read when the business marks one read, and echoes biz_opaque_callback_data', async () => {
    bed = await startTestBed();
    const a = await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'a' } });
    const b = await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'b' } });
    const read = await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', status: 'read', message_id: b.wamid, typing_indicator: { type: 'text' } } });
    expect(read.json).to.deep.equal({ success: true });
    expect(bed.sandbox.conversation(PN, CUSTOMER).filter((m) => m.direction === 'in').map((m) => m.status)).to.deep.equal(['read', 'read']);
    expect((await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', status: 'read', message_id: 'wamid.nope' } })).json.error.code).to.equal(100);
    expect(a.wamid).to.match(/^wamid\.[A-Za-z0-9+/=]+$/);
    const sent = await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to: CUSTOMER, text: { body: 'x' }, biz_opaque_callback_data: 'campaign-7' } });
    const statuses = await bed.receiver.waitFor((r) => statusesOf(r, sent.json.messages[0].id).length >= 1 && statusesOf(r, sent.json.messages[0].id));
    expect(statuses[0]!.biz_opaque_callback_data).to.equal('campaign-7');
  });

  it('takes customer messages over the control API, media as base64', async () => {
    bed = await startTestBed();
    const post = (message: unknown) =>
      fetch(`${bed.url}/control/customer-messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phoneNumberId: PN, from: CUSTOMER, profileName: 'Ana', message }) });
    const res = await post({ type: 'image', mimeType: 'image/jpeg', bytesBase64: Buffer.from('jpeg!').toString('base64'), caption: 'look' });
    expect(res.status).to.equal(200);
    const { wamid } = (await res.json()) as { wamid: string };
    const [message] = await bed.receiver.waitFor((r) => messagesOf(r).length > 0 && messagesOf(r));
    expect(message!.id).to.equal(wamid);
    expect(message!.image).to.include({ mime_type: 'image/jpeg', caption: 'look' });
    const bad = await post({ type: 'button_reply', id: 'nope', context: { messageId: wamid } });
    expect(bad.status).to.equal(400);
    expect(((await bad.json()) as any).error.message).to.contain('not a business interactive message');
    const stats = (await (await fetch(`${bed.url}/stats`)).json()) as any;
    expect(stats.messages.received).to.equal(1);
    expect(changesOf(bed.receiver.received)).to.have.length(1);
  });
});
