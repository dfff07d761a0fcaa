import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { SseClient } from '../support/sse';
import { seedDefaultLexicon } from '../../server/modules/lexicon/defaults';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('the outbound lexicon: terms, import, checks on send, inbound flags, review', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let officer: ApiClient;
  let sandbox: Sandbox;
  let phoneNumberId: string;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
    officer = (await app.userWithRoles(['compliance-officer'])).client;
    sandbox = app.runtime.sandbox!.sandbox;
    phoneNumberId = (await admin.get('/api/v1/channels')).body.items[0].phoneNumberId;
  });
  after(async () => app.stop());

  async function customerWrites(waId: string, text: string) {
    await sandbox.customerSends({ phoneNumberId, from: waId, profileName: 'Camille', message: { type: 'text', body: text } });
    return eventually('the conversation', async () => {
      const list = await admin.get(`/api/v1/conversations?q=${waId}`);
      return list.body.items.find((c: any) => c.contact.waId === waId && c.lastMessagePreview === text);
    });
  }

  async function addTerm(client: ApiClient, term: string, action: 'block' | 'flag', locale = 'fr') {
    const res = await client.post('/api/v1/lexicon/terms', { term, action, locale });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.term;
  }

  async function upload(client: ApiClient, content: string, filename: string, type: string, query = '') {
    const form = new FormData();
    form.set('file', new Blob([content], { type }), filename);
    const res = await fetch(`${app.url}/api/v1/lexicon/terms/import${query}`, {
      method: 'POST', headers: { cookie: client.cookieHeader()!, 'x-csrf-token': client.csrfToken! }, body: form,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  const auditOf = (action: string) => app.runtime.services.db('audit_events').where({ action }).orderBy('seq', 'desc');

  it('ships a default list in English and French, merged at start without undoing an admin’s deletion', async () => {
    const en = await officer.get('/api/v1/lexicon/terms?q=guaranteed%20returns&locale=en');
    expect(en.body.items.map((t: any) => t.normalized)).to.include('guaranteed returns');
    expect(en.body.items[0].source).to.equal('default');
    const fr = await officer.get('/api/v1/lexicon/terms?q=information&locale=fr');
    expect(fr.body.items.map((t: any) => t.term)).to.include('information privilégiée');
    // An admin deletes a default; the next start's merge leaves it deleted.
    const id = en.body.items.find((t: any) => t.normalized === 'guaranteed returns').id;
    expect((await officer.delete(`/api/v1/lexicon/terms/${id}`)).status).to.equal(204);
    expect(await seedDefaultLexicon(app.runtime.services)).to.equal(0);
    const again = await officer.get('/api/v1/lexicon/terms?q=guaranteed%20returns&locale=en');
    expect(again.body.items.map((t: any) => t.normalized)).not.to.include('guaranteed returns');
  });

  it('adds, finds (by normalised text), changes and deletes terms; each change is audited', async () => {
    const term = await addTerm(officer, 'Crédit  Miracle', 'flag');
    expect(term).to.include({ normalized: 'credit miracle', locale: 'fr', action: 'flag', source: 'manual' });
    const dup = await officer.post('/api/v1/lexicon/terms', { term: 'CREDIT miracle', action: 'block', locale: 'fr' });
    expect(dup.status).to.equal(409);
    expect(dup.body.error.id).to.equal('conflict');
    const noLetters = await officer.post('/api/v1/lexicon/terms', { term: '!!!', action: 'block', locale: 'fr' });
    expect(noLetters.status).to.equal(400);
    expect(noLetters.body.error.id).to.equal('validation_failed');
    const badLocale = await officer.post('/api/v1/lexicon/terms', { term: 'x', action: 'block', locale: 'French' });
    expect(badLocale.status).to.equal(400);
    const found = await officer.get('/api/v1/lexicon/terms?q=CRÉDIT%20mir');
    expect(found.body.items.map((t: any) => t.id)).to.deep.equal([term.id]);
    const changed = await officer.patch(`/api/v1/lexicon/terms/${term.id}`, { action: 'block' });
    expect(changed.body.term.action).to.equal('block');
    expect((await officer.delete(`/api/v1/lexicon/terms/${term.id}`)).status).to.equal(204);
    expect((await officer.delete(`/api/v1/lexicon/terms/${term.id}`)).status).to.equal(404);
    const events = await app.runtime.services.db('audit_events').where({ subject_id: term.id }).orderBy('seq');
    expect(events.map((e: any) => e.action)).to.deep.equal(['lexicon.term_created', 'lexicon.term_updated', 'lexicon.term_deleted']);
  });

  it('imports a CSV with a per-row report of rejected rows, in one transaction', async () => {
    const csv = [
      'term,action,locale',
      'argent gratuit,block,fr',
      '"free, really",flag,en',
      ',block,fr',
      '???,block,fr',
      'ok term,explode,en',
      'another,flag,english',
      'ARGENT GRATUIT,flag,fr',
      '"broken,flag,en',
      'rendement garanti,block,fr',
    ].join('\n');
    const res = await upload(officer, csv, 'terms.csv', 'text/csv');
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.imported).to.equal(2);
    expect(res.body.rejected.map((r: any) => [r.line, r.reason])).to.deep.equal([
      [4, 'empty'], [5, 'no_letters'], [6, 'bad_action'], [7, 'bad_locale'], [8, 'duplicate_in_file'], [9, 'malformed'], [10, 'exists'],
    ]);
    expect(res.body.rejectedCount).to.equal(7);
    const [event] = await auditOf('lexicon.imported');
    expect(event.details).to.deep.include({ imported: 2, rejected: 7, filename: 'terms.csv' });
  });

  it('imports tens of thousands of plain-text terms, then matches them at once', async () => {
    // Letters only: digits read as letters (leet), so "zq3" and "zqe" would be one term.
    const word = (i: number) => `zq${[...i.toString(26)].map((d) => String.fromCharCode(97 + parseInt(d, 26))).join('')}xv`;
    const lines = Array.from({ length: 20_000 }, (_, i) => word(i));
    const res = await upload(officer, `# generated\n${lines.join('\n')}\n`, 'list.txt', 'text/plain', '?locale=en&action=flag');
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(200);
    expect(res.body).to.deep.include({ imported: 20_000, rejectedCount: 0 });
    const test = await officer.post('/api/v1/lexicon/test', { text: `Hello ${word(19_999).toUpperCase()}!` });
    expect(test.body.verdict).to.equal('flag');
    expect(test.body.matches.map((m: any) => m.term)).to.deep.equal([word(19_999)]);
  });

  it('refuses an import that is not a text file, or not multipart', async () => {
    const res = await upload(officer, 'x', 'list.png', 'image/png');
    expect(res.status).to.equal(400);
    const json = await officer.post('/api/v1/lexicon/terms/import', { file: 'x' });
    expect(json.status).to.equal(415);
  });

  it('the test box shows the normalised text and the matches, with their place in the text', async () => {
    // "gratuit" is a default (flag): the officer makes it block.
    const gratuit = (await officer.get('/api/v1/lexicon/terms?q=gratuit&locale=fr')).body.items.find((t: any) => t.normalized === 'gratuit');
    expect(gratuit.source).to.equal('default');
    expect((await officer.patch(`/api/v1/lexicon/terms/${gratuit.id}`, { action: 'block' })).body.term.action).to.equal('block');
    const res = await officer.post('/api/v1/lexicon/test', { text: 'C’est g.r.4.t.u.i.t, pas gratuitement' });
    expect(res.status).to.equal(200);
    expect(res.body.normalized).to.equal('c est gratuit pas gratuitement');
    expect(res.body.verdict).to.equal('block');
    expect(res.body.matches.map((m: any) => [m.term, m.text])).to.deep.equal([['gratuit', 'g.r.4.t.u.i.t']]);
  });

  it('blocks an agent’s message that holds a blocked term, naming it; nothing is stored or sent; audited without the text', async () => {
    const conv = await customerWrites('33700000101', 'Bonjour');
    const agent = await app.userWithRoles(['agent']);
    await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.id });
    const text = 'Votre ouverture de compte est GRATUIT€ : g r a t u i t';
    const res = await agent.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text });
    expect(res.status).to.equal(422);
    expect(res.body.error.id).to.equal('lexicon_blocked');
    expect(res.body.error.details.terms).to.deep.equal(['gratuit']);
    expect(res.body.error.message).to.contain('"gratuit"');
    const history = await admin.get(`/api/v1/conversations/${conv.id}/messages`);
    expect(history.body.items.map((m: any) => m.direction)).to.deep.equal(['in']);
    expect(await app.runtime.services.db('outbox').whereRaw('payload::text LIKE ?', ['%ouverture%'])).to.have.length(0);
    const [event] = await auditOf('lexicon.blocked');
    expect(event.subject_id).to.equal(conv.id);
    expect(event.actor_id).to.equal(agent.id);
    expect(event.details.terms).to.deep.equal(['gratuit']);
    expect(JSON.stringify(event.details)).not.to.contain('ouverture');
    // The refusal counts as a hit of the term.
    const stats = await officer.get('/api/v1/lexicon/terms?q=gratuit&locale=fr');
    expect(stats.body.items.find((t: any) => t.normalized === 'gratuit').stats).to.deep.include({ hits: 1, blocked: 1 });
  });

  it('checks template variables too', async () => {
    const conv = await customerWrites('33700000102', 'Hello');
    const tpl = await eventually('the starter template to be approved', async () => {
      const res = await admin.get(`/api/v1/templates?channelId=${conv.channel.id}`);
      return res.body.items.find((t: any) => t.name === 'welcome_back' && t.status === 'APPROVED' && t.bodyText);
    }, 15_000);
    const res = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'template', templateId: tpl.id, parameters: ['c’est gr4tuit'] });
    expect(res.status, JSON.stringify(res.body)).to.equal(422);
    expect(res.body.error.id).to.equal('lexicon_blocked');
    expect(res.body.error.details.fields[0].path).to.equal('body.parameters');
  });

  it('sends a flagged message, stores the hit, alerts supervisors live (agents get no alert), and lets them review it', async () => {
    const term = await addTerm(officer, 'promo exceptionnelle', 'flag');
    const conv = await customerWrites('33700000103', 'Des nouvelles ?');
    const supervisor = await app.userWithRoles(['supervisor']);
    const agent = await app.userWithRoles(['agent']);
    await admin.post(`/api/v1/conversations/${conv.id}/assign`, { assigneeId: agent.id });
    const supSse = await SseClient.connect(app.url, supervisor.client);
    const agentSse = await SseClient.connect(app.url, agent.client);
    try {
      const sent = await agent.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'C’est une PROMO, exceptionnelle !' });
      expect(sent.status).to.equal(201);
      const alert = await supSse.waitFor('lexicon.flagged', (d: any) => d.conversationId === conv.id);
      expect(alert.messageId).to.equal(sent.body.message.id);
      // Notices reach each stream in order: once a later message shows, an alert would have too.
      const later = await agent.client.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'Merci' });
      await agentSse.waitFor('message.created', (d: any) => d.message.id === later.body.message.id);
      expect(agentSse.received('lexicon.flagged')).to.deep.equal([]);
      const hits = await supervisor.client.get('/api/v1/lexicon/hits');
      const hit = hits.body.items.find((h: any) => h.messageId === sent.body.message.id);
      expect(hit).to.deep.include({ termId: term.id, action: 'flag', direction: 'out', authorId: agent.id, reviewedAt: null });
      expect(alert.hitIds).to.deep.equal([hit.id]);
      const reviewed = await supervisor.client.post(`/api/v1/lexicon/hits/${hit.id}/review`);
      expect(reviewed.body.hit.reviewedBy).to.equal(supervisor.id);
      expect((await supervisor.client.post(`/api/v1/lexicon/hits/${hit.id}/review`)).status).to.equal(409);
      const pending = await supervisor.client.get('/api/v1/lexicon/hits');
      expect(pending.body.items.map((h: any) => h.id)).not.to.include(hit.id);
      const all = await supervisor.client.get('/api/v1/lexicon/hits?pending=false');
      expect(all.body.items.map((h: any) => h.id)).to.include(hit.id);
      const [flagged] = await auditOf('lexicon.flagged');
      expect(JSON.stringify(flagged.details)).not.to.match(/PROMO|Camille|33700000103/);
    } finally {
      supSse.close();
      agentSse.close();
    }
  });

  it('flags an inbound message with the same engine (it is stored and shown as usual)', async () => {
    const term = await addTerm(officer, 'tuyau boursier secret', 'block');
    const supervisor = await app.userWithRoles(['supervisor']);
    const sse = await SseClient.connect(app.url, supervisor.client);
    try {
      const conv = await customerWrites('33700000104', 'J’ai un TUYAU-BOURSIER secret pour vous');
      await sse.waitFor('lexicon.flagged', (d: any) => d.conversationId === conv.id);
      const hits = await supervisor.client.get('/api/v1/lexicon/hits');
      const hit = hits.body.items.find((h: any) => h.conversationId === conv.id);
      expect(hit).to.deep.include({ termId: term.id, direction: 'in', action: 'flag', authorId: null });
    } finally {
      sse.close();
    }
  });

  it('applies a term added in another process at once (the version check)', async () => {
    const conv = await customerWrites('33700000105', 'Salut');
    expect((await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'un mot nouveau ici' })).status).to.equal(201);
    // As another process would: the term and the version, straight in the database.
    const db = app.runtime.services.db;
    await db.transaction(async (trx) => {
      await trx('lexicon_terms').insert({ id: '019a0000-0000-7000-8000-000000000001', term: 'mot nouveau', normalized: 'mot nouveau', locale: 'fr', action: 'block', source: 'manual' });
      await trx('lexicon_version').where({ id: 1 }).increment('version', 1);
    });
    const res = await admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'text', text: 'un mot nouveau ici' });
    expect(res.status).to.equal(422);
    expect(res.body.error.details.terms).to.deep.equal(['mot nouveau']);
  });

  it('authorizes every route: agents see nothing of the lexicon, supervisors read and review, anonymous gets 401; refusals are audited', async () => {
    const agent = await app.userWithRoles(['agent']);
    const supervisor = await app.userWithRoles(['supervisor']);
    for (const [method, path, body] of [
      ['GET', '/api/v1/lexicon/terms', undefined], ['POST', '/api/v1/lexicon/terms', { term: 'x', action: 'flag', locale: 'en' }],
      ['POST', '/api/v1/lexicon/test', { text: 'x' }], ['GET', '/api/v1/lexicon/hits', undefined],
    ] as const) {
      expect((await agent.client.request(method, path, body)).status, `${method} ${path}`).to.equal(403);
    }
    expect((await supervisor.client.get('/api/v1/lexicon/terms')).status).to.equal(200);
    expect((await supervisor.client.post('/api/v1/lexicon/test', { text: 'gratuit' })).body.verdict).to.equal('block');
    expect((await supervisor.client.post('/api/v1/lexicon/terms', { term: 'x', action: 'flag', locale: 'en' })).status).to.equal(403);
    expect((await app.client().get('/api/v1/lexicon/terms')).status).to.equal(401);
    const denied = await app.runtime.services.db('audit_events').where({ action: 'access.denied', actor_id: agent.id });
    expect(denied.length).to.be.greaterThanOrEqual(4);
  });
});
