// GDPR erasure end to end: a customer who wrote in (text, a file, a flagged word), was answered by
// an agent, searched for in the audit log and named in notes and an access archive is erased; then
// nothing of their phone number, name or message text is left in any column of any table
// (partitions included) nor in the media store, and the audit chain still verifies. A held
// customer is refused (and restricted); a locked retention period refuses too; the erasure ledger
// erases a restored copy again (from the admin's button and at start-up).
import { expect } from 'chai';
import path from 'node:path';
import { newId } from '../../server/lib/ids';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { customerWrites, filesContaining, findTraces, searchedTables } from '../support/gdpr';
import { addChannel, type TestChannel } from '../support/whatsapp';

const SUBJECT = { waId: '33699887766', name: 'Zoé Quintessa-Marlow', texts: ['My plan involves zebracorn saffron tonight', 'Ordering lapis-lazuli number 4711 please'] };
const OTHER = { waId: '33611223344', name: 'Bertrand Oxley-Fenwick', texts: ['Unrelated question about marmalade shipping'] };
const REPLY = 'Hello Zoé Quintessa-Marlow, your lapis-lazuli order 4711 is on its way';
const NOTE = 'Zoé Quintessa-Marlow prefers calls after six';
const FILE_MARKER = 'zq-file-marker-98123';

