// Broadcasts end to end against the built-in sandbox: the variable mapping and its preview, the
// pre-send estimate (rate card, exclusions, tier), sending with live progress, pause, resume and
// cancel, replies opening normal conversations, and the reconciliation of a send a crash left
// unrecorded.
import { expect } from 'chai';
import { newId } from '../../server/lib/ids';
import { insertRateCard } from '../../server/modules/costs';
import { runBroadcast } from '../../server/modules/broadcasts';
import { OUTBOX_TAG_PREFIX } from '../../server/modules/outbox';
import { startTestApp, type TestApp } from '../support/app';
import { approvedTemplate, broadcastWhen, seedContacts, segmentOf } from '../support/broadcasts';
import { postSample, TINY_PNG, uploadMedia } from '../support/media';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('broadcasts: mapping, preview, estimate, sending, pause/resume/cancel, replies', function () {
  this.timeout(120_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let channelId: string;
  let phoneNumberId: string;
  let promoId: string;
  let noticeId: string;
  let next = 33_650_000_000;
  const db = () => app.runtime.services.db;
  const waId = () => String((next += 1));

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '100' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    channelId = channel.id;
    phoneNumberId = channel.phoneNumberId;
    await db()('contact_attributes').insert({ key: 'city', name: 'City', type: 'text' });
    promoId = await approvedTemplate(admin, channelId, {
      name: 'spring_promo', category: 'MARKETING',
      header: { format: 'TEXT', text: 'Sale in {{1}}', example: 'Lyon' },
      body: { text: 'Hello {{1}}, our {{2}} shop has news.', examples: ['Robin', 'Lyon'] },
      buttons: [{ type: 'URL', text: 'See offers', url: 'https://shop.example.com/o/{{1}}', example: 'x' }],
    });
    noticeId = await approvedTemplate(admin, channelId, { name: 'service_notice', category: 'UTILITY', body: { text: 'Dear {{1}}, service resumes tomorrow.', examples: ['Robin'] } });
  });
  after(async () => app.stop());
  afterEach(async () => {
    // Each test starts with a number that the tier does not hold back.
    await db()('channels').where({ id: channelId }).update({ messaging_tier: 'TIER_UNLIMITED' });
    app.runtime.services.channels.invalidate();
  });

  const promoMapping = [
    { component: 'header', index: 1, source: { kind: 'attribute', key: 'city' }, fallback: 'town' },
    { component: 'body', index: 1, source: { kind: 'field', field: 'name' }, fallback: 'friend' },
    { component: 'body', index: 2, source: { kind: 'attribute', key: 'city' }, fallback: 'local' },
    { component: 'button', index: 0, source: { kind: 'text', text: 'spring' } },
  ];
  const noticeMapping = [{ component: 'body', index: 1, source: { kind: 'field', field: 'name' }, fallback: 'customer' }];

  it('checks the mapping against the template and previews three contacts as they would receive it', async () => {
    const { labelId } = await seedContacts(db(), [
      { waId: waId(), name: 'Ann', country: 'FR', attributes: { city: 'Lyon' } },
      { waId: waId(), name: null, country: 'FR', attributes: {} },
      { waId: waId(), name: 'Cy', country: 'BE', attributes: { city: 'Gent' } },
      { waId: waId(), name: 'Dee', country: 'BE', attributes: { city: 'Liège' } },
    ]);
    const segmentId = await segmentOf(admin, labelId);
    const draft = { templateId: promoId, segmentId, channelIds: [channelId], mapping: promoMapping };
    const vars = await admin.get(`/api/v1/broadcasts/template-variables?templateId=${promoId}`);
    expect(vars.body.variables).to.deep.equal([{ component: 'header', index: 1 }, { component: 'body', index: 1 }, { component: 'body', index: 2 }, { component: 'button', index: 0 }]);

    const preview = await admin.post('/api/v1/broadcasts/preview', draft);
    expect(preview.status, JSON.stringify(preview.body)).to.equal(200);
    expect(preview.body.samples).to.have.length(3);
    const bodies = preview.body.samples.map((s: { rendered: { body: string } }) => s.rendered.body);
    expect(bodies).to.include('Hello Ann, our Lyon shop has news.');
    expect(bodies).to.include('Hello friend, our local shop has news.');
    const ann = preview.body.samples.find((s: { name: string }) => s.name === 'Ann');
    expect(ann.rendered.header).to.equal('Sale in Lyon');
    expect(ann.rendered.buttons).to.deep.equal(['See offers (https://shop.example.com/o/spring)']);

    const missing = await admin.post('/api/v1/broadcasts/preview', { ...draft, mapping: promoMapping.slice(1) });
    expect(missing.status).to.equal(400);
    expect(missing.body.error.id).to.equal('validation_failed');
    const extra = await admin.post('/api/v1/broadcasts/preview', { ...draft, mapping: [...promoMapping, { component: 'body', index: 3, source: { kind: 'text', text: 'x' } }] });
    expect(extra.status).to.equal(400);
    const noFallback = await admin.post('/api/v1/broadcasts/preview', { ...draft, mapping: [{ ...promoMapping[0], fallback: '' }, ...promoMapping.slice(1)] });
    expect(noFallback.status).to.equal(400);
    expect(JSON.stringify(noFallback.body.error.details)).to.contain('fallback');
  });

  it('estimates cost per country and category with the rate card, counts exclusions and says what the tier allows', async () => {
    await db().transaction((trx) => insertRateCard(trx, {
      effectiveFrom: '2026-01-01', currency: 'EUR', createdBy: null,
      prices: [{ country: 'FR', category: 'marketing', price: 0.1 }, { country: '*', category: 'marketing', price: 0.05 }, { country: 'FR', category: 'utility', price: 0.02 }],
    }));
    const { labelId } = await seedContacts(db(), [
      ...Array.from({ length: 4 }, () => ({ waId: waId(), country: 'FR', optState: 'in' as const })),
      ...Array.from({ length: 2 }, () => ({ waId: waId(), country: 'BE', optState: 'in' as const })),
      { waId: waId(), country: 'FR', optState: 'out' },
      { waId: waId(), country: 'FR', optState: 'unknown' },
      { waId: waId(), country: 'BE', optState: 'unknown' },
    ]);
    const segmentId = await segmentOf(admin, labelId);
    await db()('channels').where({ id: channelId }).update({ messaging_tier: 'TIER_250' });
    app.runtime.services.channels.invalidate();

    const marketing = await admin.post('/api/v1/broadcasts/estimate', { templateId: promoId, segmentId, channelIds: [channelId], mapping: promoMapping });
    expect(marketing.status, JSON.stringify(marketing.body)).to.equal(200);
    expect(marketing.body).to.deep.include({ audience: 9, recipients: 6, category: 'marketing' });
    expect(marketing.body.excluded).to.deep.equal({ opted_out: 1, no_marketing_opt_in: 2, restricted: 0 });
    expect(marketing.body.cost.currency).to.equal('EUR');
    expect(marketing.body.cost.lines.map((l: { country: string; count: number; amount: number }) => [l.country, l.count, l.amount])).to.deep.equal([['FR', 4, 0.4], ['BE', 2, 0.1]]);
    expect(marketing.body.cost.total).to.equal(0.5);
    expect(marketing.body.tier).to.deep.include({ limitPer24h: 250, days: 1 });

    // A utility template only leaves out who opted out.
    const utility = await admin.post('/api/v1/broadcasts/estimate', { templateId: noticeId, segmentId, channelIds: [channelId], mapping: noticeMapping });
    expect(utility.body).to.deep.include({ recipients: 8, category: 'utility' });
    expect(utility.body.excluded).to.deep.equal({ opted_out: 1, no_marketing_opt_in: 0, restricted: 0 });
    expect(utility.body.cost.unpriced).to.equal(3);

    // 10,000 recipients on a 1,000-a-day tier: ten days.
    await db()('channels').where({ id: channelId }).update({ messaging_tier: 'TIER_1K' });
    app.runtime.services.channels.invalidate();
    const big = await seedContacts(db(), Array.from({ length: 10_000 }, (_, i) => ({ waId: String(34_600_000_000 + i), country: 'ES' })));
    const bigSegment = await segmentOf(admin, big.labelId);
    const days = await admin.post('/api/v1/broadcasts/estimate', { templateId: noticeId, segmentId: bigSegment, channelIds: [channelId], mapping: noticeMapping });
    expect(days.body.tier).to.deep.include({ limitPer24h: 1000, availableNow: 1000, days: 10 });
    await db()('channels').where({ id: channelId }).update({ messaging_tier: null });
    app.runtime.services.channels.invalidate();
  });

  it('sends to the included contacts with their values, shows progress to the end, and a reply opens a normal conversation', async () => {
    const people = [
      { waId: waId(), name: 'Ann', country: 'FR', attributes: { city: 'Lyon' } },
      { waId: waId(), name: 'Bo', country: 'FR', attributes: {} },
      { waId: waId(), name: 'Out', country: 'FR', optState: 'out' as const },
      { waId: waId(), name: 'Unasked', country: 'FR', optState: 'unknown' as const },
    ];
    const { labelId } = await seedContacts(db(), people);
    const segmentId = await segmentOf(admin, labelId);
    const created = await admin.post('/api/v1/broadcasts', { name: 'Spring', templateId: promoId, segmentId, channelIds: [channelId], mapping: promoMapping });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.broadcast.id;
    const done = await broadcastWhen(admin, id, 'the broadcast read by both', (b) => b.status === 'completed' && b.progress.read === 2);
    expect(done.progress).to.deep.include({ total: 4, pending: 0, queued: 0, failed: 0, cancelled: 0 });
    expect(done.progress.excluded).to.deep.equal({ opted_out: 1, no_marketing_opt_in: 1, restricted: 0, lexicon_blocked: 0 });

    const received = sandbox.conversation(phoneNumberId, people[0]!.waId);
    expect(JSON.stringify(received)).to.contain('Lyon').and.to.contain('Ann');
    expect(sandbox.conversation(phoneNumberId, people[2]!.waId)).to.deep.equal([]);
    expect(sandbox.conversation(phoneNumberId, people[3]!.waId)).to.deep.equal([]);

    // The broadcast's conversation stays out of the queue until the customer answers.
    const contact = await db()('contacts').where({ wa_id: people[1]!.waId }).first();
    const before = await db()('conversations').where({ contact_id: contact.id, channel_id: channelId }).first();
    expect(before.status).to.equal('resolved');
    await sandbox.customerSends({ phoneNumberId, from: people[1]!.waId, profileName: 'Bo', message: { type: 'text', body: 'Tell me more' } });
    const reopened = await eventually('the reply reopens the conversation', async () => {
      const c = await db()('conversations').where({ id: before.id }).first();
      return c.status === 'open' ? c : undefined;
    });
    expect(reopened.last_message_direction).to.equal('in');
    const messages = await db()('messages').where({ conversation_id: before.id }).orderBy('created_at');
    expect(messages.map((m: { direction: string; author_type: string }) => `${m.direction}:${m.author_type}`)).to.deep.equal(['out:broadcast', 'in:customer']);
    const inbox = await admin.get(`/api/v1/conversations/${before.id}`);
    expect(inbox.status).to.equal(200);
    // Its spend is named by the broadcast (the sandbox's statuses carry Meta's pricing).
    const spend = await admin.get('/api/v1/costs/spend');
    expect(spend.body.byBroadcast.find((l: { key: string }) => l.key === id)).to.deep.include({ label: 'Spring', messages: 2, currency: 'EUR', amount: 0.2 });

    // Audited by id and name only: no phone numbers or names of customers.
    const events = await db()('audit_events').where({ subject_id: id }).orderBy('seq');
    expect(events.map((e: { action: string }) => e.action)).to.deep.equal(['broadcast.created', 'broadcast.started', 'broadcast.completed']);
    const text = JSON.stringify(events.map((e: { details: unknown }) => e.details));
    for (const p of people) {
      expect(text).not.to.contain(p.waId);
    }
    expect(text).not.to.contain('Ann');
  });

  it("screens each recipient's message with the lexicon: a contact's own values that it blocks leave them out, flagged ones are sent and flagged", async () => {
    expect((await admin.post('/api/v1/lexicon/terms', { term: 'snakeoilville', action: 'block', locale: 'en' })).status).to.equal(201);
    expect((await admin.post('/api/v1/lexicon/terms', { term: 'quibbleton', action: 'flag', locale: 'en' })).status).to.equal(201);
    const people = [
      { waId: waId(), name: 'Clean', country: 'FR', attributes: { city: 'Lyon' } },
      { waId: waId(), name: 'Blocked', country: 'FR', attributes: { city: 'Snakeoilville' } },
      { waId: waId(), name: 'Flagged', country: 'FR', attributes: { city: 'Quibbleton' } },
    ];
    const { labelId } = await seedContacts(db(), people);
    const segmentId = await segmentOf(admin, labelId);
    // The preview says who would be left out, and why.
    const preview = await admin.post('/api/v1/broadcasts/preview', { templateId: promoId, segmentId, channelIds: [channelId], mapping: promoMapping });
    expect(preview.status, JSON.stringify(preview.body)).to.equal(200);
    const blockedOf = (name: string) => preview.body.samples.find((x: { name: string }) => x.name === name).blockedTerms;
    expect(blockedOf('Blocked')).to.deep.equal(['snakeoilville']);
    expect(blockedOf('Clean')).to.deep.equal([]);
    expect(blockedOf('Flagged')).to.deep.equal([]);
    const created = await admin.post('/api/v1/broadcasts', { name: 'Screened', templateId: promoId, segmentId, channelIds: [channelId], mapping: promoMapping });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.broadcast.id;
    const done = await broadcastWhen(admin, id, 'the broadcast sent to the two it may reach', (b) => b.status === 'completed');
    expect(done.progress.excluded).to.deep.equal({ opted_out: 0, no_marketing_opt_in: 0, restricted: 0, lexicon_blocked: 1 });
    expect(done.progress).to.deep.include({ total: 3, pending: 0, queued: 0, failed: 0 });
    expect(sandbox.conversation(phoneNumberId, people[1]!.waId)).to.deep.equal([]);
    expect(JSON.stringify(sandbox.conversation(phoneNumberId, people[2]!.waId))).to.contain('Quibbleton');
    const flagged = await db()('lexicon_hits').join('lexicon_terms', 'lexicon_terms.id', 'lexicon_hits.term_id').where('lexicon_terms.normalized', 'quibbleton').select('lexicon_hits.direction', 'lexicon_hits.message_id');
    expect(flagged).to.have.length(1);
    expect(flagged[0].direction).to.equal('out');
    expect(flagged[0].message_id).to.be.a('string');
    const events = await db()('audit_events').where({ subject_id: id, action: 'broadcast.recipients_blocked' });
    expect(events).to.have.length(1);
    expect(events[0].details).to.deep.include({ recipients: 1, terms: ['snakeoilville'] });
    expect(JSON.stringify(events[0].details)).not.to.contain(people[1]!.waId);
  });

  it('sends a template with an image header: the creator\'s upload, checked, previewed, and handed to WhatsApp once per number', async () => {
    const sample = await postSample(app.url, admin, channelId);
    expect(sample.status, JSON.stringify(sample.body)).to.equal(200);
    const templateId = await approvedTemplate(admin, channelId, {
      name: 'lookbook', category: 'MARKETING', header: { format: 'IMAGE', exampleHandle: sample.body.handle },
      body: { text: 'Hello {{1}}, the new lookbook is out.', examples: ['Robin'] },
    });
    const people = Array.from({ length: 5 }, (_, i) => ({ waId: waId(), name: `Reader ${i}`, country: 'FR' }));
    const { labelId } = await seedContacts(db(), people);
    const segmentId = await segmentOf(admin, labelId);
    const draft = { templateId, segmentId, channelIds: [channelId], mapping: noticeMapping };

    const missing = await admin.post('/api/v1/broadcasts/preview', draft);
    expect(missing.status).to.equal(400);
    expect(missing.body.error.details.fields[0].path).to.equal('body.headerMediaId');
    const pdf = await uploadMedia(app.url, admin, Buffer.from('%PDF-1.4\n'), 'application/pdf', 'flyer.pdf');
    const wrongKind = await admin.post('/api/v1/broadcasts/preview', { ...draft, headerMediaId: pdf });
    expect(wrongKind.status).to.equal(400);
    expect(wrongKind.body.error.message).to.match(/application\/pdf/);
    // Someone else's upload is not the creator's to send.
    const { client: supervisor } = await app.userWithRoles(['supervisor']);
    const theirs = await uploadMedia(app.url, supervisor, TINY_PNG, 'image/png', 'theirs.png');
    const notMine = await admin.post('/api/v1/broadcasts/preview', { ...draft, headerMediaId: theirs });
    expect(notMine.status).to.equal(400);
    expect(notMine.body.error.id).to.equal('unknown_media');
    // A template whose header is text takes no file.
    const noFile = await admin.post('/api/v1/broadcasts/preview', { templateId: noticeId, segmentId, channelIds: [channelId], mapping: noticeMapping, headerMediaId: pdf });
    expect(noFile.status).to.equal(400);
    expect(noFile.body.error.details.fields[0].path).to.equal('body.headerMediaId');

    const png = await uploadMedia(app.url, admin, TINY_PNG, 'image/png', 'lookbook.png');
    const preview = await admin.post('/api/v1/broadcasts/preview', { ...draft, headerMediaId: png });
    expect(preview.status, JSON.stringify(preview.body)).to.equal(200);
    expect(preview.body.samples[0].rendered.header).to.equal('[image: lookbook.png]');
    const uploadsBefore = sandbox.stats().media.uploaded;
    const created = await admin.post('/api/v1/broadcasts', { ...draft, name: 'Lookbook', headerMediaId: png });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.broadcast.headerMediaId).to.equal(png);
    const done = await broadcastWhen(admin, created.body.broadcast.id, 'the lookbook sent to all', (b) => b.status === 'completed' && b.progress.sent + b.progress.delivered + b.progress.read === 5);
    expect(done.progress.failed).to.equal(0);
    // One upload for the five, and each recipient got WhatsApp's media id with the picture behind it.
    expect(sandbox.stats().media.uploaded - uploadsBefore).to.equal(1);
    type SentTemplate = { components: Array<{ type: string; parameters: Array<{ image: { id: string } }> }> };
    const headers = people.map((p) => (sandbox.conversation(phoneNumberId, p.waId)[0]!.body as SentTemplate).components.find((c) => c.type === 'header')!);
    expect(new Set(headers.map((h) => h.parameters[0]!.image.id)).size).to.equal(1);
    expect(headers[0]!.parameters[0]!.image.id).not.to.match(/^@media:/);
  });

  it('pauses (queued messages held), resumes, and cancels what is not sent yet, counting every recipient once', async () => {
    // A 50-a-day tier holds what it does not allow in the outbox: the broadcast cannot finish.
    await db()('channels').where({ id: channelId }).update({ messaging_tier: 'TIER_50' });
    app.runtime.services.channels.invalidate();
    const { labelId } = await seedContacts(db(), Array.from({ length: 60 }, () => ({ waId: waId(), name: 'P', country: 'FR' })));
    const segmentId = await segmentOf(admin, labelId);
    const created = await admin.post('/api/v1/broadcasts', { name: 'Held', templateId: noticeId, segmentId, channelIds: [channelId], mapping: noticeMapping });
    const id = created.body.broadcast.id;
    await eventually('rows held for the tier', async () => (await db()('outbox').where({ broadcast_id: id, state: 'queued', held_reason: 'tier' })).length > 0, 60_000);

    const paused = await admin.post(`/api/v1/broadcasts/${id}/pause`, {});
    expect(paused.status, JSON.stringify(paused.body)).to.equal(200);
    expect(paused.body.broadcast.status).to.equal('paused');
    const held = await db()('outbox').where({ broadcast_id: id, state: 'queued' });
    expect(held.length).to.be.greaterThan(0);
    // Held: by the pause, or (a row the lane had in hand as the pause committed) by the tier for hours.
    const hour = Date.now() + 3_600_000;
    expect(held.every((r: { held_reason: string; next_attempt_at: Date }) => r.held_reason === 'paused' || (r.held_reason === 'tier' && r.next_attempt_at.getTime() > hour))).to.equal(true);
    expect(held.some((r: { held_reason: string }) => r.held_reason === 'paused')).to.equal(true);
    expect((await admin.post(`/api/v1/broadcasts/${id}/pause`, {})).status).to.equal(409);

    const resumed = await admin.post(`/api/v1/broadcasts/${id}/resume`, {});
    expect(resumed.body.broadcast.status).to.equal('running');
    expect(await db()('outbox').where({ broadcast_id: id, held_reason: 'paused' })).to.have.length(0);
    expect(resumed.body.broadcast.progress.queued).to.be.at.least(held.length);

    const cancelled = await admin.post(`/api/v1/broadcasts/${id}/cancel`, {});
    expect(cancelled.body.broadcast.status).to.equal('cancelled');
    const end = await broadcastWhen(admin, id, 'every recipient final', (b) => b.progress.queued === 0 && b.progress.sent === 0);
    const p = end.progress;
    expect(p.cancelled).to.be.at.least(held.length);
    expect(p.delivered + p.read + p.failed + p.cancelled).to.equal(60);
    expect((await admin.post(`/api/v1/broadcasts/${id}/resume`, {})).status).to.equal(409);
    const actions = (await db()('audit_events').where({ subject_id: id }).orderBy('seq')).map((e: { action: string }) => e.action);
    expect(actions).to.include.members(['broadcast.paused', 'broadcast.resumed', 'broadcast.cancelled']);
  });

  it('schedules a broadcast for later and refuses users without the permission (audited as denied)', async () => {
    const { labelId } = await seedContacts(db(), [{ waId: waId(), name: 'Later', country: 'FR' }]);
    const segmentId = await segmentOf(admin, labelId);
    const at = new Date(Date.now() + 3_600_000).toISOString();
    const created = await admin.post('/api/v1/broadcasts', { name: 'Later', templateId: noticeId, segmentId, channelIds: [channelId], mapping: noticeMapping, scheduledAt: at });
    expect(created.body.broadcast).to.deep.include({ status: 'scheduled', scheduledAt: at });
    expect(created.body.broadcast.progress.total).to.equal(0);
    expect((await runBroadcast(app.runtime.services, created.body.broadcast.id))).to.equal('idle');

    const agent = (await app.userWithRoles(['agent'])).client;
    const refused = await agent.post('/api/v1/broadcasts', { name: 'x', templateId: noticeId, segmentId, channelIds: [channelId], mapping: noticeMapping });
    expect(refused.status).to.equal(403);
    expect((await agent.post(`/api/v1/broadcasts/${created.body.broadcast.id}/cancel`, {})).status).to.equal(403);
    const denied = await db()('audit_events').where({ action: 'access.denied' }).orderBy('seq', 'desc').first();
    expect(JSON.stringify(denied.details)).to.contain('Broadcast');
    expect((await admin.post(`/api/v1/broadcasts/${newId()}/cancel`, {})).status).to.equal(404);
  });

  it('takes the wamid of a send a crash left unrecorded from its status webhook, and never sends it again', async () => {
    const person = { waId: waId(), name: 'Crash', country: 'FR' };
    const { labelId } = await seedContacts(db(), [person]);
    const segmentId = await segmentOf(admin, labelId);
    const created = await admin.post('/api/v1/broadcasts', { name: 'Crash', templateId: noticeId, segmentId, channelIds: [channelId], mapping: noticeMapping });
    const id = created.body.broadcast.id;
    await broadcastWhen(admin, id, 'read', (b) => b.status === 'completed' && b.progress.read === 1);
    // Make it as a crash between Meta's answer and the commit leaves it: no wamid recorded, the
    // row failed as 'interrupted' by the sender's reconciliation, and the statuses parked.
    const r = await db()('broadcast_recipients').where({ broadcast_id: id }).first();
    const message = await db()('messages').where({ id: r.message_id }).first();
    await db()('message_wamids').where({ wamid: message.wamid }).delete();
    await db()('messages').where({ id: r.message_id }).update({ wamid: null, status: 'failed', error: JSON.stringify({ code: 'interrupted' }), status_times: '{}' });
    await db()('outbox').where({ id: r.outbox_id }).update({ state: 'failed', last_error: JSON.stringify({ code: 'interrupted' }) });
    await db()('broadcasts').where({ id }).update({ status: 'running', run_at: null });
    const opaque = JSON.stringify({ error: null, pricing: null, opaque: `${OUTBOX_TAG_PREFIX}${r.outbox_id}` });
    await db()('pending_statuses').delete();
    await db()('pending_statuses').insert([
      { wamid: message.wamid, status: 'sent', at: new Date(), payload: opaque },
      { wamid: message.wamid, status: 'delivered', at: new Date(), payload: opaque },
    ]);
    const sends = sandbox.stats().messages.sent;

    expect(await runBroadcast(app.runtime.services, id)).to.equal('done');
    const after = await db()('messages').where({ id: r.message_id }).first();
    expect(after).to.deep.include({ wamid: message.wamid, status: 'delivered', error: null });
    expect((await db()('outbox').where({ id: r.outbox_id }).first()).state).to.equal('sent');
    expect(await db()('pending_statuses').where({ wamid: message.wamid })).to.have.length(0);
    expect(sandbox.stats().messages.sent).to.equal(sends);
  });
});
