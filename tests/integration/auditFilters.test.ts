import { expect } from 'chai';
import { systemActor } from '../../server/lib/actor';
import { listEvents, type AuditFilter } from '../../server/modules/audit/eventRepo';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { addChannel, inbound, postWebhook, wamid } from '../support/whatsapp';

type Event = { seq: number; at: string; action: string; actorId: string | null; actorName: string | null; subjectType: string | null; subjectId: string | null; details: Record<string, any> };
type Page = { items: Event[]; nextBeforeSeq: number | null; names: Record<string, string> };

describe('the Audit page API: filters, names read at read time, conversation views and streamed exports', () => {
  let app: TestApp;
  let admin: ApiClient;
  let officer: { id: string; client: ApiClient };
  let amelie: { id: string; client: ApiClient };
  let conversationId: string;
  let teamId: string;

  const page = async (client: ApiClient, query: string): Promise<Page> => {
    const res = await client.get(`/api/v1/audit/events?${query}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as Page;
  };

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    officer = await app.userWithRoles(['compliance-officer']);
    amelie = await app.userWithRoles(['supervisor']);
    expect((await admin.patch(`/api/v1/users/${amelie.id}`, { name: 'Amélie Martin' })).status).to.equal(200);
    const team = await admin.post('/api/v1/teams', { name: 'Night desk' });
    expect(team.status, JSON.stringify(team.body)).to.equal(201);
    teamId = team.body.id ?? team.body.team.id;
    const channel = await addChannel(admin);
    const from = '33611223344';
    expect(await postWebhook(app.url, channel.appSecret, inbound(channel, from, { id: wamid(), type: 'text', text: { body: 'Bonjour' } }, 'Jean Dupont'))).to.equal(200);
    conversationId = (await eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${from}`)).body.items[0])).id;
    expect((await amelie.client.post(`/api/v1/conversations/${conversationId}/assign`, { assigneeId: amelie.id })).status).to.equal(200);
  });
  after(async () => app.stop());

  it('filters by actor: part of a name or email, or the id a suggestion gave', async () => {
    const suggestions = await officer.client.get('/api/v1/audit/actors?q=am%C3%A9lie');
    expect(suggestions.status).to.equal(200);
    expect(suggestions.body.items.map((u: { id: string }) => u.id)).to.deep.equal([amelie.id]);
    const byName = await page(officer.client, `actor=${encodeURIComponent('MARTIN')}&action=conversation.assigned`);
    expect(byName.items).to.have.length(1);
    expect(byName.items[0]).to.include({ actorId: amelie.id, actorName: 'Amélie Martin' });
    const byId = await page(officer.client, `actorId=${amelie.id}`);
    expect(byId.items.length).to.be.greaterThan(0);
    expect(byId.items.every((e) => e.actorId === amelie.id)).to.equal(true);
    expect((await page(officer.client, 'actor=nobody-has-this-name')).items).to.deep.equal([]);
  });

  it('suggests actors only to readers of the audit log', async () => {
    const agent = await app.userWithRoles(['agent']);
    const res = await agent.client.get('/api/v1/audit/actors?q=a');
    expect(res.status).to.equal(403);
    expect(res.body.error.id).to.equal('forbidden');
  });

  it('filters by action family and by exact action, and refuses a malformed family with a stable id', async () => {
    const team = await page(officer.client, 'family=team');
    expect(team.items.map((e) => e.action)).to.include('team.created');
    expect(team.items.every((e) => e.action.startsWith('team.'))).to.equal(true);
    const users = await page(officer.client, 'family=user');
    expect(new Set(users.items.map((e) => e.action))).to.include.keys('user.created', 'user.updated');
    expect(users.items.every((e) => e.action.startsWith('user.'))).to.equal(true);
    const exact = await page(officer.client, 'action=user.updated');
    expect(exact.items.length).to.be.greaterThan(0);
    expect(exact.items.every((e) => e.action === 'user.updated')).to.equal(true);
    const bad = await officer.client.get('/api/v1/audit/events?family=user%25');
    expect(bad.status).to.equal(400);
    expect(bad.body.error.id).to.equal('validation_failed');
  });

  it('filters by subject type and id, or by the name of the subject (a conversation by its contact), and names what it returns', async () => {
    const byId = await page(officer.client, `subjectType=Team&subjectId=${teamId}`);
    expect(byId.items.map((e) => e.action)).to.deep.equal(['team.created']);
    expect(byId.names[`Team:${teamId}`]).to.equal('Night desk');
    const byName = await page(officer.client, 'subjectType=Team&subject=night');
    expect(byName.items.map((e) => e.subjectId)).to.deep.equal([teamId]);
    const conversation = await page(officer.client, `subject=${encodeURIComponent('Jean Dup')}&action=conversation.assigned`);
    expect(conversation.items).to.have.length(1);
    const assigned = conversation.items[0]!;
    expect(assigned).to.include({ subjectType: 'Conversation', subjectId: conversationId, actorId: amelie.id });
    // Everything the sentence needs is named: the actor, the contact and the assignee.
    expect(conversation.names[`Conversation:${conversationId}`]).to.equal('Jean Dupont');
    expect(conversation.names[`User:${amelie.id}`]).to.equal('Amélie Martin');
    expect(assigned.details.toAssigneeId).to.equal(amelie.id);
    // By number too, whatever its spacing.
    expect((await page(officer.client, `subject=${encodeURIComponent('+33 6 11 22')}&action=conversation.assigned`)).items).to.have.length(1);
  });

  it('never keeps the subject name searched for (it may be a customer\'s) in the audit log', async () => {
    await page(officer.client, `subject=${encodeURIComponent('Jean Dupont')}`);
    const reads = await page(admin, `actorId=${officer.id}&action=audit.read&limit=1`);
    expect(reads.items[0]!.details.filter).to.deep.equal({ subjectNameSearched: true, limit: 50 });
    expect(JSON.stringify(reads.items[0])).not.to.contain('Jean');
  });

  it('filters by a date range: from is inclusive, to exclusive', async () => {
    const [created] = (await page(officer.client, `subjectType=Team&subjectId=${teamId}`)).items;
    const at = new Date(created!.at).getTime();
    const iso = (ms: number) => encodeURIComponent(new Date(ms).toISOString());
    const q = `subjectType=Team&subjectId=${teamId}`;
    expect((await page(officer.client, `${q}&from=${iso(at)}&to=${iso(at + 1)}`)).items).to.have.length(1);
    expect((await page(officer.client, `${q}&from=${iso(at + 1)}`)).items).to.have.length(0);
    expect((await page(officer.client, `${q}&to=${iso(at)}`)).items).to.have.length(0);
    expect((await officer.client.get('/api/v1/audit/events?from=yesterday')).status).to.equal(400);
  });

  it('records opening a conversation once per reading, and not the panel\'s background refetches', async () => {
    const viewer = await app.userWithRoles(['supervisor']);
    expect((await viewer.client.get(`/api/v1/conversations/${conversationId}`)).status).to.equal(200);
    expect((await viewer.client.get(`/api/v1/conversations/${conversationId}`)).status).to.equal(200);
    const views = await page(officer.client, `actorId=${viewer.id}&action=conversation.viewed`);
    expect(views.items).to.have.length(1);
    expect(views.items[0]).to.include({ subjectType: 'Conversation', subjectId: conversationId });
    expect(views.items[0]!.details).to.deep.equal({});
    expect(views.names[`Conversation:${conversationId}`]).to.equal('Jean Dupont');

    const background = await app.userWithRoles(['supervisor']);
    const res = await background.client.request('GET', `/api/v1/conversations/${conversationId}`, undefined, { 'x-switchboard-background': '1' });
    expect(res.status).to.equal(200);
    expect((await page(officer.client, `actorId=${background.id}&action=conversation.viewed`)).items).to.deep.equal([]);
  });

  it('exports the filtered range as CSV, streamed, with names, and audits the export with its filter and row count', async () => {
    const res = await officer.client.get('/api/v1/audit/export?format=csv&family=team');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).to.match(/^attachment; filename="switchboard-audit-\d{8}T\d{6}-through-\d+\.csv"$/);
    // Streamed: no length known in advance.
    expect(res.headers.get('content-length')).to.equal(null);
    expect(res.headers.get('transfer-encoding')).to.equal('chunked');
    const lines = (res.body as string).split('\r\n').filter((l) => l.length > 0);
    expect(lines[0]).to.equal('seq,at,actor_type,actor_id,actor_name,actor_email,action,subject_type,subject_id,subject_name,ip,request_id,details,hash');
    expect(lines).to.have.length(2);
    expect(lines[1]).to.contain(`,team.created,Team,${teamId},Night desk,`);
    expect(lines[1]).to.contain('"{""name"":""Night desk""}"');
    expect(res.headers.get('x-switchboard-export-rows')).to.equal('1');

    const exported = await page(admin, `actorId=${officer.id}&action=audit.exported`);
    expect(exported.items).to.have.length(1);
    expect(exported.items[0]!.details).to.deep.include({ format: 'csv', filter: { family: 'team' }, rows: 1 });
  });

  it('exports JSON Lines in chain order across many batches, every row once', async () => {
    const audit = app.runtime.services.audit;
    await Promise.all(Array.from({ length: 1203 }, (_, i) => audit.record(systemActor, { action: 'bulkfixture.made', details: { i } })));
    const res = await officer.client.get('/api/v1/audit/export?format=jsonl&family=bulkfixture');
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/x-ndjson; charset=utf-8');
    const rows = (res.body as string).trimEnd().split('\n').map((l) => JSON.parse(l) as Event & { subjectName: string | null });
    expect(rows).to.have.length(1203);
    const seqs = rows.map((r) => r.seq);
    expect(seqs).to.deep.equal([...seqs].sort((a, b) => a - b));
    expect(new Set(rows.map((r) => r.details.i)).size).to.equal(1203);
    expect(rows[0]).to.include.keys('seq', 'at', 'actorType', 'action', 'details', 'hash', 'actorName', 'subjectName');
  });

  it('neutralises a cell a spreadsheet would run as a formula', async () => {
    const team = await admin.post('/api/v1/teams', { name: '=HYPERLINK("http://evil.example")' });
    const id = team.body.id ?? team.body.team.id;
    const res = await officer.client.get(`/api/v1/audit/export?format=csv&subjectType=Team&subjectId=${id}`);
    expect(res.body as string).to.contain(`,Team,${id},"'=HYPERLINK(""http://evil.example"")",`);
  });

  it('lets only holders of AuditEvent:export export, and audits the refusal', async () => {
    const auditor = await app.userWithRoles(['auditor']);
    const res = await auditor.client.get('/api/v1/audit/export?format=csv');
    expect(res.status).to.equal(403);
    const denied = await page(admin, `actorId=${auditor.id}&action=access.denied`);
    expect(denied.items[0]!.details).to.include({ permission: 'AuditEvent:export' });
    expect((await officer.client.get('/api/v1/audit/export?format=xml')).body.error.id).to.equal('validation_failed');
  });

  it('answers the family and subject filters from their indexes, not by reading the whole log', async () => {
    const db = app.runtime.services.db;
    const planOf = async (filter: AuditFilter) => {
      let native: { sql: string; bindings: readonly unknown[] } | null = null;
      // The statement the list runs, exactly: captured where the ability would narrow it.
      await listEvents(db, { ...filter, limit: 50 }, (q) => {
        native = q.toSQL();
        return q;
      });
      return db.transaction(async (trx) => {
        // The test log is small enough to scan; forbid that, as a big log would make it too slow.
        await trx.raw('SET LOCAL enable_seqscan = off');
        const plan = await trx.raw(`EXPLAIN ${native!.sql}`, native!.bindings as never);
        return (plan.rows as Array<{ 'QUERY PLAN': string }>).map((r) => r['QUERY PLAN']).join('\n');
      });
    };
    expect(await planOf({ family: 'conversation' })).to.contain('audit_events_family_seq_index');
    expect(await planOf({ subjectId: conversationId })).to.contain('audit_events_subject_id_seq_index');
  });
});
