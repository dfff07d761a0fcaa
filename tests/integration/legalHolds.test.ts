// Legal holds by every kind of scope: what each covers (counted by the same SQL predicate
// retention uses), what is refused, who may do what, and that a hold beats retention.
import { expect } from 'chai';
import { holdsOnContact, messageHeld } from '../../server/modules/holds';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { insertMessage, makeThread, type Thread } from '../support/retention';
import { addChannel } from '../support/whatsapp';

const DAY_MS = 86_400_000;

describe('legal holds: scopes, refusals, permissions, and holds beating retention', () => {
  let app: TestApp;
  let officer: ApiClient;
  let agentId: string;
  let x: Thread;
  let y: Thread;
  let z: Thread;
  const ago = (days: number) => new Date(Date.now() - days * DAY_MS);
  const ids: Record<string, string> = {};
  const db = () => app.runtime.services.db;
  const place = (scope: Record<string, unknown>) => officer.post('/api/v1/legal-holds', { caseRef: 'C-1', reason: 'Test', scope });

  before(async () => {
    app = await startTestApp();
    const admin = await app.adminClient();
    officer = (await app.userWithRoles(['compliance-officer'])).client;
    agentId = (await app.userWithRoles(['agent'])).id;
    const a = await addChannel(admin);
    const b = await addChannel(admin);
    x = await makeThread(db(), a.id, '33612340001');
    y = await makeThread(db(), a.id, '33612340002', { assigneeId: agentId });
    z = await makeThread(db(), b.id, '33612340003');
    ids.xOld = await insertMessage(db(), x, ago(90), { text: 'the invoice 42 is attached' });
    ids.xAgent = await insertMessage(db(), x, ago(80), { text: 'thanks', authorId: agentId });
    ids.yOld = await insertMessage(db(), y, ago(70), { text: 'hello' });
    ids.zOld = await insertMessage(db(), z, ago(60), { text: 'another invoice' });
    ids.zNew = await insertMessage(db(), z, ago(5), { text: 'recent' });
  });
  after(async () => app.stop());

  it('counts what each kind of scope covers', async () => {
    const cases: Array<[Record<string, unknown>, number]> = [
      [{ contactPhones: ['+33612340001'] }, 2],
      [{ conversationIds: [y.conversationId] }, 1],
      [{ channelIds: [z.channelId], from: ago(30).toISOString() }, 1],
      // Messages the agent wrote, and every message of conversations assigned to them.
      [{ agentIds: [agentId] }, 2],
      [{ query: 'invoice' }, 2],
      [{ query: 'invoice', channelIds: [x.channelId] }, 1],
      [{ from: ago(75).toISOString(), to: ago(50).toISOString() }, 2],
    ];
    for (const [scope, covered] of cases) {
      const res = await place(scope);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(res.body.hold.coveredMessages, JSON.stringify(scope)).to.equal(covered);
      await officer.post(`/api/v1/legal-holds/${res.body.hold.id}/release`, { reason: 'done' });
    }
  });

  it('refuses an empty scope, a reversed range and unknown customers (audited as denied, without the number)', async () => {
    expect((await place({})).body.error.id).to.equal('validation_failed');
    expect((await place({ from: ago(1).toISOString(), to: ago(2).toISOString() })).body.error.id).to.equal('validation_failed');
    expect((await officer.post('/api/v1/legal-holds', { caseRef: '', reason: 'x', scope: { query: 'a' } })).status).to.equal(400);
    const unknown = await place({ contactPhones: ['+33600000099'] });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.details.missing).to.deep.equal(['contactPhones.0']);
    const denied = await db()('audit_events').where({ action: 'access.denied', subject_type: 'LegalHold' });
    expect(denied).to.have.length(1);
    expect(JSON.stringify(denied[0].details)).not.to.contain('33600000099');
  });

  it('lets the auditor read holds but neither place nor release them', async () => {
    const auditor = (await app.userWithRoles(['auditor'])).client;
    expect((await auditor.get('/api/v1/legal-holds')).status).to.equal(200);
    expect((await auditor.post('/api/v1/legal-holds', { caseRef: 'C', reason: 'R', scope: { query: 'x' } })).status).to.equal(403);
    const hold = (await place({ query: 'hello' })).body.hold;
    expect((await auditor.post(`/api/v1/legal-holds/${hold.id}/release`, { reason: 'no' })).status).to.equal(403);
    expect((await auditor.get('/api/v1/retention/policies')).status).to.equal(200);
    expect((await auditor.request('PUT', '/api/v1/retention/policies', { dataClass: 'messages', channelId: null, days: 400 })).status).to.equal(403);
  });

  it('beats retention: with a 30-day period, only unheld old messages go; erasure can ask who holds a contact', async () => {
    // Active now: the 'hello' hold (y's message). Add one on x's invoice by search.
    expect((await place({ query: 'invoice 42' })).status).to.equal(201);
    expect(await messageHeld(db(), ids.xOld!)).to.equal(true);
    expect(await messageHeld(db(), ids.zOld!)).to.equal(false);
    expect((await holdsOnContact(db(), x.contactId)).map((h) => h.case_ref)).to.deep.equal(['C-1']);
    expect(await holdsOnContact(db(), z.contactId)).to.deep.equal([]);

    expect((await officer.request('PUT', '/api/v1/retention/policies', { dataClass: 'messages', channelId: null, days: 30 })).status).to.equal(200);
    const run = await officer.post('/api/v1/retention/runs');
    expect(run.status).to.equal(201);
    const left = (await db()('messages').select('id')).map((m) => m.id).sort();
    expect(left).to.deep.equal([ids.xOld, ids.yOld, ids.zNew].sort());
    expect(run.body.run.counts.messages.total).to.equal(2);
  });
});
