import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { approvedTemplate } from '../support/broadcasts';
import { customerWrites as customerWritesVia } from '../support/autoreply';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { TINY_PNG, uploadMedia } from '../support/media';
import { addChannel } from '../support/whatsapp';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];
type Refusal = { status: number; body: { error: { id: string; details: { fields: Array<{ path: string }> } } } };

describe('auto-reply answers: files, templates and lookups checked at save, and sent through the real webhook', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let phoneNumberId: string;
  let channelId: string;
  let customer = 33791000000;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '100' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    phoneNumberId = channel.phoneNumberId;
    channelId = channel.id;
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;
  const nextCustomer = () => String((customer += 1));
  const rule = (body: Record<string, unknown>) => ({ mode: 'word', cooldownSeconds: 0, channelIds: [], ...body });

  const upload = (as: ApiClient, filename: string) => uploadMedia(app.url, as, TINY_PNG, 'image/png', filename);
  const customerWrites = (waId: string, text: string) => customerWritesVia(app, phoneNumberId, waId, text);
  /** The customer's first answer as the sandbox received it (after the outbox and the sender lane). */
  const firstAnswer = (waId: string) =>
    eventually(`an answer to ${waId}`, async () => sandbox.conversation(phoneNumberId, waId).find((m) => m.direction === 'out'));

  function expectRefused(res: Refusal, id: string, path: string) {
    expect(res.status, JSON.stringify(res.body)).to.equal(400);
    expect(res.body.error.id).to.equal(id);
    expect(res.body.error.details.fields.map((f) => f.path)).to.include(path);
  }

  it('refuses, naming the field, answers and numbers the runner could not send; nothing is stored', async () => {
    const other = await addChannel(admin);
    const greeting = await approvedTemplate(admin, channelId, { name: 'rule_greeting', category: 'UTILITY', body: { text: 'Hello {{1}}, we answer within the hour.', examples: ['Robin'] } });
    const headed = await approvedTemplate(admin, channelId, {
      name: 'rule_headed', category: 'UTILITY', header: { format: 'TEXT', text: 'Order {{1}}', example: '#7' }, body: { text: 'It ships today.' },
    });
    const linked = await approvedTemplate(admin, channelId, {
      name: 'rule_linked', category: 'UTILITY', body: { text: 'Track your parcel.' }, buttons: [{ type: 'URL', text: 'Track', url: 'https://shop.example.com/t/{{1}}', example: 'X7' }],
    });
    expect((await admin.post('/api/v1/templates', { channelId, name: 'rule_reject_me', language: 'en_US', category: 'UTILITY', body: { text: 'Nope.' } })).status).to.equal(201);
    const rejected = await eventually('the template rejected', async () =>
      ((await admin.get(`/api/v1/templates?channelId=${channelId}`)).body.items as Array<{ id: string; name: string; status: string }>).find((t) => t.name === 'rule_reject_me' && t.status === 'REJECTED'));
    const second = await app.userWithRoles(['admin']);
    const theirFile = await upload(second.client, 'theirs.png');
    const template = (over: Record<string, unknown> = {}) => ({ kind: 'template', templateId: greeting, parameters: ['friend'], ...over });
    const refusals: Array<[Record<string, unknown>, string, string]> = [
      [{ channelIds: ['0190a000-0000-7000-8000-00000000dead'], answer: { kind: 'text', text: 'x' } }, 'validation_failed', 'body.channelIds.0'],
      [{ answer: { kind: 'media', mediaId: '0190a000-0000-7000-8000-00000000beef' } }, 'unknown_media', 'body.answer.mediaId'],
      // Another admin's upload: the runner could not send it as the rule's writer.
      [{ answer: { kind: 'media', mediaId: theirFile } }, 'unknown_media', 'body.answer.mediaId'],
      [{ channelIds: [channelId], answer: template({ templateId: '0190a000-0000-7000-8000-00000000cafe' }) }, 'unknown_template', 'body.answer.templateId'],
      [{ channelIds: [channelId], answer: template({ templateId: rejected.id, parameters: [] }) }, 'unknown_template', 'body.answer.templateId'],
      [{ channelIds: [channelId], answer: template({ parameters: [] }) }, 'validation_failed', 'body.answer.parameters'],
      [{ channelIds: [channelId], answer: template({ parameters: ['a', 'b'] }) }, 'validation_failed', 'body.answer.parameters'],
      [{ channelIds: [channelId], answer: template({ templateId: headed, parameters: [] }) }, 'validation_failed', 'body.answer.templateId'],
      [{ channelIds: [channelId], answer: template({ templateId: linked, parameters: [] }) }, 'validation_failed', 'body.answer.templateId'],
      [{ channelIds: [], answer: template() }, 'validation_failed', 'body.channelIds'],
      // A number of another WhatsApp Business Account cannot send the template.
      [{ channelIds: [channelId, other.id], answer: template() }, 'validation_failed', 'body.channelIds.1'],
      [{ answer: { kind: 'lookup', integrationId: '0190a000-0000-7000-8000-00000000f00d' } }, 'validation_failed', 'body.answer.integrationId'],
    ];
    for (const [body, id, path] of refusals) {
      expectRefused(await admin.post('/api/v1/autoreply/rules', rule({ name: 'Refused', keywords: ['refused'], ...body })), id, path);
    }
    expect(await db()('autoreply_rules').where({ name: 'Refused' })).to.have.length(0);
    // Each refusal of a reference carries a code the panel words in the user's language.
    const wrongCount = await admin.post('/api/v1/autoreply/rules', rule({ name: 'Refused', keywords: ['refused'], channelIds: [channelId], answer: template({ parameters: [] }) }));
    expect(wrongCount.body.error.details.fields[0]).to.deep.include({ path: 'body.answer.parameters', code: 'parameters_count' });

    // On a change, the answer and numbers the rule ends with are checked: dropping a template rule's numbers is refused.
    const created = await admin.post('/api/v1/autoreply/rules', rule({ name: 'Greeting', keywords: ['greeting'], channelIds: [channelId], answer: template() }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.rule.id as string;
    expectRefused(await admin.patch(`/api/v1/autoreply/rules/${id}`, { channelIds: [] }), 'validation_failed', 'body.channelIds');
    expectRefused(await admin.patch(`/api/v1/autoreply/rules/${id}`, { channelIds: [other.id] }), 'validation_failed', 'body.channelIds.0');
    expectRefused(await admin.patch(`/api/v1/autoreply/rules/${id}`, { answer: template({ parameters: [] }) }), 'validation_failed', 'body.answer.parameters');
    expectRefused(await admin.patch(`/api/v1/autoreply/rules/${id}`, { answer: { kind: 'media', mediaId: theirFile } }), 'unknown_media', 'body.answer.mediaId');
    const stored = await db()('autoreply_rules').where({ id }).first();
    expect(stored.channel_ids).to.deep.equal([channelId]);
    expect(stored.answer).to.deep.equal(template());
    expect(await db()('audit_events').where({ subject_id: id, action: 'autoreply.rule_updated' })).to.have.length(0);
  });

  it('answers with an uploaded file (and its caption) through the outbox and the sender lane', async () => {
    const mediaId = await upload(admin, 'menu.png');
    const created = await admin.post('/api/v1/autoreply/rules', rule({ name: 'Menu', keywords: ['menu'], channelIds: [channelId], answer: { kind: 'media', mediaId, caption: 'Our menu' } }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.rule.answer).to.deep.equal({ kind: 'media', mediaId, caption: 'Our menu' });
    // The list names the file the rule answers with.
    const listed = (await admin.get('/api/v1/autoreply/rules')).body.items.find((r: { id: string }) => r.id === created.body.rule.id);
    expect(listed.answerName).to.equal('menu.png');
    const waId = nextCustomer();
    await customerWrites(waId, 'Le menu svp');
    const sent = await firstAnswer(waId);
    expect(sent.type).to.equal('image');
    expect((sent.body as { caption?: string }).caption).to.equal('Our menu');
  });

  it('answers with an approved template, its body variable filled, from the rule’s number', async () => {
    const templateId = await approvedTemplate(admin, channelId, { name: 'rule_opening', category: 'UTILITY', body: { text: 'Hi {{1}}, we open at 9.', examples: ['Robin'] } });
    const created = await admin.post('/api/v1/autoreply/rules', rule({ name: 'Opening', keywords: ['ouverture'], channelIds: [channelId], answer: { kind: 'template', templateId, parameters: ['there'] } }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.rule.answerName).to.equal('rule_opening');
    const waId = nextCustomer();
    await customerWrites(waId, 'heure d’ouverture ?');
    const sent = await firstAnswer(waId);
    expect(sent.type).to.equal('template');
    const body = sent.body as { name: string; components: Array<{ type: string; parameters: Array<{ text: string }> }> };
    expect(body.name).to.equal('rule_opening');
    expect(body.components.find((c) => c.type === 'body')!.parameters.map((p) => p.text)).to.deep.equal(['there']);
  });

  it('sends a file set by a second admin editing the rule (as their upload); a rename by another keeps the file its uploader’s', async () => {
    const created = await admin.post('/api/v1/autoreply/rules', rule({ name: 'Catalogue', keywords: ['catalogue'], answer: { kind: 'text', text: 'soon' } }));
    expect(created.status).to.equal(201);
    const id = created.body.rule.id as string;
    const second = await app.userWithRoles(['admin']);
    const theirs = await upload(second.client, 'catalogue.png');
    const changed = await second.client.patch(`/api/v1/autoreply/rules/${id}`, { answer: { kind: 'media', mediaId: theirs } });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    expect((await db()('autoreply_rules').where({ id }).first()).answer_by).to.equal(second.id);
    // The first admin renames it, sending the whole form back: the file stays the second admin's.
    const renamed = await admin.patch(`/api/v1/autoreply/rules/${id}`, { name: 'Catalogue 2026', answer: { kind: 'media', mediaId: theirs } });
    expect(renamed.status, JSON.stringify(renamed.body)).to.equal(200);
    expect((await db()('autoreply_rules').where({ id }).first()).answer_by).to.equal(second.id);
    const waId = nextCustomer();
    await customerWrites(waId, 'catalogue');
    const sent = await firstAnswer(waId);
    expect(sent.type).to.equal('image');
    const stored = await db()('messages as m').join('contacts as k', 'k.id', 'm.contact_id').where({ 'k.wa_id': waId, 'm.direction': 'out' }).first('m.media_id', 'm.author_type');
    expect(stored).to.deep.equal({ media_id: theirs, author_type: 'bot' });
  });

  it('takes a lookup answer naming an existing integration', async () => {
    const integration = await admin.post('/api/v1/integrations', {
      name: 'Orders for rules', url: 'https://orders.example.com/status/{{wa_id}}', method: 'GET', headers: [], bodyTemplate: null, responseTemplate: 'Order: {{status}}', enabled: true, timeoutMs: 2000,
    });
    expect(integration.status, JSON.stringify(integration.body)).to.equal(201);
    const integrationId = integration.body.integration.id as string;
    const created = await admin.post('/api/v1/autoreply/rules', rule({ name: 'Order lookup', keywords: ['suivi'], answer: { kind: 'lookup', integrationId } }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.rule.answer).to.deep.equal({ kind: 'lookup', integrationId });
    expect(created.body.rule.answerName).to.equal('Orders for rules');
  });
});
