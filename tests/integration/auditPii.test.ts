// The audit log's personal-data rule (a hard compliance rule): events refer to customers by id
// (or keyed hash), never by phone number, name or message text, from the moment they are written,
// because the append-only chain can never be rewritten by an erasure. This runs the flows that
// touch a customer and then searches every audit event, all columns, for the customer's data;
// the audit page still shows the customer's name, resolved when read.
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { customerWrites } from '../support/gdpr';
import { addChannel, type TestChannel } from '../support/whatsapp';

const CUSTOMER = { waId: '447700900123', name: 'Ottilie Vandersnoot', texts: ['I need the quokkafruit refund for invoice 88231', 'Call me at home please'] };
const REPLY = 'Dear Ottilie Vandersnoot, your quokkafruit refund is approved';
const BLOCKED = 'Ottilie Vandersnoot here is the grumbleword offer';

describe('the audit log holds no customer personal data in clear (every flow that touches a customer)', () => {
  let app: TestApp;
  let admin: ApiClient;
  let officer: ApiClient;
  let channel: TestChannel;
  const db = () => app.runtime.services.db;

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    officer = (await app.userWithRoles(['compliance-officer'])).client;
    channel = await addChannel(admin);
    expect((await officer.post('/api/v1/lexicon/terms', { term: 'quokkafruit', action: 'flag', locale: 'en' })).status).to.equal(201);
    expect((await officer.post('/api/v1/lexicon/terms', { term: 'grumbleword', action: 'block', locale: 'en' })).status).to.equal(201);
  });
  after(async () => app.stop());

  it('records inbound messages, replies, lexicon hits, audit searches and exports, holds and GDPR requests by id only', async () => {
    const startSeq = Number((await db()('audit_events').max({ n: 'seq' }))[0]!.n);
    // A named customer writes (the inbound scan flags a word), an agent reads and answers (flagged), a blocked reply.
    const conv = await customerWrites(app.url, admin, channel, CUSTOMER.waId, CUSTOMER.name, CUSTOMER.texts);
    await app.runtime.services.lexicon.flush();
    expect((await admin.post(`/api/v1/conversations/${conv.id}/claim`)).status).to.be.oneOf([200, 204]);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/read`)).status).to.be.oneOf([200, 204]);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: REPLY })).status).to.be.oneOf([200, 201, 202]);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: BLOCKED })).status).to.equal(422);
    // An agent who may not see it is refused (audited as denied).
    const agent = (await app.userWithRoles(['agent'])).client;
    expect((await agent.get(`/api/v1/conversations/${conv.id}/messages`)).status).to.be.oneOf([403, 404]);
    // The audit page searched and exported by the customer's name and number.
    for (const subject of [CUSTOMER.name, CUSTOMER.waId]) {
      expect((await officer.get(`/api/v1/audit/events?subject=${encodeURIComponent(subject)}`)).status).to.equal(200);
      expect((await officer.get(`/api/v1/audit/export?format=csv&subject=${encodeURIComponent(subject)}`)).status).to.equal(200);
    }
    expect((await officer.get(`/api/v1/audit/events?subjectId=${CUSTOMER.waId}`)).status).to.equal(200);
    // A number typed as a subject id is kept as a keyed hash.
    const searches = await db()('audit_events').where({ action: 'audit.read' }).where('seq', '>', startSeq).select('details');
    expect(searches.some((e) => /^[0-9a-f]{64}$/.test(String(e.details.filter.subjectIdHash)))).to.equal(true);
    // A hold by the customer's number and a search quoting their message; a refused one naming an unknown number.
    const hold = await officer.post('/api/v1/legal-holds', { caseRef: 'PII-1', reason: 'Dispute', scope: { contactPhones: [`+${CUSTOMER.waId}`], query: 'quokkafruit refund' } });
    expect(hold.status, JSON.stringify(hold.body)).to.equal(201);
    expect((await officer.post(`/api/v1/legal-holds/${hold.body.hold.id}/release`, { reason: 'settled' })).status).to.equal(200);
    // GDPR requests: logged, extended, the archive built and downloaded.
    const created = await officer.post('/api/v1/gdpr/requests', { type: 'access', contactId: conv.contact.id });
    expect(created.status).to.equal(201);
    const id = created.body.request.id;
    expect((await officer.post(`/api/v1/gdpr/requests/${id}/extend`, { months: 1, reason: 'Large history' })).status).to.equal(200);
    expect((await officer.post(`/api/v1/gdpr/requests/${id}/export`)).status).to.equal(200);
    expect((await officer.get(`/api/v1/gdpr/requests/${id}/archive`)).status).to.equal(200);

    const events = await db()('audit_events').where('seq', '>', startSeq).select(db().raw('seq, action, CAST(audit_events.* AS text) AS row'));
    const actions = new Set(events.map((e) => e.action));
    // The flows above were audited (the search below is over real events)...
    for (const action of ['conversation.claimed', 'conversation.read', 'message.sent', 'lexicon.flagged', 'lexicon.blocked', 'access.denied', 'audit.read',
      'audit.exported', 'legal_hold.placed', 'legal_hold.released', 'gdpr.request_created', 'gdpr.request_extended', 'gdpr.access_exported', 'gdpr.archive_downloaded']) {
      expect(actions, action).to.include(action);
    }
    // ...and not one of them holds the customer's number, name, or a message's text or a part of it.
    const needles = [CUSTOMER.waId, CUSTOMER.name, 'Vandersnoot', ...CUSTOMER.texts, REPLY, BLOCKED, 'invoice 88231', 'quokkafruit refund'];
    const leaks = events.flatMap((e) => needles.filter((n) => (e.row as string).toLowerCase().includes(n.toLowerCase())).map((n) => `${e.seq} ${e.action}: ${n}`));
    expect(leaks).to.deep.equal([]);

    // The audit page still names the customer: resolved from the contact when the events are read.
    const page = await officer.get(`/api/v1/audit/events?subject=${encodeURIComponent('Vandersnoot')}`);
    expect(page.body.items.length).to.be.greaterThan(0);
    expect(Object.values(page.body.names as Record<string, string>).join(' ')).to.contain(CUSTOMER.name);
  });
});
