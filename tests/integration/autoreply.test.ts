import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import { customerWrites as customerWritesVia } from '../support/autoreply';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { addChannel } from '../support/whatsapp';
import { formatOpening, nextOpening } from '../../server/modules/autoreply/hours';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('auto-replies through the real webhook: keyword rules, business hours, welcome, lookups', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let phoneNumberId: string;
  let channelId: string;
  let customer = 33790000000;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    phoneNumberId = channel.phoneNumberId;
    channelId = channel.id;
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;
  const nextCustomer = () => String((customer += 1));

  const customerWrites = (waId: string, text: string) => customerWritesVia(app, phoneNumberId, waId, text);
  /** What the customer received, as the sandbox saw it (after the outbox and the sender lane). */
  const received = (waId: string) => sandbox.conversation(phoneNumberId, waId).filter((m) => m.direction === 'out');
  // The sandbox keeps the message's object: { body } for a text, the interactive object for buttons.
  const textOf = (m: { type: string; body: unknown }) => {
    const b = m.body as { body?: string | { text: string } };
    return typeof b.body === 'string' ? b.body : (b.body?.text ?? '');
  };
  /** Waits for the customer's n-th answer to reach the sandbox. */
  const answers = (waId: string, n: number) => eventually(`${n} answer(s) to ${waId}`, async () => (received(waId).length >= n ? received(waId).map(textOf) : undefined));
  /** The bot's messages stored for a customer (queued or sent): what was decided, before the lane sends it. */
  const botMessages = async (waId: string) =>
    (await db()('messages as m').join('contacts as k', 'k.id', 'm.contact_id').where({ 'k.wa_id': waId, 'm.direction': 'out' }).orderBy('m.created_at').select('m.text', 'm.author_type')) as Array<{ text: string; author_type: string }>;

  async function addRule(body: Record<string, unknown>) {
    const res = await admin.post('/api/v1/autoreply/rules', { cooldownSeconds: 3600, channelIds: [], ...body });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.rule;
  }

  it('answers a keyword through the outbox: the reply reaches the customer, authored by the bot, audited with the rule', async () => {
    const rule = await addRule({ name: 'Opening hours', mode: 'word', keywords: ['horaires', 'opening hours'], answer: { kind: 'text', text: 'We are open 9-18.' } });
    const waId = nextCustomer();
    await customerWrites(waId, 'Bonjour, quels sont vos HORAIRES ?');
    expect(await answers(waId, 1)).to.deep.equal(['We are open 9-18.']);
    expect((await botMessages(waId)).map((m) => m.author_type)).to.deep.equal(['bot']);
    const [event] = await db()('audit_events').where({ action: 'message.sent' }).whereRaw(`details->>'ruleId' = ?`, [rule.id]);
    expect(event.actor_type).to.equal('system');
    expect(event.details.source).to.equal('rule');
    expect(JSON.stringify(event.details)).not.to.contain('open 9-18');
  });

  it('matches by contains, whole word, exact and safe regular expressions, ignoring case and accents, in any language', async () => {
    await addRule({ name: 'Refund', mode: 'contains', keywords: ['rembours'], answer: { kind: 'text', text: 'refund-answer' } });
    await addRule({ name: 'Exact hi', mode: 'exact', keywords: ['salut'], answer: { kind: 'text', text: 'exact-answer' } });
    await addRule({ name: 'Order number', mode: 'regex', keywords: ['\\border [0-9]{5}\\b'], answer: { kind: 'text', text: 'regex-answer' } });
    await addRule({ name: 'Arabic', mode: 'word', keywords: ['مرحبا'], answer: { kind: 'text', text: 'arabic-answer' } });
    await addRule({ name: 'Japanese', mode: 'word', keywords: ['予約'], answer: { kind: 'text', text: 'japanese-answer' } });
    await addRule({ name: 'Turkish', mode: 'word', keywords: ['istanbul'], answer: { kind: 'text', text: 'turkish-answer' } });
    const tries: Array<[string, string | null]> = [
      ['Je veux être REMBOURSÉ', 'refund-answer'],
      ['  Salut !', 'exact-answer'],
      ['salut, ça va ?', null],
      ['Where is ORDER 12345?', 'regex-answer'],
      ['order 1234', null],
      ['مَرْحَبًا بكم', 'arabic-answer'],
      ['明日の予約をしたい', 'japanese-answer'],
      // The dotted capital İ reads as i; the apostrophe ends the word.
      ['İSTANBUL’a gidiyorum', 'turkish-answer'],
      ['horairesxyz', null],
    ];
    for (const [text, expected] of tries) {
      const res = await admin.post('/api/v1/autoreply/test', { text, channelId });
      expect(res.status).to.equal(200);
      expect(res.body.fires?.answer.text ?? null, text).to.equal(expected);
    }
    // Through the webhook too: Arabic with vowel marks reaches the word rule.
    const waId = nextCustomer();
    await customerWrites(waId, 'مَرْحَبًا');
    expect(await answers(waId, 1)).to.deep.equal(['arabic-answer']);
  });

  it('takes the highest priority among matching rules, one answer per message, and respects each rule’s number scope', async () => {
    const other = await addChannel(admin);
    await addRule({ name: 'Low', mode: 'contains', keywords: ['livraison'], priority: 1, answer: { kind: 'text', text: 'low-priority' } });
    await addRule({ name: 'High', mode: 'contains', keywords: ['livraison'], priority: 50, answer: { kind: 'text', text: 'high-priority' } });
    await addRule({ name: 'Elsewhere', mode: 'contains', keywords: ['livraison'], priority: 99, channelIds: [other.id], answer: { kind: 'text', text: 'other-number' } });
    const tested = await admin.post('/api/v1/autoreply/test', { text: 'ma livraison ?', channelId });
    expect(tested.body.matches.map((m: any) => m.name)).to.deep.equal(['High', 'Low']);
    const onOther = await admin.post('/api/v1/autoreply/test', { text: 'ma livraison ?', channelId: other.id });
    expect(onOther.body.fires.name).to.equal('Elsewhere');
    const waId = nextCustomer();
    await customerWrites(waId, 'Où est ma livraison ?');
    expect(await answers(waId, 1)).to.deep.equal(['high-priority']);
    expect(await botMessages(waId)).to.have.length(1);
  });

  it('does not give a contact the same answer again within the rule’s cooldown; another contact gets it', async () => {
    await addRule({ name: 'Cooldown', mode: 'word', keywords: ['tarif'], cooldownSeconds: 3600, answer: { kind: 'text', text: 'price-list' } });
    await addRule({ name: 'No cooldown', mode: 'word', keywords: ['merci'], cooldownSeconds: 0, answer: { kind: 'text', text: 'you-are-welcome' } });
    const waId = nextCustomer();
    await customerWrites(waId, 'tarif');
    await customerWrites(waId, 'tarif ?');
    await customerWrites(waId, 'merci');
    await customerWrites(waId, 'merci');
    expect((await botMessages(waId)).map((m) => m.text)).to.deep.equal(['price-list', 'you-are-welcome', 'you-are-welcome']);
    const second = nextCustomer();
    await customerWrites(second, 'tarif');
    expect((await botMessages(second)).map((m) => m.text)).to.deep.equal(['price-list']);
  });

  it('refuses an unsafe or invalid regular expression at save time with a stable id, and a keyword with no letters', async () => {
    for (const pattern of ['(a+)+$', '(\\w*)*x', '(x|xx)+y', '([a-z]+\\s?)*!']) {
      const res = await admin.post('/api/v1/autoreply/rules', { name: 'Bad', mode: 'regex', keywords: [pattern], answer: { kind: 'text', text: 'x' } });
      expect(res.status, pattern).to.equal(400);
      expect(res.body.error.id, pattern).to.equal('unsafe_regex');
      expect(res.body.error.details.fields[0].path).to.equal('body.keywords.0');
    }
    const invalid = await admin.post('/api/v1/autoreply/rules', { name: 'Bad', mode: 'regex', keywords: ['(unclosed'], answer: { kind: 'text', text: 'x' } });
    expect(invalid.body.error).to.deep.include({ id: 'unsafe_regex' });
    expect(invalid.body.error.details.reason).to.equal('invalid');
    const empty = await admin.post('/api/v1/autoreply/rules', { name: 'Bad', mode: 'word', keywords: ['?!'], answer: { kind: 'text', text: 'x' } });
    expect(empty.status).to.equal(400);
    expect(empty.body.error.id).to.equal('validation_failed');
    expect(await db()('autoreply_rules').where({ name: 'Bad' })).to.have.length(0);
  });

  it('sends nothing when the lexicon blocks a rule’s answer, and records it (hit and audit, as the system)', async () => {
    const gratuit = (await admin.get('/api/v1/lexicon/terms?q=gratuit&locale=fr')).body.items.find((t: any) => t.normalized === 'gratuit');
    await admin.patch(`/api/v1/lexicon/terms/${gratuit.id}`, { action: 'block' });
    await addRule({ name: 'Blocked answer', mode: 'word', keywords: ['offre'], answer: { kind: 'text', text: 'C’est GRATUIT pour vous' } });
    const waId = nextCustomer();
    await customerWrites(waId, 'une offre ?');
    expect(await botMessages(waId)).to.deep.equal([]);
    expect(await db()('outbox').whereRaw('payload::text LIKE ?', ['%GRATUIT pour vous%'])).to.have.length(0);
    const conv = await db()('conversations as v').join('contacts as k', 'k.id', 'v.contact_id').where('k.wa_id', waId).first('v.id');
    const [event] = await db()('audit_events').where({ action: 'lexicon.blocked', subject_id: conv.id });
    expect(event.actor_type).to.equal('system');
    expect(event.details.terms).to.deep.equal(['gratuit']);
    const hit = await db()('lexicon_hits').where({ conversation_id: conv.id }).first();
    expect(hit).to.deep.include({ action: 'block', direction: 'out', author_id: null });
  });

  it('answers with reply buttons', async () => {
    await addRule({ name: 'Buttons', mode: 'word', keywords: ['aide'], answer: { kind: 'interactive', text: 'How can we help?', buttons: ['Orders', 'Returns'] } });
    const waId = nextCustomer();
    await customerWrites(waId, 'aide');
    await answers(waId, 1);
    const [message] = received(waId);
    expect(message!.type).to.equal('interactive');
    const body = message!.body as any;
    expect(body.type).to.equal('button');
    expect(body.action.buttons.map((b: any) => b.reply.title)).to.deep.equal(['Orders', 'Returns']);
  });

  it('outside business hours sends the out-of-office once per closed period, naming the next opening in the customer’s language', async () => {
    // Open only on a day three days from now, so it is closed now whatever the time.
    const day = ((((new Date().getUTCDay() + 6) % 7) + 3) % 7) + 1;
    const settings = {
      timeZone: 'Europe/Paris', weekly: [{ day, open: '09:00', close: '10:00' }], holidays: [], defaultLanguage: 'fr',
      outOfOffice: { enabled: true, texts: { fr: 'Nous sommes fermés, de retour {{next_opening}}.', en: 'We are closed; back {{next_opening}}.' } },
      welcome: { enabled: false, texts: {} },
    };
    const saved = await admin.request('PUT', `/api/v1/autoreply/hours/${channelId}`, settings);
    expect(saved.status, JSON.stringify(saved.body)).to.equal(200);
    expect(saved.body.settings.openNow).to.equal(false);
    const opening = nextOpening({ timeZone: 'Europe/Paris', weekly: settings.weekly as any, holidays: [] }, new Date())!;
    expect(saved.body.settings.nextOpening).to.equal(opening.toISOString());
    try {
      const waId = nextCustomer();
      await customerWrites(waId, 'tarif');
      await customerWrites(waId, 'tarif ?');
      const texts = (await botMessages(waId)).map((m) => m.text);
      // The out-of-office once (French, the number's default), then the keyword rule on the next message.
      expect(texts).to.deep.equal([`Nous sommes fermés, de retour ${formatOpening(opening, 'Europe/Paris', 'fr')}.`, 'price-list']);
      expect(texts[0]).to.match(/(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d+ \S+ à 9:00/);
      const [event] = await db()('audit_events').where({ action: 'autoreply.settings_updated', subject_id: channelId });
      expect(event.details).to.deep.include({ timeZone: 'Europe/Paris', outOfOffice: true });
    } finally {
      await admin.request('PUT', `/api/v1/autoreply/hours/${channelId}`, { ...settings, weekly: [], outOfOffice: { enabled: false, texts: {} } });
    }
  });

  it('welcomes a new contact on their first message only', async () => {
    const settings = { timeZone: 'UTC', weekly: [], holidays: [], defaultLanguage: 'en', outOfOffice: { enabled: false, texts: {} }, welcome: { enabled: true, texts: { en: 'Welcome to Acme!' } } };
    expect((await admin.request('PUT', `/api/v1/autoreply/hours/${channelId}`, settings)).status).to.equal(200);
    try {
      const waId = nextCustomer();
      await customerWrites(waId, 'Hello');
      await customerWrites(waId, 'merci');
      expect((await botMessages(waId)).map((m) => m.text)).to.deep.equal(['Welcome to Acme!', 'you-are-welcome']);
      expect(await answers(waId, 2)).to.deep.equal(['Welcome to Acme!', 'you-are-welcome']);
    } finally {
      await admin.request('PUT', `/api/v1/autoreply/hours/${channelId}`, { ...settings, welcome: { enabled: false, texts: {} } });
    }
  });

  it('answers from an integration lookup, or hands the conversation to a human (unassigned, audited with the reason)', async () => {
    // A configured integration (rules must name one that exists); its calls are answered here.
    const integration = await admin.post('/api/v1/integrations', {
      name: 'Order status', url: 'https://orders.example.com/status', method: 'GET', headers: [], bodyTemplate: null, responseTemplate: 'Order {{status}}', enabled: true, timeoutMs: 2000,
    });
    expect(integration.status, JSON.stringify(integration.body)).to.equal(201);
    const integrationId = integration.body.integration.id as string;
    const seen: unknown[] = [];
    const s = app.runtime.services;
    const original = s.lookup;
    s.lookup = async (id, vars) => {
      seen.push({ id, ...vars });
      return vars.text.includes('42') ? { ok: true, text: 'Order 42 ships Monday.' } : { ok: false, reason: 'timeout' };
    };
    try {
      await addRule({ name: 'Order status', mode: 'contains', keywords: ['commande'], cooldownSeconds: 0, answer: { kind: 'lookup', integrationId } });
      const waId = nextCustomer();
      await customerWrites(waId, 'ma commande 42');
      expect(await answers(waId, 1)).to.deep.equal(['Order 42 ships Monday.']);
      expect(seen[0]).to.deep.equal({ id: integrationId, waId, text: 'ma commande 42', contactName: 'Camille' });
      await customerWrites(waId, 'et ma commande 7 ?');
      await s.audit.flush();
      expect(await botMessages(waId)).to.have.length(1);
      const conv = await db()('conversations as v').join('contacts as k', 'k.id', 'v.contact_id').where('k.wa_id', waId).first('v.id', 'v.assignee_id');
      expect(conv.assignee_id).to.equal(null);
      const [handoff] = await db()('audit_events').where({ action: 'autoreply.handoff', subject_id: conv.id });
      expect(handoff.details).to.deep.include({ reason: 'timeout', integrationId });
    } finally {
      s.lookup = original;
    }
  });

  it('reports the share of resolved conversations that no human answered', async () => {
    const before = (await admin.get('/api/v1/autoreply/stats?days=1')).body;
    const bot = nextCustomer();
    await customerWrites(bot, 'merci');
    await botMessages(bot);
    const human = nextCustomer();
    await customerWrites(human, 'Hello there');
    const convOf = async (waId: string) => (await db()('conversations as v').join('contacts as k', 'k.id', 'v.contact_id').where('k.wa_id', waId).first('v.id')).id;
    const humanConv = await convOf(human);
    expect((await admin.post(`/api/v1/conversations/${humanConv}/messages`, { type: 'text', text: 'Hi, Anna here' })).status).to.equal(201);
    for (const id of [await convOf(bot), humanConv]) {
      expect((await admin.post(`/api/v1/conversations/${id}/resolve`)).status).to.equal(200);
    }
    const after = (await admin.get('/api/v1/autoreply/stats?days=1')).body;
    expect(after.resolved - before.resolved).to.equal(2);
    expect(after.resolvedByBot - before.resolvedByBot).to.equal(1);
    expect(after.share).to.equal(after.resolvedByBot / after.resolved);
  });

  it('lets only permitted roles read and change rules; every change is audited', async () => {
    const agent = await app.userWithRoles(['agent']);
    expect((await agent.client.get('/api/v1/autoreply/rules')).status).to.equal(403);
    expect((await agent.client.post('/api/v1/autoreply/test', { text: 'x' })).status).to.equal(403);
    const supervisor = await app.userWithRoles(['supervisor']);
    expect((await supervisor.client.get('/api/v1/autoreply/rules')).status).to.equal(200);
    expect((await supervisor.client.post('/api/v1/autoreply/rules', { name: 'x', mode: 'word', keywords: ['x'], answer: { kind: 'text', text: 'x' } })).status).to.equal(403);
    expect((await supervisor.client.request('PUT', `/api/v1/autoreply/hours/${channelId}`, {})).status).to.equal(403);
    const rule = await addRule({ name: 'Audited', mode: 'word', keywords: ['audit'], answer: { kind: 'text', text: 'a' } });
    expect((await admin.patch(`/api/v1/autoreply/rules/${rule.id}`, { enabled: false, priority: 3 })).body.rule).to.deep.include({ enabled: false, priority: 3 });
    expect((await admin.post('/api/v1/autoreply/test', { text: 'audit' })).body.fires).to.equal(null);
    expect((await admin.delete(`/api/v1/autoreply/rules/${rule.id}`)).status).to.equal(204);
    expect((await admin.delete(`/api/v1/autoreply/rules/${rule.id}`)).status).to.equal(404);
    const events = await db()('audit_events').where({ subject_id: rule.id }).orderBy('seq');
    expect(events.map((e: any) => e.action)).to.deep.equal(['autoreply.rule_created', 'autoreply.rule_updated', 'autoreply.rule_deleted']);
    const unknown = await admin.get('/api/v1/autoreply/hours/0190a000-0000-7000-8000-000000000009');
    expect(unknown.status).to.equal(404);
  });
});