describe('GDPR erasure: no trace anywhere, holds and locked retention refuse, the ledger erases restored copies', () => {
  let app: TestApp;
  let admin: ApiClient;
  let officer: ApiClient;
  let channel: TestChannel;
  const db = () => app.runtime.services.db;
  const needles = [SUBJECT.waId, SUBJECT.name, 'Quintessa', ...SUBJECT.texts, REPLY, NOTE, FILE_MARKER];
  const request = async (type: 'access' | 'erasure', contactId: string) => {
    const res = await officer.post('/api/v1/gdpr/requests', { type, contactId });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.request.id as string;
  };

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    officer = (await app.userWithRoles(['compliance-officer'])).client;
    channel = await addChannel(admin);
    expect((await officer.post('/api/v1/lexicon/terms', { term: 'zebracorn', action: 'flag', locale: 'en' })).status).to.equal(201);
  });
  after(async () => app.stop());

  it('erases a customer everywhere: every text, JSON and tsvector column of every table and partition, and the media store', async () => {
    const conv = await customerWrites(app.url, admin, channel, SUBJECT.waId, SUBJECT.name, SUBJECT.texts);
    const other = await customerWrites(app.url, admin, channel, OTHER.waId, OTHER.name, OTHER.texts);
    const contactId = conv.contact.id;
    // The inbound lexicon scan flags the subject's word (a hit tied to their conversation).
    await app.runtime.services.lexicon.flush();
    expect(await db()('lexicon_hits').where({ conversation_id: conv.id })).to.have.length(1);
    // An agent answers (the outbox row names the number: no sender runs in this web-only app).
    expect((await admin.post(`/api/v1/conversations/${conv.id}/claim`)).status).to.be.oneOf([200, 204]);
    const sent = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: REPLY });
    expect(sent.status, JSON.stringify(sent.body)).to.be.oneOf([200, 201, 202]);
    expect(await db()('outbox').where({ to_wa_id: SUBJECT.waId })).to.have.length(1);
    // A file they sent, a note about them, an audit search by their name, an access archive.
    const mediaId = newId();
    const storageKey = `inbound/${mediaId}.txt`;
    await app.runtime.services.media.put(storageKey, Buffer.from(`${FILE_MARKER} ${SUBJECT.name}`));
    await db()('media').insert({ id: mediaId, channel_id: channel.id, direction: 'in', mime_type: 'text/plain', size: 40, storage_key: storageKey, filename: `${SUBJECT.name}.txt` });
    await db()('messages').insert({
      id: newId(), created_at: new Date(), conversation_id: conv.id, channel_id: channel.id, contact_id: contactId, direction: 'in', type: 'document',
      text: null, content: JSON.stringify({ caption: FILE_MARKER }), media_id: mediaId, author_type: 'customer', status: 'received',
    });
    await db()('contact_notes').insert({ id: newId(), contact_id: contactId, body: NOTE });
    // A contact import's report: one row imported for their number, one rejected that quotes it.
    const importId = newId();
    await db()('contact_imports').insert({ id: importId, filename: 'customers.csv', size_bytes: 120, header: ['phone', 'name'] });
    await db()('contact_import_rows').insert([
      { import_id: importId, row_no: 2, decision: 'create', wa_id: SUBJECT.waId, profile_name: SUBJECT.name, line: `+${SUBJECT.waId},${SUBJECT.name}` },
      { import_id: importId, row_no: 3, decision: 'reject', reason: 'duplicate_in_file', line: `+${SUBJECT.waId.slice(0, 2)} ${SUBJECT.waId.slice(2)},${SUBJECT.name}` },
    ]);
    // A number merged into theirs.
    await db()('contact_aliases').insert({ contact_id: contactId, wa_id: `${SUBJECT.waId}9`, merged_from: newId() });
    expect((await officer.get(`/api/v1/audit/events?subject=${encodeURIComponent(SUBJECT.name)}`)).status).to.equal(200);
    const access = await request('access', contactId);
    expect((await officer.post(`/api/v1/gdpr/requests/${access}/export`)).status).to.equal(200);
    const mediaDir = path.join(app.runtime.services.config.dataDir, 'media');
    expect(await filesContaining(mediaDir, [FILE_MARKER])).to.have.length(1);

    // The search sees the subject before, and the other customer before and after: it can fail.
    const before = await findTraces(app.superuserUrl, needles);
    expect(before.map((t) => t.table)).to.include.members(['contacts', 'contact_notes', 'outbox', 'conversations', 'media', 'contact_import_rows', 'contact_aliases']);
    expect(before.some((t) => /^messages_/.test(t.table) && t.column === 'search')).to.equal(true);

    const erasure = await request('erasure', contactId);
    const erased = await officer.post(`/api/v1/gdpr/requests/${erasure}/erase`);
    expect(erased.status, JSON.stringify(erased.body)).to.equal(200);
    expect(erased.body.request).to.deep.include({ state: 'completed' });
    expect(erased.body.request.subject).to.deep.include({ contactId: null, name: null, phone: null });
    expect(erased.body.request.outcome).to.deep.include({ messages: 4, media: 1, conversations: 1, notes: 1, archives: 1 });

    const tables = await searchedTables(app.superuserUrl);
    expect(tables).to.include.members(['public.audit_events', 'public.messages_default', 'public.erasure_ledger', 'public.gdpr_requests']);
    expect(tables.some((t) => t.startsWith('pgboss.'))).to.equal(true);
    expect(await findTraces(app.superuserUrl, needles)).to.deep.equal([]);
    const stillThere = await findTraces(app.superuserUrl, [OTHER.waId, OTHER.name, OTHER.texts[0]!]);
    expect(stillThere.map((t) => t.table)).to.include.members(['contacts', 'conversations']);
    expect((await admin.get(`/api/v1/conversations/${other.id}`)).status).to.equal(200);
    expect(await filesContaining(mediaDir, needles)).to.deep.equal([]);

    // The chain verifies, unchanged; the ledger names the subject by keyed hash only.
    const verify = await officer.get('/api/v1/audit/verify');
    expect(verify.body, JSON.stringify(verify.body)).to.include({ ok: true, firstBrokenSeq: null });
    const ledger = await db()('erasure_ledger').select('*');
    expect(ledger).to.have.length(1);
    expect(ledger[0].subject_hash).to.match(/^[0-9a-f]{64}$/);
    const events = await db()('audit_events').whereIn('action', ['gdpr.request_created', 'gdpr.access_exported', 'gdpr.erased']).select('action', 'subject_id');
    expect(events.map((e) => e.action)).to.include.members(['gdpr.request_created', 'gdpr.access_exported', 'gdpr.erased']);
  });

  it('erases a restored copy again: the ledger re-applied by the admin, then at start-up; a customer who came back stays', async () => {
    const [entry] = await db()('erasure_ledger').select('*');
    const restore = async () => {
      // As a restore of an older backup would: the contact, its conversation and messages are back, created before the erasure.
      const contactId = newId();
      const conversationId = newId();
      const at = new Date(entry.erased_at.getTime() - 86_400_000);
      await db()('contacts').insert({ id: contactId, wa_id: SUBJECT.waId, profile_name: SUBJECT.name, created_at: at });
      await db()('conversations').insert({ id: conversationId, contact_id: contactId, channel_id: channel.id, created_at: at, last_message_preview: SUBJECT.texts[0] });
      await db()('messages').insert({
        id: newId(), created_at: at, conversation_id: conversationId, channel_id: channel.id, contact_id: contactId, direction: 'in', type: 'text',
        text: SUBJECT.texts[1], author_type: 'customer', status: 'received',
      });
      return contactId;
    };
    await restore();
    expect((await findTraces(app.superuserUrl, [SUBJECT.waId])).length).to.be.greaterThan(0);
    expect((await officer.post('/api/v1/gdpr/ledger/reapply')).status).to.equal(403);
    const reapplied = await admin.post('/api/v1/gdpr/ledger/reapply');
    expect(reapplied.status, JSON.stringify(reapplied.body)).to.equal(200);
    expect(reapplied.body).to.deep.equal({ subjects: 1, contacts: 1, messages: 1, media: 0 });
    expect(await findTraces(app.superuserUrl, needles)).to.deep.equal([]);

    // At start-up: a second process on the same database erases the restored copy before serving.
    await restore();
    const second = await startTestApp({ DATABASE_URL: app.databaseUrl });
    try {
      expect(await second.runtime.services.db('contacts').where({ wa_id: SUBJECT.waId })).to.have.length(0);
    } finally {
      await second.runtime.stop();
    }
    // The customer writes again after the erasure: a new contact, which the ledger leaves alone.
    await customerWrites(app.url, admin, channel, SUBJECT.waId, SUBJECT.name, ['Hello again']);
    expect((await admin.post('/api/v1/gdpr/ledger/reapply')).body.contacts).to.equal(0);
    expect(await db()('contacts').where({ wa_id: SUBJECT.waId })).to.have.length(1);
    expect((await officer.get('/api/v1/audit/verify')).body.ok).to.equal(true);
  });

  it('refuses a held customer with the case reference, closes the request as refused and restricts the contact (no more sends)', async () => {
    const conv = await customerWrites(app.url, admin, channel, '33655500011', 'Held Customer', ['keep this one']);
    const hold = await officer.post('/api/v1/legal-holds', { caseRef: 'CASE-9', reason: 'Litigation', scope: { contactPhones: ['+33655500011'] } });
    expect(hold.status).to.equal(201);
    const id = await request('erasure', conv.contact.id);
    const refused = await officer.post(`/api/v1/gdpr/requests/${id}/erase`);
    expect(refused.status).to.equal(409);
    expect(refused.body.error).to.deep.include({ id: 'erasure_refused' });
    expect(refused.body.error.details).to.deep.include({ reason: 'legal_hold', caseRefs: ['CASE-9'] });
    const [row] = (await officer.get('/api/v1/gdpr/requests?state=all')).body.items.filter((r: { id: string }) => r.id === id);
    expect(row).to.deep.include({ state: 'refused', refusalReason: 'legal_hold' });
    expect(row.subject.restricted).to.equal(true);
    expect(await db()('messages').where({ contact_id: conv.contact.id })).to.have.length(1);
    expect((await admin.get(`/api/v1/conversations/${conv.id}`)).body.conversation.contact.restricted).to.equal(true);
    await admin.post(`/api/v1/conversations/${conv.id}/claim`);
    const send = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'hello' });
    expect(send.status).to.equal(409);
    expect(send.body.error.id).to.equal('contact_restricted');
    const audit = await db()('audit_events').where({ action: 'gdpr.erasure_refused', subject_id: id });
    expect(audit).to.have.length(1);
    expect(audit[0].details).to.deep.include({ reason: 'legal_hold', restricted: true });
    // A refused request is closed: a second attempt is a conflict, audited as denied.
    expect((await officer.post(`/api/v1/gdpr/requests/${id}/erase`)).status).to.equal(409);
  });

  it('refuses while a locked retention period still requires the messages', async () => {
    const conv = await customerWrites(app.url, admin, channel, '33655500022', 'Locked Customer', ['regulated message']);
    const put = await officer.request('PUT', '/api/v1/retention/policies', { dataClass: 'messages', channelId: channel.id, days: 365 });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect((await officer.post(`/api/v1/retention/policies/${put.body.policy.id}/lock`)).status).to.equal(200);
    const id = await request('erasure', conv.contact.id);
    const refused = await officer.post(`/api/v1/gdpr/requests/${id}/erase`);
    expect(refused.status).to.equal(409);
    expect(refused.body.error.details).to.deep.include({ reason: 'retention_locked', lockedMessages: 1 });
  });

  it('lets only the right roles act: agents see nothing, the auditor reads the log only', async () => {
    const agent = (await app.userWithRoles(['agent'])).client;
    const auditor = (await app.userWithRoles(['auditor'])).client;
    expect((await agent.get('/api/v1/gdpr/requests')).status).to.equal(403);
    expect((await auditor.get('/api/v1/gdpr/requests')).status).to.equal(200);
    const contact = (await db()('contacts').first('id')).id;
    expect((await auditor.post('/api/v1/gdpr/requests', { type: 'erasure', contactId: contact })).status).to.equal(403);
    expect((await app.client().get('/api/v1/gdpr/requests')).status).to.equal(401);
  });
});
