// GDPR access archives and the request log: the archive holds the subject's contact record,
// messages and media as JSON, the files, a readable HTML transcript and a manifest whose SHA-256
// checksums match; nothing of another customer or of the agents' names. The log keeps each
// request's one-month deadline, extends it once with a reason, and the dashboard lists open
// requests by time left, overdue first.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { newId } from '../../server/lib/ids';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { customerWrites, downloadBytes, unzip } from '../support/gdpr';
import { TINY_PNG } from '../support/media';
import { addChannel, type TestChannel } from '../support/whatsapp';

const DAY_MS = 86_400_000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('GDPR access archives and the request log', () => {
  let app: TestApp;
  let admin: ApiClient;
  let officer: ApiClient;
  let channel: TestChannel;
  const db = () => app.runtime.services.db;
  const create = (body: Record<string, unknown>) => officer.post('/api/v1/gdpr/requests', body);

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    officer = (await app.userWithRoles(['compliance-officer'])).client;
    channel = await addChannel(admin);
  });
  after(async () => app.stop());

  it('builds an archive whose manifest checksums match: contact, messages and media as JSON, the file, a readable transcript', async () => {
    const conv = await customerWrites(app.url, admin, channel, '4915112345678', 'Greta <Grün>', ['Hallo, wo ist mein Paket?', 'Danke & bis bald']);
    await customerWrites(app.url, admin, channel, '4915100000001', 'Other Person', ['someone else entirely']);
    const contactId = conv.contact.id;
    await admin.post(`/api/v1/conversations/${conv.id}/claim`);
    expect((await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Ihr Paket kommt morgen' })).status).to.be.oneOf([200, 201, 202]);
    const mediaId = newId();
    await app.runtime.services.media.put(`inbound/${mediaId}.png`, TINY_PNG);
    await db()('media').insert({ id: mediaId, channel_id: channel.id, direction: 'in', mime_type: 'image/png', size: TINY_PNG.length, sha256: sha(TINY_PNG), storage_key: `inbound/${mediaId}.png` });
    await db()('messages').insert({
      id: newId(), created_at: new Date(), conversation_id: conv.id, channel_id: channel.id, contact_id: contactId, direction: 'in', type: 'image',
      content: JSON.stringify({}), media_id: mediaId, author_type: 'customer', status: 'received',
    });
    await db()('contact_notes').insert({ id: newId(), contact_id: contactId, body: 'Prefers German' });

    const id = (await create({ type: 'access', contactId })).body.request.id;
    const agent = (await app.userWithRoles(['agent'])).client;
    expect((await agent.post(`/api/v1/gdpr/requests/${id}/export`)).status).to.equal(403);
    const exported = await officer.post(`/api/v1/gdpr/requests/${id}/export`);
    expect(exported.status, JSON.stringify(exported.body)).to.equal(200);
    expect(exported.body.request).to.deep.include({ state: 'completed' });
    expect(exported.body.request.outcome).to.deep.include({ messages: 4, media: 1 });

    const auditor = (await app.userWithRoles(['auditor'])).client;
    expect((await downloadBytes(auditor, app.url, exported.body.request.archive.url)).status).to.equal(403);
    const download = await downloadBytes(officer, app.url, exported.body.request.archive.url);
    expect(download.status).to.equal(200);
    expect(download.headers.get('content-type')).to.equal('application/zip');
    expect(sha(download.bytes)).to.equal(exported.body.request.archive.sha256);
    const files = await unzip(download.bytes);

    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    const listed = manifest.files.map((f: { path: string }) => f.path).sort();
    expect(listed).to.deep.equal([...files.keys()].filter((p) => p !== 'manifest.json').sort());
    for (const f of manifest.files as Array<{ path: string; sha256: string; size: number }>) {
      expect(sha(files.get(f.path)!), f.path).to.equal(f.sha256);
      expect(files.get(f.path)!.length).to.equal(f.size);
    }

    const contact = JSON.parse(files.get('contact.json')!.toString('utf8'));
    expect(contact).to.deep.include({ id: contactId, whatsappNumber: '+4915112345678', profileName: 'Greta <Grün>' });
    expect(contact.notes.map((n: { text: string }) => n.text)).to.deep.equal(['Prefers German']);
    const messages = JSON.parse(files.get('messages.json')!.toString('utf8'));
    expect(messages.map((m: { text: string | null }) => m.text)).to.deep.equal(['Hallo, wo ist mein Paket?', 'Danke & bis bald', 'Ihr Paket kommt morgen', null]);
    expect(messages[2]).to.deep.include({ direction: 'out', from: 'agent' });
    const media = JSON.parse(files.get('media.json')!.toString('utf8'));
    expect(media).to.have.length(1);
    expect(media[0]).to.deep.include({ id: mediaId, mimeType: 'image/png', path: `media/${mediaId}.png` });
    expect(files.get(`media/${mediaId}.png`)!.equals(TINY_PNG)).to.equal(true);

    const html = files.get('transcript.html')!.toString('utf8');
    expect(html).to.match(/^<!doctype html>/);
    expect(html).to.contain('Hallo, wo ist mein Paket?').and.contain('Danke &#38; bis bald').and.contain('Greta &#60;Grün&#62;');
    expect(html).not.to.contain('<Grün>');
    expect(html).not.to.match(/<script/i);
    // Other people: no other customer, and agents by role, never by name (the README says so).
    const all = [...files.values()].map((b) => b.toString('utf8')).join('\n');
    expect(all).not.to.contain('someone else entirely').and.not.to.contain('4915100000001');
    const adminName = (await db()('users').whereRaw('lower(email) = ?', [app.admin.email]).first('name')).name as string;
    expect(all).not.to.contain(adminName);
    expect(files.get('README.txt')!.toString('utf8')).to.contain('never by name');
    // A completed request is not answered twice.
    expect((await officer.post(`/api/v1/gdpr/requests/${id}/export`)).status).to.equal(409);

    // Retention's exports class (1 year by default) removes the archive once it is older; the request keeps its checksum.
    const key = `exports/gdpr/${id}.zip`;
    await db()('gdpr_requests').where({ id }).update({ completed_at: new Date(Date.now() - 400 * DAY_MS) });
    const run = await officer.post('/api/v1/retention/runs');
    expect(run.status, JSON.stringify(run.body)).to.equal(201);
    expect(run.body.run.counts.exports).to.equal(1);
    const open = await app.runtime.services.media.open(key).then(() => 'present', () => 'gone');
    expect(open).to.equal('gone');
    expect((await downloadBytes(officer, app.url, exported.body.request.archive.url)).status).to.equal(404);
    const [after] = (await officer.get('/api/v1/gdpr/requests?state=all')).body.items.filter((r: { id: string }) => r.id === id);
    expect(after.archive).to.equal(null);
  });

  it('keeps one-month deadlines (calendar months), extends once with a reason, and lists open requests by time left', async () => {
    const contactId = (await db()('contacts').first('id')).id;
    const ago = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();
    const endOfJanuary = (await create({ type: 'erasure', contactId, receivedAt: '2026-01-31T10:00:00Z' })).body.request;
    expect(endOfJanuary.dueAt).to.equal('2026-02-28T10:00:00.000Z');
    expect(endOfJanuary.overdue).to.equal(true);
    const fresh = (await create({ type: 'access', contactId, receivedAt: ago(1) })).body.request;
    const soon = (await create({ type: 'access', contactId, receivedAt: ago(26) })).body.request;
    const late = (await create({ type: 'erasure', contactId, receivedAt: ago(40) })).body.request;
    expect(fresh.daysLeft).to.be.greaterThan(soon.daysLeft);
    expect(late.daysLeft).to.be.lessThan(0);
    expect((await create({ type: 'access', contactId, receivedAt: new Date(Date.now() + 2 * DAY_MS).toISOString() })).status).to.equal(400);
    expect((await create({ type: 'portability', contactId })).status).to.equal(400);
    expect((await create({ type: 'access', contactId: newId() })).body.error.id).to.equal('validation_failed');

    // Extension: a reason is required; once only; the deadline in force moves.
    expect((await officer.post(`/api/v1/gdpr/requests/${late.id}/extend`, { months: 2, reason: '' })).status).to.equal(400);
    expect((await officer.post(`/api/v1/gdpr/requests/${late.id}/extend`, { months: 3, reason: 'x' })).status).to.equal(400);
    const extended = await officer.post(`/api/v1/gdpr/requests/${late.id}/extend`, { months: 2, reason: 'Several hundred files to review' });
    expect(extended.status).to.equal(200);
    expect(extended.body.request).to.deep.include({ extensionReason: 'Several hundred files to review', overdue: false, dueAt: late.dueAt });
    expect(new Date(extended.body.request.effectiveDueAt).getTime()).to.be.greaterThan(new Date(late.dueAt).getTime() + 55 * DAY_MS);
    const again = await officer.post(`/api/v1/gdpr/requests/${late.id}/extend`, { months: 1, reason: 'more' });
    expect(again.status).to.equal(409);
    expect(again.body.error.details.reason).to.equal('already_extended');
    const audited = await db()('audit_events').where({ action: 'gdpr.request_extended', subject_id: late.id });
    expect(audited).to.have.length(1);
    expect(JSON.stringify(audited[0].details)).not.to.contain('Several hundred');

    // The dashboard: open requests only, overdue first, then by days left.
    const open = (await officer.get('/api/v1/gdpr/requests')).body.items as Array<{ id: string; daysLeft: number; state: string }>;
    const order = open.map((r) => r.id);
    expect(order).to.deep.equal([endOfJanuary.id, soon.id, fresh.id, late.id]);
    expect(open.every((r) => r.state === 'open')).to.equal(true);
    const days = open.map((r) => r.daysLeft);
    expect(days).to.deep.equal([...days].sort((a, b) => a - b));
    const everything = (await officer.get('/api/v1/gdpr/requests?state=all')).body.items as Array<{ state: string }>;
    expect(everything.length).to.equal(open.length + 1);
    expect(everything[everything.length - 1]!.state).to.equal('completed');
  });
});
