import { expect } from 'chai';
import { connect } from 'node:net';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { addChannel, inbound, postWebhook, statusUpdate, type TestChannel } from '../support/whatsapp';

const templateStatus = (wabaId: string, name: string, event: string) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: wabaId, changes: [{ field: 'message_template_status_update', value: { event, message_template_id: 4242, message_template_name: name, message_template_language: 'en_US', reason: 'NONE' } }] }],
});
const qualityUpdate = (wabaId: string, displayNumber: string, tier: string) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: wabaId, changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: displayNumber.replace(/\D/g, ''), event: 'UPGRADE', current_limit: tier } }] }],
});

describe('webhooks change only what the signing app serves, and bound the bytes in flight', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let a: TestChannel;
  let b: TestChannel;
  before(async () => {
    app = await startTestApp({ WEBHOOK_INFLIGHT_MAX_MB: '1' });
    admin = await app.adminClient();
    a = await addChannel(admin);
    b = await addChannel(admin);
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;
  const templateOf = (wabaId: string, name: string) => db()('templates').where({ waba_id: wabaId, name }).first();
  const channelRow = (id: string) => db()('channels').where({ id }).first();

  it("a template-status payload signed with number A's app secret naming WABA B changes nothing of B", async () => {
    expect(await postWebhook(app.url, b.appSecret, templateStatus(b.wabaId, 'shipping_notice', 'PENDING'))).to.equal(200);
    expect((await templateOf(b.wabaId, 'shipping_notice')).status).to.equal('PENDING');
    expect(await postWebhook(app.url, a.appSecret, templateStatus(b.wabaId, 'shipping_notice', 'APPROVED'))).to.equal(403);
    expect(await postWebhook(app.url, a.appSecret, templateStatus(b.wabaId, 'forged_new', 'APPROVED'))).to.equal(403);
    expect((await templateOf(b.wabaId, 'shipping_notice')).status).to.equal('PENDING');
    expect(await templateOf(b.wabaId, 'forged_new')).to.equal(undefined);
    // Hidden behind an entry of A's own WABA, it is refused whole.
    const mixed = templateStatus(a.wabaId, 'a_notice', 'APPROVED');
    mixed.entry.push(templateStatus(b.wabaId, 'shipping_notice', 'APPROVED').entry[0]!);
    expect(await postWebhook(app.url, a.appSecret, mixed)).to.equal(403);
    expect((await templateOf(b.wabaId, 'shipping_notice')).status).to.equal('PENDING');
    expect(await postWebhook(app.url, b.appSecret, templateStatus(b.wabaId, 'shipping_notice', 'APPROVED'))).to.equal(200);
    expect((await templateOf(b.wabaId, 'shipping_notice')).status).to.equal('APPROVED');
  });

  it("a quality payload signed with A's secret changes neither WABA B's numbers nor another app's number in A's WABA", async () => {
    expect(await postWebhook(app.url, a.appSecret, qualityUpdate(b.wabaId, b.displayNumber, 'TIER_UNLIMITED'))).to.equal(403);
    expect((await channelRow(b.id)).messaging_tier).to.equal(null);
    // The same WABA and display number, served through another Meta app (its own secret).
    const twin = await addChannel(admin, { wabaId: a.wabaId, displayNumber: a.displayNumber });
    expect(await postWebhook(app.url, a.appSecret, qualityUpdate(a.wabaId, a.displayNumber, 'TIER_10K'))).to.equal(200);
    expect((await channelRow(a.id)).messaging_tier).to.equal('TIER_10K');
    expect((await channelRow(twin.id)).messaging_tier).to.equal(null);
  });

  it("a status signed with A's secret for a message of number B changes nothing of it", async () => {
    const payload = inbound(b, '15550005555', { type: 'text', text: { body: 'for B only' } });
    expect(await postWebhook(app.url, b.appSecret, payload)).to.equal(200);
    const wamidOfB = (payload.entry[0]!.changes[0]!.value as unknown as { messages: Array<{ id: string }> }).messages[0]!.id;
    const before = await db()('messages').where({ wamid: wamidOfB }).first();
    expect(await postWebhook(app.url, a.appSecret, statusUpdate(a, wamidOfB, 'failed', '15550005555'))).to.equal(200);
    const after = await db()('messages').where({ wamid: wamidOfB }).first();
    expect(after.status).to.equal(before.status);
    expect(after.error).to.equal(before.error);
    expect(await db()('pending_statuses').where({ wamid: wamidOfB })).to.have.length(0);
  });

  it('answers 503 (Meta retries) while the bodies in flight would exceed WEBHOOK_INFLIGHT_MAX_MB, and accepts again after', async () => {
    const { port } = new URL(app.url);
    // A client that announces a 900 KB body and sends none of it: its bytes stay reserved.
    const held = connect(Number(port), '127.0.0.1');
    held.on('error', () => undefined);
    held.write(`POST /webhooks/whatsapp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 900000\r\nX-Hub-Signature-256: sha256=${'0'.repeat(64)}\r\n\r\n{`);
    const big = { pad: 'x'.repeat(200_000) };
    const busy = await eventually('the held body fills the budget', async () => {
      const res = await fetch(`${app.url}/webhooks/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, body: JSON.stringify(big) });
      const body = (await res.json()) as { error: { id: string } };
      return res.status === 503 ? { res, body } : null;
    });
    expect(busy.body.error.id).to.equal('service_unavailable');
    expect(busy.res.headers.get('retry-after')).to.equal('1');
    // The rest of the body arrives (a bad signature: refused), which frees its bytes.
    held.end(' '.repeat(900_000 - 1));
    const payload = inbound(a, '15550004444', { type: 'text', text: { body: 'after the burst' } });
    await eventually('the budget is free again', async () => (await postWebhook(app.url, a.appSecret, payload)) === 200);
    expect(await db()('messages').where({ text: 'after the burst' })).to.have.length(1);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    expect(metrics).to.match(/outcome="busy"/);
    held.destroy();
  });
});
