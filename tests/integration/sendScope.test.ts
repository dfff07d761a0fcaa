import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { TINY_PNG } from '../support/media';
import { addChannel, postWebhook, type TestChannel } from '../support/whatsapp';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('sending uses only what is yours: media ids, templates, and the numbers whose templates you list', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let channelId: string;
  let phoneNumberId: string;
  let other: TestChannel;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '100' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    channelId = channel.id;
    phoneNumberId = channel.phoneNumberId;
    other = await addChannel(admin);
  });
  after(async () => app.stop());

  async function conversationWith(waId: string, message: Parameters<Sandbox['customerSends']>[0]['message'] = { type: 'text', body: 'Hi' }) {
    await sandbox.customerSends({ phoneNumberId, from: waId, profileName: 'Robin', message });
    return eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${waId}`)).body.items[0]);
  }

  async function upload(as: ApiClient, bytes: Buffer, type: string, filename: string): Promise<{ status: number; body: any }> {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(bytes)], { type }), filename);
    const res = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { cookie: as.cookieHeader()!, 'x-csrf-token': as.csrfToken! }, body: form });
    return { status: res.status, body: await res.json() };
  }

  it("refuses another agent's upload as a media id, and accepts your own", async () => {
    const uploader = await app.userWithRoles(['supervisor']);
    const sender = await app.userWithRoles(['supervisor']);
    const conv = await conversationWith('33712000001');
    const theirs = (await upload(uploader.client, TINY_PNG, 'image/png', 'theirs.png')).body.media.id;
    const refused = await sender.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'media', mediaId: theirs });
    expect(refused.status).to.equal(400);
    expect(refused.body.error.id).to.equal('unknown_media');
    expect(refused.body.error.details.fields[0].path).to.equal('body.mediaId');
    const mine = (await upload(sender.client, TINY_PNG, 'image/png', 'mine.png')).body.media.id;
    const sent = await sender.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'media', mediaId: mine });
    expect(sent.status, JSON.stringify(sent.body)).to.equal(201);
  });

  it("forwards a file again within its own conversation, never into another one", async () => {
    const withImage = await conversationWith('33712000002', { type: 'image', bytes: TINY_PNG, mimeType: 'image/png', caption: 'photo' });
    const inboundMedia = await eventually('the inbound image stored', async () => {
      const m = (await admin.get(`/api/v1/conversations/${withImage.id}/messages`)).body.items.find((x: any) => x.media?.state === 'stored');
      return m?.media;
    });
    const elsewhere = await conversationWith('33712000003');
    const refused = await admin.post(`/api/v1/conversations/${elsewhere.id}/messages`, { type: 'media', mediaId: inboundMedia.id });
    expect(refused.status).to.equal(400);
    expect(refused.body.error.id).to.equal('unknown_media');
    const again = await admin.post(`/api/v1/conversations/${withImage.id}/messages`, { type: 'media', mediaId: inboundMedia.id });
    expect(again.status, JSON.stringify(again.body)).to.equal(201);
  });

  it("refuses a template of another number's WABA, even approved", async () => {
    // The other number's WABA approves a template (a status webhook signed by its own app).
    const approval = { object: 'whatsapp_business_account', entry: [{ id: other.wabaId, changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 777, message_template_name: 'foreign_promo', message_template_language: 'en_US', reason: 'NONE' } }] }] };
    expect(await postWebhook(app.url, other.appSecret, approval)).to.equal(200);
    const foreign = await app.runtime.services.db('templates').where({ waba_id: other.wabaId, name: 'foreign_promo' }).first();
    expect(foreign.status).to.equal('APPROVED');
    const conv = await conversationWith('33712000004');
    const res = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'template', templateId: foreign.id, parameters: [] });
    expect(res.status).to.equal(400);
    expect(res.body.error.id).to.equal('unknown_template');
    expect(await app.runtime.services.db('messages').where({ conversation_id: conv.id, direction: 'out' })).to.have.length(0);
  });

  it("lists a number's templates only to those who may see that number, and audits the refusal", async () => {
    const created = await admin.post('/api/v1/roles', {
      key: 'one-number', name: 'One number',
      rules: [{ action: 'read', subject: 'Template' }, { action: 'read', subject: 'Channel', conditions: { id: channelId } }],
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const reader = await app.userWithRoles(['one-number']);
    expect((await reader.client.get(`/api/v1/templates?channelId=${channelId}`)).status).to.equal(200);
    const hidden = await reader.client.get(`/api/v1/templates?channelId=${other.id}`);
    expect(hidden.status).to.equal(404);
    expect(hidden.body.error.id).to.equal('not_found');
    const templatesOnly = await admin.post('/api/v1/roles', { key: 'templates-only', name: 'Templates only', rules: [{ action: 'read', subject: 'Template' }] });
    expect(templatesOnly.status).to.equal(201);
    const blind = await app.userWithRoles(['templates-only']);
    expect((await blind.client.get(`/api/v1/templates?channelId=${channelId}`)).status).to.equal(404);
    // Submitting templates is held to the same rule.
    const writerRole = await admin.post('/api/v1/roles', {
      key: 'one-number-writer', name: 'One number writer',
      rules: [{ action: ['read', 'create'], subject: 'Template' }, { action: 'read', subject: 'Channel', conditions: { id: channelId } }],
    });
    expect(writerRole.status, JSON.stringify(writerRole.body)).to.equal(201);
    const writer = await app.userWithRoles(['one-number-writer']);
    const submit = (id: string) => writer.client.post('/api/v1/templates', { channelId: id, name: 'scoped_notice', language: 'en_US', category: 'UTILITY', body: { text: 'Your order has shipped.' } });
    expect((await submit(other.id)).status).to.equal(404);
    expect((await submit(channelId)).status).to.equal(201);
    const denied = (await admin.get('/api/v1/audit/events?action=access.denied')).body.items as any[];
    expect(denied.some((e) => e.actorId === reader.id && e.subjectId === other.id)).to.equal(true);
  });

  it('streams an upload into the store: one over its type\'s limit is refused with 413 and leaves no file behind', async () => {
    const dir = path.join(app.runtime.services.config.dataDir, 'media');
    const before = new Set((await readdir(dir, { recursive: true }).catch(() => [])).map(String));
    const tooBig = Buffer.concat([TINY_PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const res = await upload(admin, tooBig, 'image/png', 'huge.png');
    expect(res.status).to.equal(413);
    expect(res.body.error.id).to.equal('payload_too_large');
    const after = (await readdir(dir, { recursive: true }).catch(() => [])).map(String).filter((n) => !before.has(n) && !/^\d{4}(\/\d{2})?$/.test(n));
    expect(after).to.deep.equal([]);
    const pdf = Buffer.from('%PDF-1.4 streamed\n');
    const ok = await upload(admin, pdf, 'application/pdf', 'ok.pdf');
    expect(ok.status).to.equal(201);
    expect(ok.body.media.size).to.equal(pdf.length);
    const row = await app.runtime.services.db('media').where({ id: ok.body.media.id }).first();
    expect(row.sha256).to.equal(createHash('sha256').update(pdf).digest('hex'));
  });
});
