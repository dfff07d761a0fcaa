import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { addChannel, envelope, inbound, postWebhook, statusUpdate, wamid, type TestChannel } from '../support/whatsapp';

describe('webhooks: verification, signatures, every message type, statuses', () => {
  let app: TestApp;
  let admin: ApiClient;
  let channel: TestChannel;
  let other: TestChannel;
  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    channel = await addChannel(admin);
    other = await addChannel(admin);
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;
  const messagesOf = (w: string) => db()('messages').where({ wamid: w });

  it('answers the subscription check with the challenge, and 403 to a wrong token', async () => {
    const ok = await fetch(`${app.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${channel.verifyToken}&hub.challenge=1158201444`);
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.equal('1158201444');
    // The challenge is echoed: it keeps the security headers (only notifications skip them).
    expect(ok.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(ok.headers.get('content-security-policy')).to.contain("default-src 'self'");
    const bad = await fetch(`${app.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(bad.status).to.equal(403);
  });

  it('refuses a bad signature, counts it and stores nothing', async () => {
    const payload = inbound(channel, '15550001111', { type: 'text', text: { body: 'forged' } });
    expect(await postWebhook(app.url, 'not-the-secret', payload)).to.equal(401);
    expect(await postWebhook(app.url, channel.appSecret, payload, 'sha256=zz')).to.equal(401);
    expect(await postWebhook(app.url, channel.appSecret, payload, '')).to.equal(401);
    const id = (payload.entry[0]!.changes[0]!.value as any).messages[0].id;
    expect(await messagesOf(id)).to.have.length(0);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).to.match(/switchboard_webhook_requests_total\{outcome="bad_signature"\} 3/);
  });

  it("refuses a payload naming a number signed with another number's app secret", async () => {
    const payload = inbound(other, '15550001112', { type: 'text', text: { body: 'cross-app' } });
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(403);
  });

  it("stores a delivery's changes for our numbers and leaves out those of a number of the same app that no channel runs", async () => {
    // Meta batches an app's numbers into one delivery; one we do not run must not hold ours up.
    const stranger: TestChannel = { ...channel, phoneNumberId: '109999999999999', displayNumber: '+1 555 999 9999' };
    const ours = inbound(channel, '15550003333', { type: 'text', text: { body: 'ours' } });
    const theirs = inbound(stranger, '15550004444', { type: 'text', text: { body: 'theirs' } });
    const mixed = { ...ours, entry: [{ ...ours.entry[0]!, changes: [...ours.entry[0]!.changes, ...theirs.entry[0]!.changes] }] };
    expect(await postWebhook(app.url, channel.appSecret, mixed)).to.equal(200);
    const idOf = (payload: typeof ours) => (payload.entry[0]!.changes[0]!.value as any).messages[0].id as string;
    expect(await messagesOf(idOf(ours))).to.have.length(1);
    expect(await messagesOf(idOf(theirs))).to.have.length(0);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).to.match(/switchboard_webhook_events_total\{kind="foreign_number"\} 1/);
    // Naming only numbers no channel runs, it is refused, so Meta brings it back once one is added.
    expect(await postWebhook(app.url, channel.appSecret, theirs)).to.equal(403);
    expect(await messagesOf(idOf(theirs))).to.have.length(0);
    // A number a channel runs under another app's secret still refuses the whole delivery.
    const spoofed = { ...ours, entry: [{ ...ours.entry[0]!, changes: [...inbound(channel, '15550003334', { type: 'text', text: { body: 'x' } }).entry[0]!.changes, ...inbound(other, '15550003335', { type: 'text', text: { body: 'y' } }).entry[0]!.changes, ...theirs.entry[0]!.changes] }] };
    expect(await postWebhook(app.url, channel.appSecret, spoofed)).to.equal(403);
  });

  const examples: Array<[string, Record<string, unknown>, string | null]> = [
    ['text', { type: 'text', text: { body: 'Bonjour, où est ma commande ? 🚚' } }, 'Bonjour, où est ma commande ? 🚚'],
    ['image', { type: 'image', image: { caption: 'the receipt', mime_type: 'image/jpeg', sha256: 'abc', id: '1001' } }, 'the receipt'],
    ['audio', { type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'abc', id: '1002', voice: true } }, null],
    ['video', { type: 'video', video: { mime_type: 'video/mp4', sha256: 'abc', id: '1003' } }, null],
    ['document', { type: 'document', document: { filename: 'invoice.pdf', mime_type: 'application/pdf', sha256: 'abc', id: '1004' } }, null],
    ['sticker', { type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 'abc', id: '1005', animated: false } }, null],
    ['location', { type: 'location', location: { latitude: 48.8566, longitude: 2.3522, name: 'Paris', address: 'Place de la Concorde' } }, null],
    ['contacts', { type: 'contacts', contacts: [{ name: { formatted_name: 'Jane Doe', first_name: 'Jane' }, phones: [{ phone: '+33 1 23 45 67 89', type: 'WORK' }] }] }, null],
    ['interactive button_reply', { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } } }, 'Yes'],
    ['interactive list_reply', { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'r1', title: 'Track order', description: 'Where is it?' } } }, 'Track order'],
    ['button', { type: 'button', button: { payload: 'STOP', text: 'Stop promotions' } }, 'Stop promotions'],
    ['order', { type: 'order', order: { catalog_id: '123', product_items: [{ product_retailer_id: 'sku-1', quantity: 2, item_price: 10, currency: 'EUR' }] } }, null],
    ['system', { type: 'system', system: { body: 'Customer changed number', type: 'user_changed_number', new_wa_id: '15550009999' } }, null],
    ['unsupported', { type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] }, null],
  ];

  for (const [name, message, text] of examples) {
    it(`stores a ${name} message with its raw payload and text for search`, async () => {
      const payload = inbound(channel, '33612345678', message, 'Élodie');
      expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
      const id = (payload.entry[0]!.changes[0]!.value as any).messages[0].id;
      const [row] = await messagesOf(id);
      expect(row, name).to.exist;
      expect(row.direction).to.equal('in');
      expect(row.raw.id).to.equal(id);
      if (text) {
        expect(row.text).to.equal(text);
      }
      const contact = await db()('contacts').where({ wa_id: '33612345678' }).first();
      expect(contact.profile_name).to.equal('Élodie');
      expect(contact.country).to.equal('FR');
    });
  }

  it("keeps WhatsApp's timestamp beside the time received, and the conversation API shows the customer's time", async () => {
    // Sent by the customer three hours ago (a phone offline, Meta retrying): received now.
    const sentAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 3 * 3600_000);
    const payload = inbound(channel, '33698765432', { type: 'text', text: { body: 'sent while offline' }, timestamp: String(sentAt.getTime() / 1000) });
    const before = Date.now();
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
    const id = (payload.entry[0]!.changes[0]!.value as any).messages[0].id;
    const [row] = await messagesOf(id);
    expect(row.sent_at.toISOString()).to.equal(sentAt.toISOString());
    expect(row.created_at.getTime()).to.be.at.least(before - 1000);
    const listed = await admin.get(`/api/v1/conversations/${row.conversation_id}/messages`);
    const message = listed.body.items.find((m: { id: string }) => m.id === row.id);
    expect(message.sentAt).to.equal(sentAt.toISOString());
    expect(message.createdAt).to.equal(row.created_at.toISOString());
  });

  it('keeps a reply context and a reaction pointing at the business message', async () => {
    const target = wamid();
    const reply = inbound(channel, '447700900123', { type: 'text', text: { body: 'yes please' }, context: { from: channel.phoneNumberId, id: target } });
    const reaction = inbound(channel, '447700900123', { type: 'reaction', reaction: { message_id: target, emoji: '👍' } });
    expect(await postWebhook(app.url, channel.appSecret, reply)).to.equal(200);
    expect(await postWebhook(app.url, channel.appSecret, reaction)).to.equal(200);
    const rows = await db()('messages').where({ context_wamid: target });
    expect(rows.map((r) => r.type).sort()).to.deep.equal(['reaction', 'text']);
  });

  it('stores the same payload delivered three times once', async () => {
    const payload = inbound(channel, '4915112345678', { type: 'text', text: { body: 'only once' } });
    for (let i = 0; i < 3; i++) {
      expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
    }
    const id = (payload.entry[0]!.changes[0]!.value as any).messages[0].id;
    expect(await messagesOf(id)).to.have.length(1);
    const conv = await db()('conversations').join('contacts', 'contacts.id', 'conversations.contact_id').where('contacts.wa_id', '4915112345678').first('unread_count');
    expect(conv.unread_count).to.equal(1);
  });

  it('handles a batch of 1,000 changes in one POST', async () => {
    const changes = Array.from({ length: 1000 }, (_, i) => ({
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550100', phone_number_id: channel.phoneNumberId },
        contacts: [{ profile: { name: `Batch ${i}` }, wa_id: `1555200${String(i).padStart(4, '0')}` }],
        messages: [{ from: `1555200${String(i).padStart(4, '0')}`, id: `wamid.batch-${i}-${Date.now()}`, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: `message ${i}` } }],
      },
    }));
    const payload = { object: 'whatsapp_business_account', entry: [{ id: channel.wabaId, changes }] };
    expect(await postWebhook(app.url, channel.appSecret, payload)).to.equal(200);
    const count = await db()('messages').whereLike('wamid', 'wamid.batch-%').count<{ n: number }[]>('* as n');
    expect(Number(count[0]!.n)).to.equal(1000);
  });

  it('stores concurrent webhooks (many per customer, each delivered twice at once) exactly once, counting every message', async () => {
    // Concurrent webhooks share statements (group commit); a customer never appears twice in
    // one statement, and a repeat racing its original is still stored once.
    const customers = Array.from({ length: 12 }, (_, i) => `4930555${String(i).padStart(4, '0')}`);
    const payloads = customers.flatMap((from) =>
      Array.from({ length: 8 }, (_, k) => inbound(channel, from, { type: 'text', text: { body: `burst ${k}` } })),
    );
    const statuses = await Promise.all([...payloads, ...payloads].map((p) => postWebhook(app.url, channel.appSecret, p)));
    expect(statuses.every((s) => s === 200)).to.equal(true);
    const wamids = payloads.map((p) => (p.entry[0]!.changes[0]!.value as any).messages[0].id as string);
    const rows = await db()('messages').whereIn('wamid', wamids).select('wamid', 'conversation_id');
    expect(rows).to.have.length(payloads.length);
    expect(new Set(rows.map((r) => r.wamid)).size).to.equal(payloads.length);
    const conversations = await db()('conversations')
      .join('contacts', 'contacts.id', 'conversations.contact_id')
      .whereIn('contacts.wa_id', customers)
      .where('conversations.channel_id', channel.id)
      .select('conversations.id', 'unread_count', 'last_message_preview');
    expect(conversations).to.have.length(customers.length);
    expect(conversations.every((c) => c.unread_count === 8)).to.equal(true);
    expect(new Set(rows.map((r) => r.conversation_id)).size).to.equal(customers.length);
  });

  async function outboundMessage(to: string): Promise<string> {
    // An outbound message as the sender leaves it: a row with its wamid.
    const w = wamid();
    const conv = await db()('conversations').join('contacts', 'contacts.id', 'conversations.contact_id').where('contacts.wa_id', to).first('conversations.id', 'conversations.contact_id');
    const id = '01a21a40-0000-7000-8000-' + Date.now().toString(16).padStart(12, '0').slice(-12);
    const createdAt = new Date();
    await db()('messages').insert({ id, created_at: createdAt, conversation_id: conv.id, channel_id: channel.id, contact_id: conv.contact_id, direction: 'out', wamid: w, type: 'text', text: 'hi', author_type: 'agent', status: 'queued', status_times: JSON.stringify({}) });
    await db()('message_wamids').insert({ wamid: w, message_id: id, message_created_at: createdAt });
    return w;
  }

  it('applies statuses monotonically with a time per state, whatever the order', async () => {
    const to = '4915112345678';
    const w = await outboundMessage(to);
    const t0 = Date.now() - 10_000;
    const pricing = { billable: true, pricing_model: 'PMP', category: 'utility', type: 'regular' };
    expect(await postWebhook(app.url, channel.appSecret, statusUpdate(channel, w, 'read', to, {}, t0 + 3000))).to.equal(200);
    expect(await postWebhook(app.url, channel.appSecret, statusUpdate(channel, w, 'delivered', to, { pricing }, t0 + 2000))).to.equal(200);
    expect(await postWebhook(app.url, channel.appSecret, statusUpdate(channel, w, 'sent', to, { pricing }, t0 + 1000))).to.equal(200);
    expect(await postWebhook(app.url, channel.appSecret, statusUpdate(channel, w, 'delivered', to, {}, t0 + 2000))).to.equal(200);
    const [row] = await messagesOf(w);
    expect(row.status).to.equal('read');
    expect(Object.keys(row.status_times).sort()).to.deep.equal(['delivered', 'read', 'sent']);
    expect(new Date(row.status_times.read).getTime()).to.equal(Math.floor((t0 + 3000) / 1000) * 1000);
    expect(row.pricing).to.include({ billable: true, pricingModel: 'PMP', category: 'utility' });
  });

  it('keeps a failure code and details, and a status that arrives before its message is applied later', async () => {
    const to = '4915112345678';
    const w = await outboundMessage(to);
    const errorsPayload = [{ code: 131026, title: 'Message undeliverable', message: 'Message undeliverable', error_data: { details: 'Receiver is incapable of receiving this message' } }];
    expect(await postWebhook(app.url, channel.appSecret, statusUpdate(channel, w, 'failed', to, { errors: errorsPayload }))).to.equal(200);
    const [row] = await messagesOf(w);
    expect(row.status).to.equal('failed');
    expect(row.error).to.include({ code: 131026, title: 'Message undeliverable' });
    expect(row.error.details).to.contain('incapable');
    const early = wamid();
    expect(await postWebhook(app.url, channel.appSecret, statusUpdate(channel, early, 'delivered', to))).to.equal(200);
    expect(await db()('pending_statuses').where({ wamid: early })).to.have.length(1);
  });

  it('updates templates and numbers from template-status and quality webhooks', async () => {
    const tpl = envelope(channel, { event: 'APPROVED', message_template_id: 987654, message_template_name: 'order_update', message_template_language: 'en_US', reason: 'NONE' }, 'message_template_status_update');
    (tpl.entry[0]!.changes[0] as any).value = { event: 'APPROVED', message_template_id: 987654, message_template_name: 'order_update', message_template_language: 'en_US', reason: 'NONE' };
    expect(await postWebhook(app.url, channel.appSecret, tpl)).to.equal(200);
    const row = await db()('templates').where({ waba_id: channel.wabaId, name: 'order_update' }).first();
    expect(row.status).to.equal('APPROVED');
    const quality = { object: 'whatsapp_business_account', entry: [{ id: channel.wabaId, changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: channel.displayNumber.replace(/\D/g, ''), event: 'DOWNGRADE', current_limit: 'TIER_1K' } }] }] };
    expect(await postWebhook(app.url, channel.appSecret, quality)).to.equal(200);
    const ch = await db()('channels').where({ id: channel.id }).first();
    expect(ch.messaging_tier).to.equal('TIER_1K');
  });
});

describe('webhooks with 200 numbers on one panel', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.stop());

  it('lists 200 numbers and routes a webhook to each by its own app secret', async function () {
    this.timeout(120_000);
    const admin = await app.adminClient();
    const channels: TestChannel[] = [];
    for (let i = 0; i < 200; i++) {
      channels.push(await addChannel(admin, { phoneNumberId: `3${String(i).padStart(9, '0')}`, wabaId: `4${String(i % 20).padStart(9, '0')}` }));
    }
    const list = await admin.get('/api/v1/channels');
    expect(list.body.items).to.have.length(200);
    for (const ch of [channels[0]!, channels[99]!, channels[199]!]) {
      const payload = inbound(ch, '15559990000', { type: 'text', text: { body: `to ${ch.phoneNumberId}` } });
      expect(await postWebhook(app.url, ch.appSecret, payload)).to.equal(200);
      const row = await app.runtime.services.db('messages').where({ text: `to ${ch.phoneNumberId}` }).first();
      expect(row.channel_id).to.equal(ch.id);
    }
  });
});
