// Conversation review: the compliance officer and the auditor open any agent's conversation of
// any date, read-only, with its assignment history; agents and supervisors may not; every view
// (and every search naming a customer) is on the audit log, by id only.
import { expect } from 'chai';
import type { z } from 'zod';
import { newId } from '../../server/lib/ids';
import { historyResponse, reviewConversationResponse, reviewListResponse, reviewMessagesResponse, reviewOptionsResponse } from '../../server/modules/review/schema';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { TINY_PNG } from '../support/media';
import { insertMessage, type Thread } from '../support/retention';
import { addChannel } from '../support/whatsapp';

const DAY_MS = 86_400_000;

/** The answer is what its OpenAPI schema says, field for field (nothing undeclared leaks). */
function expectConforms(schema: z.ZodType, body: unknown): void {
  const parsed = schema.safeParse(body);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).to.equal(true);
  expect(parsed.data, 'the answer has fields its schema does not declare').to.deep.equal(body);
}
const ago = (days: number) => new Date(Date.now() - days * DAY_MS);

describe('conversation review: any conversation of any date, read-only, every view audited', () => {
  let app: TestApp;
  let admin: ApiClient;
  let officer: { id: string; client: ApiClient };
  let auditor: { id: string; client: ApiClient };
  let alice: { id: string; client: ApiClient };
  let bob: { id: string; client: ApiClient };
  let supervisor: ApiClient;
  let channelId: string;
  let old: Thread;
  let recent: Thread;
  let mediaId: string;
  const db = () => app.runtime.services.db;

  /** A contact and a conversation that started `at` (its messages are added on their own). */
  async function thread(waId: string, name: string, at: Date, assigneeId: string | null): Promise<Thread> {
    const contactId = newId();
    const conversationId = newId();
    await db()('contacts').insert({ id: contactId, wa_id: waId, profile_name: name });
    await db()('conversations').insert({ id: conversationId, contact_id: contactId, channel_id: channelId, assignee_id: assigneeId, created_at: at, last_message_at: at, status: 'resolved' });
    return { contactId, conversationId, channelId };
  }

  async function upload(client: ApiClient): Promise<string> {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(TINY_PNG)], { type: 'image/png' }), 'receipt.png');
    const res = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { cookie: client.cookieHeader()!, 'x-csrf-token': client.csrfToken! }, body: form });
    expect(res.status).to.equal(201);
    return ((await res.json()) as { media: { id: string } }).media.id;
  }

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    officer = await app.userWithRoles(['compliance-officer']);
    auditor = await app.userWithRoles(['auditor']);
    alice = await app.userWithRoles(['agent']);
    bob = await app.userWithRoles(['agent']);
    supervisor = (await app.userWithRoles(['supervisor'])).client;
    await db()('users').where({ id: alice.id }).update({ name: 'Alice Agent' });
    await db()('users').where({ id: bob.id }).update({ name: 'Bob Agent' });
    channelId = (await addChannel(admin)).id;

    // A complaint from three years ago, written by Alice; its photo is a stored file.
    old = await thread('33611110001', 'Old Complainant', ago(3 * 365), null);
    mediaId = await upload(admin);
    await insertMessage(db(), old, ago(3 * 365), { text: 'my bill is wrong' });
    await insertMessage(db(), old, new Date(ago(3 * 365).getTime() + 60_000), { text: 'sorry, looking into it', authorId: alice.id });
    await insertMessage(db(), old, new Date(ago(3 * 365).getTime() + 120_000), { mediaId, text: 'photo of the bill' });
    // Last week's conversation, Bob's.
    recent = await thread('33611110002', 'Recent Customer', ago(7), bob.id);
    await insertMessage(db(), recent, ago(7), { text: 'hello' });
  });
  after(async () => app.stop());

  it('lists the last 30 days by default, and any conversation of any date with a range', async () => {
    const byDefault = await officer.client.get('/api/v1/review/conversations');
    expect(byDefault.status, JSON.stringify(byDefault.body)).to.equal(200);
    expect(byDefault.body.items.map((c: { id: string }) => c.id)).to.deep.equal([recent.conversationId]);

    const from = ago(4 * 365).toISOString();
    const all = await auditor.client.get(`/api/v1/review/conversations?from=${encodeURIComponent(from)}`);
    expect(all.status).to.equal(200);
    expect(all.body.items.map((c: { id: string }) => c.id)).to.deep.equal([recent.conversationId, old.conversationId]);
    expect(all.body.range).to.deep.equal({ from, to: null });
    expectConforms(reviewListResponse, all.body);

    const range = `from=${encodeURIComponent(ago(4 * 365).toISOString())}&to=${encodeURIComponent(ago(2 * 365).toISOString())}`;
    const byAuthor = await officer.client.get(`/api/v1/review/conversations?${range}&agentId=${alice.id}`);
    expect(byAuthor.body.items.map((c: { id: string }) => c.id), 'Alice wrote in it').to.deep.equal([old.conversationId]);
    const byAssignee = await officer.client.get(`/api/v1/review/conversations?from=${encodeURIComponent(from)}&agentId=${bob.id}`);
    expect(byAssignee.body.items.map((c: { id: string }) => c.id), 'Bob holds it').to.deep.equal([recent.conversationId]);
    const byStatus = await officer.client.get(`/api/v1/review/conversations?from=${encodeURIComponent(from)}&status=open`);
    expect(byStatus.body.items).to.deep.equal([]);
  });

  it('pages the list with a cursor', async () => {
    const from = encodeURIComponent(ago(4 * 365).toISOString());
    const first = await officer.client.get(`/api/v1/review/conversations?from=${from}&limit=1`);
    expect(first.body.items).to.have.length(1);
    expect(first.body.nextCursor).to.be.a('string');
    const second = await officer.client.get(`/api/v1/review/conversations?from=${from}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((c: { id: string }) => c.id)).to.deep.equal([old.conversationId]);
  });

  it('audits a search by customer with ids only, never the searched name or number', async () => {
    const from = encodeURIComponent(ago(4 * 365).toISOString());
    const res = await officer.client.get(`/api/v1/review/conversations?from=${from}&q=${encodeURIComponent('+33 6 1111 0001')}`);
    expect(res.body.items.map((c: { id: string }) => c.id)).to.deep.equal([old.conversationId]);
    await app.runtime.services.audit.flush();
    const events = await db()('audit_events').where({ action: 'conversation.review_searched', actor_id: officer.id });
    expect(events).to.have.length(1);
    expect(events[0].details).to.include({ byNameOrNumber: true, returned: 1 });
    expect(events[0].details.contactIds).to.deep.equal([old.contactId]);
    expect(JSON.stringify(events[0].details)).not.to.match(/1111|Complainant/);
    // A search naming no customer is not a reading of anyone's data.
    await officer.client.get(`/api/v1/review/conversations?from=${from}`);
    await app.runtime.services.audit.flush();
    expect(await db()('audit_events').where({ action: 'conversation.review_searched', actor_id: officer.id })).to.have.length(1);
  });

  it('finds a customer by number only for a reviewer who may read numbers; the auditor sees them masked', async () => {
    const from = encodeURIComponent(ago(4 * 365).toISOString());
    const byNumber = await auditor.client.get(`/api/v1/review/conversations?from=${from}&q=${encodeURIComponent('1111 0001')}`);
    expect(byNumber.body.items).to.deep.equal([]);
    const byName = await auditor.client.get(`/api/v1/review/conversations?from=${from}&q=Complainant`);
    expect(byName.body.items.map((c: { id: string }) => c.id)).to.deep.equal([old.conversationId]);
    expect(byName.body.items[0].contact).to.include({ phoneMasked: true });
    expect(byName.body.items[0].contact.waId).not.to.contain('11110001');
  });

  it('opens a three-year-old conversation with its full transcript and its files, auditing each view by id', async () => {
    for (const reader of [officer, auditor]) {
      const conversation = await reader.client.get(`/api/v1/review/conversations/${old.conversationId}`);
      expect(conversation.status).to.equal(200);
      expect(conversation.body.conversation.contact.profileName).to.equal('Old Complainant');
      expectConforms(reviewConversationResponse, conversation.body);
      const messages = await reader.client.get(`/api/v1/review/conversations/${old.conversationId}/messages`);
      expect(messages.status).to.equal(200);
      expectConforms(reviewMessagesResponse, messages.body);
      expect(messages.body.items.map((m: { text: string | null }) => m.text)).to.deep.equal(['my bill is wrong', 'sorry, looking into it', 'photo of the bill']);
      expect(messages.body.items[1].author).to.deep.include({ id: alice.id, name: 'Alice Agent' });
      const media = messages.body.items[2].media;
      expect(media.url).to.equal(`/api/v1/review/conversations/${old.conversationId}/media/${mediaId}`);
      const file = await reader.client.request('GET', media.url);
      expect(file.status).to.equal(200);
      expect(file.headers.get('content-type')).to.equal('image/png');
    }
    // Twice in a row is two readings: each is on record.
    await officer.client.get(`/api/v1/review/conversations/${old.conversationId}`);
    await app.runtime.services.audit.flush();
    const views = await db()('audit_events').where({ action: 'conversation.reviewed', subject_id: old.conversationId }).orderBy('seq');
    expect(views.map((v) => v.actor_id)).to.deep.equal([officer.id, auditor.id, officer.id]);
    const files = await db()('audit_events').where({ action: 'conversation.media_reviewed', subject_id: old.conversationId });
    expect(files.map((f) => f.details)).to.deep.equal([{ mediaId }, { mediaId }]);
    for (const event of [...views, ...files]) {
      expect(event.subject_type).to.equal('Conversation');
      expect(JSON.stringify(event.details)).not.to.match(/Complainant|33611110001|bill/);
    }
  });

  it('audits a transcript or history read without an opening, once per five minutes, with the part read', async () => {
    const reader = await app.userWithRoles(['auditor']);
    expect((await reader.client.get(`/api/v1/review/conversations/${recent.conversationId}/messages`)).status).to.equal(200);
    expect((await reader.client.get(`/api/v1/review/conversations/${recent.conversationId}/history`)).status).to.equal(200);
    await app.runtime.services.audit.flush();
    const reads = await db()('audit_events').where({ action: 'conversation.reviewed', actor_id: reader.id, subject_id: recent.conversationId });
    expect(reads.map((e) => e.details)).to.deep.equal([{ part: 'messages' }]);
    // An opening is always its own event; the reads right after it are part of it.
    await reader.client.get(`/api/v1/review/conversations/${old.conversationId}`);
    await reader.client.get(`/api/v1/review/conversations/${old.conversationId}/messages`);
    await reader.client.get(`/api/v1/review/conversations/${old.conversationId}/history`);
    await app.runtime.services.audit.flush();
    const opened = await db()('audit_events').where({ action: 'conversation.reviewed', actor_id: reader.id, subject_id: old.conversationId });
    expect(opened.map((e) => e.details)).to.deep.equal([{}]);
  });

  it('pages the transcript back in time, years back', async () => {
    const first = await officer.client.get(`/api/v1/review/conversations/${old.conversationId}/messages?limit=2`);
    expect(first.body.items.map((m: { text: string | null }) => m.text)).to.deep.equal(['sorry, looking into it', 'photo of the bill']);
    const older = await officer.client.get(`/api/v1/review/conversations/${old.conversationId}/messages?limit=2&before=${encodeURIComponent(first.body.nextBefore)}`);
    expect(older.body.items.map((m: { text: string | null }) => m.text)).to.deep.equal(['my bill is wrong']);
    expect(older.body.nextBefore).to.equal(null);
  });

  it('refuses a file of another conversation through this one (404), and an unknown conversation (404)', async () => {
    expect((await officer.client.get(`/api/v1/review/conversations/${recent.conversationId}/media/${mediaId}`)).status).to.equal(404);
    expect((await officer.client.get(`/api/v1/review/conversations/${newId()}`)).status).to.equal(404);
  });

  it('shows the assignment history in order, with who did it and to whom, by name', async () => {
    const id = recent.conversationId;
    expect((await admin.post(`/api/v1/conversations/${id}/reopen`)).status).to.equal(200);
    expect((await admin.post(`/api/v1/conversations/${id}/assign`, { assigneeId: alice.id })).status).to.equal(200);
    expect((await admin.post(`/api/v1/conversations/${id}/transfer`, { assigneeId: bob.id })).status).to.equal(200);
    expect((await admin.post(`/api/v1/conversations/${id}/resolve`)).status).to.equal(200);
    const res = await auditor.client.get(`/api/v1/review/conversations/${id}/history`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expectConforms(historyResponse, res.body);
    const changes = res.body.items.filter((e: { action: string }) => e.action !== 'conversation.reviewed');
    expect(changes.map((e: { action: string }) => e.action)).to.deep.equal(['conversation.reopened', 'conversation.assigned', 'conversation.transferred', 'conversation.resolved']);
    const seqs = res.body.items.map((e: { seq: number }) => e.seq);
    expect(seqs).to.deep.equal([...seqs].sort((a: number, b: number) => a - b));
    expect(changes[1].details).to.deep.include({ fromAssigneeId: bob.id, toAssigneeId: alice.id });
    expect(changes[2].details).to.deep.include({ fromAssigneeId: alice.id, toAssigneeId: bob.id });
    const adminId = changes[0].actorId as string;
    expect(res.body.names[`User:${alice.id}`]).to.equal('Alice Agent');
    expect(res.body.names[`User:${bob.id}`]).to.equal('Bob Agent');
    expect(res.body.names[`User:${adminId}`]).to.be.a('string');
    expect(res.body.names[`Conversation:${id}`]).to.equal('Recent Customer');

    // A name changed later reads as it is now: the log keeps ids only.
    await db()('users').where({ id: alice.id }).update({ name: 'Alice Martin' });
    const again = await auditor.client.get(`/api/v1/review/conversations/${id}/history?limit=2`);
    expect(again.body.items).to.have.length(2);
    expect(again.body.nextAfterSeq).to.equal(again.body.items[1].seq);
    const rest = await auditor.client.get(`/api/v1/review/conversations/${id}/history?afterSeq=${again.body.nextAfterSeq}`);
    expect(rest.body.items.map((e: { action: string }) => e.action)).to.include('conversation.transferred');
    expect(rest.body.names[`User:${alice.id}`]).to.equal('Alice Martin');
  });

  it('refuses agents and supervisors on every review route (403), and the anonymous (401)', async () => {
    const paths = [
      '/api/v1/review/conversations',
      '/api/v1/review/options',
      `/api/v1/review/conversations/${old.conversationId}`,
      `/api/v1/review/conversations/${old.conversationId}/messages`,
      `/api/v1/review/conversations/${old.conversationId}/history`,
      `/api/v1/review/conversations/${old.conversationId}/media/${mediaId}`,
    ];
    for (const path of paths) {
      for (const client of [alice.client, bob.client, supervisor]) {
        const res = await client.get(path);
        expect(res.status, path).to.equal(403);
        expect(res.body.error.id).to.equal('forbidden');
      }
      expect((await app.client().get(path)).status, path).to.equal(401);
    }
    // The supervisor still reads conversations in the inbox, as before.
    expect((await supervisor.get(`/api/v1/conversations/${old.conversationId}`)).status).to.equal(200);
    await app.runtime.services.audit.flush();
    const denied = await db()('audit_events').where({ action: 'access.denied', actor_id: bob.id });
    expect(denied.length).to.be.greaterThan(0);
  });

  it('lets a custom role narrow the review to some numbers: the list and the openings follow its conditions', async () => {
    const other = await addChannel(admin);
    const elsewhere = await thread('33611110003', 'Other Number', ago(2), null);
    await db()('conversations').where({ id: elsewhere.conversationId }).update({ channel_id: other.id });
    await db()('messages').insert({
      id: newId(), created_at: ago(2), conversation_id: elsewhere.conversationId, channel_id: other.id, contact_id: elsewhere.contactId,
      direction: 'in', type: 'text', text: 'hi', author_type: 'customer', status: 'received',
    });
    const role = await admin.post('/api/v1/roles', { key: 'desk-reviewer', name: 'Desk reviewer', rules: [{ action: 'read', subject: 'ConversationReview', conditions: { channelId: other.id } }] });
    expect(role.status, JSON.stringify(role.body)).to.equal(201);
    const desk = (await app.userWithRoles(['desk-reviewer'])).client;
    const listed = await desk.get(`/api/v1/review/conversations?from=${encodeURIComponent(ago(4 * 365).toISOString())}`);
    expect(listed.body.items.map((c: { id: string }) => c.id)).to.deep.equal([elsewhere.conversationId]);
    expect((await desk.get(`/api/v1/review/conversations/${elsewhere.conversationId}`)).status).to.equal(200);
    expect((await desk.get(`/api/v1/review/conversations/${old.conversationId}`)).status, 'another number reads as missing').to.equal(404);
    expect((await desk.get(`/api/v1/review/conversations/${old.conversationId}/history`)).status).to.equal(404);
  });

  it('offers the numbers and users to filter on', async () => {
    const res = await officer.client.get('/api/v1/review/options');
    expect(res.status).to.equal(200);
    expectConforms(reviewOptionsResponse, res.body);
    expect(res.body.channels.map((c: { id: string }) => c.id)).to.include(channelId);
    expect(res.body.agents.map((a: { id: string }) => a.id)).to.include.members([alice.id, bob.id]);
  });

  it('answers a reversed range with validation_failed', async () => {
    const res = await officer.client.get(`/api/v1/review/conversations?from=${encodeURIComponent(ago(1).toISOString())}&to=${encodeURIComponent(ago(2).toISOString())}`);
    expect(res.status).to.equal(400);
    expect(res.body.error.id).to.equal('validation_failed');
  });
});
