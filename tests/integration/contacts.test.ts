import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('contacts: profile, labels, attributes, notes, consent, STOP words, merge, phone field rule', function () {
  this.timeout(90_000);
  let app: TestApp;
  let admin: ApiClient;
  let agent: { id: string; client: ApiClient };
  let otherAgent: { id: string; client: ApiClient };
  let supervisor: ApiClient;
  let sandbox: Sandbox;
  let phoneNumberId: string;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
    agent = await app.userWithRoles(['agent']);
    otherAgent = await app.userWithRoles(['agent']);
    supervisor = (await app.userWithRoles(['supervisor'])).client;
    sandbox = app.runtime.sandbox!.sandbox;
    phoneNumberId = (await admin.get('/api/v1/channels')).body.items[0].phoneNumberId;
  });
  after(async () => app.stop());

  const db = () => app.runtime.services.db;
  const auditOf = (action: string) => db()('audit_events').where({ action }).orderBy('seq', 'desc');

  async function create(body: Record<string, unknown>, client = admin) {
    const res = await client.post('/api/v1/contacts', body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.contact;
  }

  async function customerWrites(waId: string, text: string, profileName = 'Camille') {
    await sandbox.customerSends({ phoneNumberId, from: waId, profileName, message: { type: 'text', body: text } });
    return eventually('the message stored', async () => {
      const list = await admin.get(`/api/v1/conversations?q=${waId}`);
      return list.body.items.find((c: any) => c.contact.waId === waId && c.lastMessagePreview === text.trim());
    });
  }

  it('creates a contact from a number in any usual form: E.164, country and region from the number', async () => {
    const c = await create({ phone: '01 42 68 53 00', defaultCountry: 'FR', profileName: 'Mairie', language: 'fr' });
    expect(c).to.include({ waId: '33142685300', phoneMasked: false, country: 'FR', region: 'Île-de-France', numberType: 'fixed_line', language: 'fr', optState: 'unknown' });
    const london = await create({ phone: '+44 20 7946 0958' });
    expect(london).to.include({ waId: '442079460958', country: 'GB', region: null, numberType: 'fixed_line' });
    const again = await admin.post('/api/v1/contacts', { phone: '0033142685300' });
    expect(again.status).to.equal(409);
    expect(again.body.error.details.fields[0]).to.include({ path: 'body.phone', code: 'taken' });
    const bad = await admin.post('/api/v1/contacts', { phone: '+33 12' });
    expect(bad.status).to.equal(400);
    expect(bad.body.error.id).to.equal('validation_failed');
    expect(bad.body.error.details.fields[0]).to.include({ path: 'body.phone', code: 'invalid_phone' });
    const found = await agent.client.get('/api/v1/contacts?q=685300');
    expect(found.body.items.map((x: any) => x.id)).to.deep.equal([c.id]);
    const byName = await agent.client.get('/api/v1/contacts?q=mair');
    expect(byName.body.items.map((x: any) => x.id)).to.deep.equal([c.id]);
  });

  it('carries 25 labels on one contact, filters by label, and a deleted label leaves every contact', async () => {
    const labels = [];
    for (let i = 1; i <= 25; i += 1) {
      const res = await admin.post('/api/v1/labels', { name: `Segment ${String(i).padStart(2, '0')}`, color: '#1D4ED8' });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      labels.push(res.body.label);
    }
    const dup = await admin.post('/api/v1/labels', { name: 'segment 01' });
    expect(dup.status).to.equal(409);
    expect(dup.body.error.details.fields[0]).to.include({ path: 'body.name', code: 'taken' });
    const c = await create({ phone: '+33 6 11 00 00 01', profileName: 'Léa' });
    const updated = await agent.client.patch(`/api/v1/contacts/${c.id}`, { labelIds: labels.map((l) => l.id) });
    expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
    expect(updated.body.contact.labels).to.have.length(25);
    expect(updated.body.contact.labels[0]).to.deep.equal({ id: labels[0].id, name: 'Segment 01', color: '#1d4ed8' });
    const filtered = await agent.client.get(`/api/v1/contacts?labelId=${labels[24].id}`);
    expect(filtered.body.items.map((x: any) => x.id)).to.deep.equal([c.id]);
    const unknown = await agent.client.patch(`/api/v1/contacts/${c.id}`, { labelIds: ['01a21a40-c631-7413-b469-f782e4420143'] });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.details.fields[0]).to.include({ path: 'body.labelIds', code: 'unknown_label' });
    // Agents read labels but do not define them: refused and audited.
    const denied = await agent.client.post('/api/v1/labels', { name: 'Mine' });
    expect(denied.status).to.equal(403);
    expect((await auditOf('access.denied')).some((e: any) => e.actor_id === agent.id && e.details.permission === 'Label:create')).to.equal(true);
    expect((await admin.delete(`/api/v1/labels/${labels[24].id}`)).status).to.equal(204);
    const after = await agent.client.get(`/api/v1/contacts/${c.id}`);
    expect(after.body.contact.labels).to.have.length(24);
    expect((await db()('contacts').where({ id: c.id }).first()).label_ids).not.to.include(labels[24].id);
    expect((await auditOf('label.deleted'))[0].details).to.include({ contacts: 1 });
  });

  it('checks attributes against their definitions, field by field, and refuses a type change that stored values would not fit', async () => {
    for (const def of [
      { key: 'age', name: 'Age', type: 'number' },
      { key: 'birthday', name: 'Birthday', type: 'date' },
      { key: 'vip', name: 'VIP', type: 'boolean' },
      { key: 'tier', name: 'Tier', type: 'choice', options: ['gold', 'silver'] },
      { key: 'ref', name: 'Customer reference', type: 'text' },
    ]) {
      expect((await admin.post('/api/v1/contact-attributes', def)).status).to.equal(201);
    }
    const noOptions = await admin.post('/api/v1/contact-attributes', { key: 'size', name: 'Size', type: 'choice' });
    expect(noOptions.status).to.equal(400);
    const c = await create({ phone: '+33 6 11 00 00 02' });
    const bad = await agent.client.patch(`/api/v1/contacts/${c.id}`, { attributes: { age: 'forty', birthday: '2026-02-31', vip: 'yes', tier: 'bronze', nope: 1 } });
    expect(bad.status).to.equal(400);
    const byPath = Object.fromEntries(bad.body.error.details.fields.map((f: any) => [f.path, f.code]));
    expect(byPath).to.deep.equal({
      'body.attributes.age': 'not_number', 'body.attributes.birthday': 'not_date', 'body.attributes.vip': 'not_boolean',
      'body.attributes.tier': 'not_an_option', 'body.attributes.nope': 'unknown_attribute',
    });
    const good = await agent.client.patch(`/api/v1/contacts/${c.id}`, { attributes: { age: 42, birthday: '1984-02-29', vip: true, tier: 'gold', ref: '12' } });
    expect(good.status, JSON.stringify(good.body)).to.equal(200);
    expect(good.body.contact.attributes).to.deep.equal({ age: 42, birthday: '1984-02-29', vip: true, tier: 'gold', ref: '12' });
    // ref holds '12' (text): a number type would not fit it; dropping gold from the options neither.
    const toNumber = await admin.patch('/api/v1/contact-attributes/ref', { type: 'number' });
    expect(toNumber.status).to.equal(409);
    expect(toNumber.body.error.details).to.include({ contacts: 1 });
    const dropGold = await admin.patch('/api/v1/contact-attributes/tier', { options: ['silver'] });
    expect(dropGold.status).to.equal(409);
    // Text that reads as dates may become a date; cleared values no longer stand in the way.
    expect((await agent.client.patch(`/api/v1/contacts/${c.id}`, { attributes: { ref: null } })).status).to.equal(200);
    const changed = await admin.patch('/api/v1/contact-attributes/ref', { type: 'number' });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(200);
    expect((await admin.delete('/api/v1/contact-attributes/age')).status).to.equal(204);
    const after = await agent.client.get(`/api/v1/contacts/${c.id}`);
    expect(after.body.contact.attributes).to.deep.equal({ birthday: '1984-02-29', vip: true, tier: 'gold' });
  });

  it('keeps notes: authors edit and delete their own, another agent may not, a supervisor deletes any', async () => {
    const c = await create({ phone: '+33 6 11 00 00 03' });
    const added = await agent.client.post(`/api/v1/contacts/${c.id}/notes`, { body: 'Prefers calls after 6pm' });
    expect(added.status, JSON.stringify(added.body)).to.equal(201);
    const note = added.body.note;
    expect(note.author.id).to.equal(agent.id);
    const edited = await agent.client.patch(`/api/v1/contacts/${c.id}/notes/${note.id}`, { body: 'Prefers calls after 7pm' });
    expect(edited.body.note.body).to.equal('Prefers calls after 7pm');
    const notTheirs = await otherAgent.client.patch(`/api/v1/contacts/${c.id}/notes/${note.id}`, { body: 'x' });
    expect(notTheirs.status).to.equal(403);
    expect(notTheirs.body.error.id).to.equal('row_action_denied');
    expect((await otherAgent.client.delete(`/api/v1/contacts/${c.id}/notes/${note.id}`)).status).to.equal(403);
    const second = (await otherAgent.client.post(`/api/v1/contacts/${c.id}/notes`, { body: 'Asked about fees' })).body.note;
    expect((await otherAgent.client.delete(`/api/v1/contacts/${c.id}/notes/${second.id}`)).status).to.equal(204);
    expect((await supervisor.delete(`/api/v1/contacts/${c.id}/notes/${note.id}`)).status).to.equal(204);
    expect((await agent.client.get(`/api/v1/contacts/${c.id}`)).body.notes).to.deep.equal([]);
  });

  it('records an opt-in or opt-out set by an agent, with source and time', async () => {
    const c = await create({ phone: '+33 6 11 00 00 04' });
    const out = await agent.client.post(`/api/v1/contacts/${c.id}/consent`, { state: 'out' });
    expect(out.body.contact).to.include({ optState: 'out', optSource: 'agent' });
    expect(Date.parse(out.body.contact.optChangedAt)).to.be.greaterThan(0);
    expect((await auditOf('contact.opted_out'))[0]).to.include({ subject_id: c.id, actor_id: agent.id });
  });

  it('opts out a customer who writes STOP or ARRÊT (case, accents, punctuation ignored), with the words from the settings', async () => {
    const waId = '33611000005';
    await customerWrites(waId, 'Bonjour, une question');
    const contactId = (await db()('contacts').where({ wa_id: waId }).first()).id;
    const before = await admin.get(`/api/v1/contacts/${contactId}`);
    expect(before.body.contact.optState).to.equal('unknown');
    // A contact made by an inbound message gets its country, and its region when the number says one.
    expect(before.body.contact).to.include({ country: 'FR', region: null });
    const fixed = await customerWrites('33472000000', 'Bonjour de Lyon');
    expect((await admin.get(`/api/v1/contacts/${fixed.contact.id}`)).body.contact).to.include({ country: 'FR', region: 'Sud-Est' });
    expect(Date.parse(before.body.contact.lastInboundAt)).to.be.greaterThan(0);
    // "arret please" is not the word alone: nothing changes.
    await customerWrites(waId, 'arret please');
    expect((await admin.get(`/api/v1/contacts/${contactId}`)).body.contact.optState).to.equal('unknown');
    await customerWrites(waId, '  Arrêt ! ');
    const out = await eventually('the opt-out', async () => {
      const c = (await admin.get(`/api/v1/contacts/${contactId}`)).body.contact;
      return c.optState === 'out' ? c : null;
    });
    expect(out.optSource).to.equal('keyword');
    const event = (await auditOf('contact.opted_out')).find((e: any) => e.subject_id === contactId);
    expect(event).to.include({ actor_type: 'system' });
    expect(event.details.source).to.equal('keyword');
    const arret = await db()('messages').where({ contact_id: contactId, text: '  Arrêt ! ' }).first();
    expect(event.details.messageIds).to.deep.equal([arret.id]);
    // An admin replaces the words: the new one counts, STOP no longer does.
    const patched = await admin.patch('/api/v1/settings', { optOutKeywords: ['HALTE'] });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    await customerWrites('33611000006', 'stop');
    await customerWrites('33611000006', 'halte');
    const other = await eventually('the opt-out by the new word', async () => {
      const row = await db()('contacts').where({ wa_id: '33611000006', opt_state: 'out' }).first();
      return row ?? null;
    });
    // Only the "halte" message opted the customer out: the event names that one message.
    const second = (await auditOf('contact.opted_out')).find((e: any) => e.subject_id === other.id);
    expect(second.details.messageIds).to.have.length(1);
    const halte = await db()('messages').where({ contact_id: other.id, text: 'halte' }).first();
    expect(second.details.messageIds).to.deep.equal([halte.id]);
  });

  it('refuses to merge away a contact under a legal hold', async () => {
    const held = await create({ phone: '+33 6 11 00 00 09' });
    const keep = await create({ phone: '+33 6 11 00 00 10' });
    const hold = await admin.post('/api/v1/legal-holds', { caseRef: 'CASE-11', reason: 'Dispute', scope: { contactIds: [held.id] } });
    expect(hold.status, JSON.stringify(hold.body)).to.equal(201);
    const refused = await admin.post(`/api/v1/contacts/${keep.id}/merge`, { otherId: held.id });
    expect(refused.status).to.equal(409);
    expect(refused.body.error.details.holdIds).to.deep.equal([hold.body.hold.id]);
    const denied = (await auditOf('access.denied')).find((e: any) => e.subject_id === keep.id);
    expect(denied.details).to.deep.include({ reason: 'legal_hold', mergedId: held.id });
    expect((await admin.get(`/api/v1/contacts/${held.id}`)).status).to.equal(200);
  });

  it('merges a duplicate: conversations (joined on the same number), notes, labels, attributes, the stricter consent; the old number kept as an alias', async () => {
    const oldNumber = '33611000007';
    const newNumber = '33611000008';
    const oldConv = await customerWrites(oldNumber, 'From my old phone', 'Jeanne');
    const newConv = await customerWrites(newNumber, 'From my new phone', 'Jeanne D.');
    const oldId = oldConv.contact.id;
    const newId = newConv.contact.id;
    const vip = (await admin.post('/api/v1/labels', { name: 'VIP customer' })).body.label;
    const fr = (await admin.post('/api/v1/labels', { name: 'Francophone' })).body.label;
    await admin.patch(`/api/v1/contacts/${oldId}`, { labelIds: [vip.id], attributes: { tier: 'silver', vip: true } });
    await admin.patch(`/api/v1/contacts/${newId}`, { labelIds: [fr.id], attributes: { tier: 'gold' } });
    await agent.client.post(`/api/v1/contacts/${oldId}/notes`, { body: 'Long-time customer' });
    await agent.client.post(`/api/v1/contacts/${oldId}/consent`, { state: 'out' });
    await agent.client.post(`/api/v1/contacts/${newId}/consent`, { state: 'in' });

    expect((await agent.client.post(`/api/v1/contacts/${newId}/merge`, { otherId: oldId })).status).to.equal(403);
    const self = await supervisor.post(`/api/v1/contacts/${newId}/merge`, { otherId: newId });
    expect(self.status).to.equal(400);
    const merged = await supervisor.post(`/api/v1/contacts/${newId}/merge`, { otherId: oldId });
    expect(merged.status, JSON.stringify(merged.body)).to.equal(200);
    expect(merged.body.moved).to.deep.equal({ conversations: 0, conversationsJoined: 1, notes: 1 });
    const c = merged.body.contact;
    expect(c).to.include({ waId: newNumber, optState: 'out', optSource: 'agent', profileName: 'Jeanne D.' });
    expect(c.labels.map((l: any) => l.id).sort()).to.deep.equal([vip.id, fr.id].sort());
    expect(c.attributes).to.deep.equal({ tier: 'gold', vip: true });

    expect((await admin.get(`/api/v1/contacts/${oldId}`)).status).to.equal(404);
    const detail = (await admin.get(`/api/v1/contacts/${newId}`)).body;
    expect(detail.notes.map((n: any) => n.body)).to.deep.equal(['Long-time customer']);
    expect(detail.aliases.map((a: any) => a.waId)).to.deep.equal([oldNumber]);
    // Both threads on the sandbox number are one conversation now, with every message.
    expect((await admin.get(`/api/v1/conversations/${oldConv.id}`)).status).to.equal(404);
    const messages = (await admin.get(`/api/v1/conversations/${newConv.id}/messages`)).body.items.map((m: any) => m.text);
    expect(messages).to.include.members(['From my old phone', 'From my new phone']);
    expect(await db()('messages').where({ contact_id: oldId }).first('id')).to.equal(undefined);
    // The old number is found through the alias.
    expect((await admin.get(`/api/v1/contacts?q=${oldNumber}`)).body.items.map((x: any) => x.id)).to.deep.equal([newId]);
    const event = (await auditOf('contact.merged'))[0];
    expect(event).to.include({ subject_id: newId });
    expect(event.details).to.deep.equal({ mergedId: oldId, conversationIds: [], joinedConversationIds: [oldConv.id], notes: 1 });
  });

  it('masks the phone for a role without the waId field (contacts and the inbox alike), shows it with it', async () => {
    const readable = ['id', 'profileName', 'country', 'region', 'language', 'labelIds', 'attributes', 'optState', 'optSource', 'optChangedAt', 'lastInboundAt', 'createdAt', 'updatedAt'];
    for (const [key, fields] of [['contact-viewer', readable], ['contact-dialer', [...readable, 'waId']]] as const) {
      const role = await admin.post('/api/v1/roles', {
        key, name: key, rules: [{ action: 'read', subject: 'Contact', fields }, { action: 'read', subject: ['Label', 'Conversation'] }],
      });
      expect(role.status, JSON.stringify(role.body)).to.equal(201);
    }
    const viewer = (await app.userWithRoles(['contact-viewer'])).client;
    const dialer = (await app.userWithRoles(['contact-dialer'])).client;
    const conv = await customerWrites('33612345678', 'Hello there', 'Masked Customer');
    const id = conv.contact.id;
    const masked = (await viewer.get(`/api/v1/contacts/${id}`)).body.contact;
    expect(masked).to.include({ waId: '+33 6 •• •• •• 78', phoneMasked: true, profileName: 'Masked Customer' });
    expect(masked).not.to.have.property('numberType');
    expect(JSON.stringify((await viewer.get('/api/v1/contacts')).body)).not.to.include('33612345678');
    // Digits do not find a number one may not read.
    expect((await viewer.get('/api/v1/contacts?q=612345678')).body.items).to.deep.equal([]);
    const header = (await viewer.get(`/api/v1/conversations/${conv.id}`)).body.conversation.contact;
    expect(header).to.include({ waId: '+33 6 •• •• •• 78', phoneMasked: true });
    expect((await viewer.get('/api/v1/conversations?view=all&q=612345678')).body.items).to.deep.equal([]);
    expect((await dialer.get('/api/v1/conversations?view=all&q=612345678')).body.items.map((c: any) => c.id)).to.deep.equal([conv.id]);
    expect((await dialer.get(`/api/v1/contacts/${id}`)).body.contact).to.include({ waId: '33612345678', phoneMasked: false });
    expect((await dialer.get(`/api/v1/conversations/${conv.id}`)).body.conversation.contact).to.include({ waId: '33612345678', phoneMasked: false });
    expect((await agent.client.get(`/api/v1/contacts/${id}`)).body.contact.phoneMasked).to.equal(false);
    // Reading is all these roles do.
    expect((await viewer.patch(`/api/v1/contacts/${id}`, { profileName: 'x' })).status).to.equal(403);
  });

  it('keeps personal data out of the audit log: contact events name ids only', async () => {
    const events = await db()('audit_events').where('action', 'like', 'contact%').orWhere('action', 'like', 'label.%');
    expect(events.length).to.be.greaterThan(15);
    const text = JSON.stringify(events.map((e: any) => e.details));
    // The Audit page names the contact when it is read, and finds its events by the contact's name.
    const read = await admin.get('/api/v1/audit/events?subject=Jeanne&action=contact.merged');
    expect(read.status).to.equal(200);
    expect(read.body.items).to.have.length(1);
    expect(read.body.names[`Contact:${read.body.items[0].subjectId}`]).to.equal('Jeanne D.');
    for (const secret of ['33142685300', '685300', '442079460958', '33611000007', '33611000008', 'Jeanne', 'Mairie', 'Léa', 'Prefers calls', 'Long-time', 'forty', '1984-02-29', 'gold', 'Arrêt']) {
      expect(text, secret).not.to.include(secret);
    }
  });
});
