// E-discovery search from the API a compliance officer uses: accents ignored both ways, many
// scripts, every filter, stable keyset pages, highlights as ranges (no markup), an audit that
// never holds the query, and a legal hold's query meaning exactly what a search means.
import { expect } from 'chai';
import { newId } from '../../server/lib/ids';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { insertMessage, makeThread, type Thread } from '../support/retention';
import { addChannel } from '../support/whatsapp';

const DAY_MS = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY_MS);

describe('e-discovery search: accents, languages, filters, paging, highlights, audit', () => {
  let app: TestApp;
  let officer: ApiClient;
  let officerId: string;
  let agentId: string;
  let x: Thread;
  let y: Thread;
  let z: Thread;
  let labelId: string;
  const ids: Record<string, string> = {};
  const db = () => app.runtime.services.db;
  const search = (filters: Record<string, unknown>, more: Record<string, unknown> = {}) => officer.post('/api/v1/discovery/search', { filters, ...more });
  const found = async (filters: Record<string, unknown>): Promise<string[]> => {
    const res = await search(filters, { limit: 100 });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.items.map((i: { id: string }) => i.id);
  };

  before(async () => {
    app = await startTestApp();
    const admin = await app.adminClient();
    const o = await app.userWithRoles(['compliance-officer']);
    officer = o.client;
    officerId = o.id;
    agentId = (await app.userWithRoles(['agent'])).id;
    const a = await addChannel(admin);
    const b = await addChannel(admin);
    x = await makeThread(db(), a.id, '33612350001');
    y = await makeThread(db(), a.id, '33612350002', { assigneeId: agentId });
    z = await makeThread(db(), b.id, '33612350003');
    labelId = newId();
    await db()('labels').insert({ id: labelId, name: 'VIP' });
    await db()('contacts').where({ id: z.contactId }).update({ label_ids: [labelId] });
    ids.fr = await insertMessage(db(), x, ago(40), { text: "L'été dernier, le Café de Besançon était fermé" });
    ids.plain = await insertMessage(db(), x, ago(39), { text: 'cafe au lait please' });
    ids.de = await insertMessage(db(), y, ago(38), { text: 'Grüße aus der Königstraße, Herr Müller' });
    ids.es = await insertMessage(db(), y, ago(37), { text: 'El niño pidió una señal', authorId: agentId });
    ids.ru = await insertMessage(db(), z, ago(36), { text: 'Привет! Зелёная ёлка стоит у окна' });
    ids.ar = await insertMessage(db(), z, ago(35), { text: 'مرحبا بكم في المتجر الجديد' });
    ids.ja = await insertMessage(db(), z, ago(34), { text: '東京タワー、大阪城 です' });
    ids.zh = await insertMessage(db(), z, ago(33), { text: '我们 明天 开会' });
    ids.img = await insertMessage(db(), z, ago(10), { text: 'photo of the café receipt' });
    await db()('messages').where({ id: ids.img }).update({ type: 'image' });
  });
  after(async () => app.stop());

  it('ignores accents both ways, and case', async () => {
    expect(await found({ query: 'cafe' })).to.have.members([ids.fr, ids.plain, ids.img]);
    expect(await found({ query: 'CAFÉ' })).to.have.members([ids.fr, ids.plain, ids.img]);
    expect(await found({ query: 'ete besancon' })).to.deep.equal([ids.fr]);
    expect(await found({ query: 'éTÉ' })).to.deep.equal([ids.fr]);
  });

  it('finds French, German, Spanish, Russian, Arabic, and CJK text by a whole run between spaces or punctuation', async () => {
    expect(await found({ query: 'fermé' })).to.deep.equal([ids.fr]);
    expect(await found({ query: 'gruße muller' })).to.deep.equal([ids.de]);
    expect(await found({ query: 'Königstrasse' })).to.deep.equal([ids.de]);
    expect(await found({ query: 'nino senal' })).to.deep.equal([ids.es]);
    expect(await found({ query: 'елка' })).to.deep.equal([ids.ru]);
    expect(await found({ query: 'привет зеленая' })).to.deep.equal([ids.ru]);
    expect(await found({ query: 'المتجر' })).to.deep.equal([ids.ar]);
    // Scripts written without spaces: a run between spaces or punctuation is one word (README: E-discovery).
    expect(await found({ query: '東京タワー' })).to.deep.equal([ids.ja]);
    expect(await found({ query: '大阪城' })).to.deep.equal([ids.ja]);
    expect(await found({ query: '明天' })).to.deep.equal([ids.zh]);
    expect(await found({ query: '東京' }), 'part of a run is not a word').to.deep.equal([]);
  });

  it('reads the search syntax: phrases, OR, exclusion', async () => {
    expect(await found({ query: '"au lait"' })).to.deep.equal([ids.plain]);
    expect(await found({ query: '"lait au"' })).to.deep.equal([]);
    expect(await found({ query: 'nino OR елка' })).to.have.members([ids.es, ids.ru]);
    expect(await found({ query: 'cafe -receipt -lait' })).to.deep.equal([ids.fr]);
  });

  it('narrows by every filter', async () => {
    const all = [ids.fr, ids.plain, ids.img];
    expect(await found({ query: 'cafe', channelIds: [z.channelId] })).to.deep.equal([ids.img]);
    expect(await found({ query: 'cafe', contactIds: [x.contactId] })).to.have.members([ids.fr, ids.plain]);
    expect(await found({ query: 'cafe', contactPhones: ['+33612350001'] })).to.have.members([ids.fr, ids.plain]);
    expect(await found({ query: 'cafe', labelIds: [labelId] })).to.deep.equal([ids.img]);
    expect(await found({ query: 'cafe', types: ['image'] })).to.deep.equal([ids.img]);
    expect(await found({ query: 'cafe', types: ['text'] })).to.have.members([ids.fr, ids.plain]);
    expect(await found({ query: 'cafe', from: ago(20).toISOString() })).to.deep.equal([ids.img]);
    expect(await found({ query: 'cafe', to: ago(39.5).toISOString() })).to.deep.equal([ids.fr]);
    expect(await found({ query: 'cafe', from: ago(50).toISOString(), to: ago(5).toISOString() })).to.have.members(all);
    // An agent: what they wrote, and the conversations assigned to them (as a hold's agents).
    expect(await found({ agentIds: [agentId] })).to.have.members([ids.de, ids.es]);
    expect(await found({ agentIds: [agentId], direction: 'out' })).to.deep.equal([ids.es]);
    expect(await found({ agentIds: [agentId], direction: 'in' })).to.deep.equal([ids.de]);
    expect(await found({ query: 'cafe', agentIds: [agentId] })).to.deep.equal([]);
  });

  it('pages newest first by (time, id) without skipping or repeating, even when messages arrive meanwhile', async () => {
    const t = await makeThread(db(), x.channelId, '33612350009');
    const same = ago(3);
    const paged: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      paged.push(await insertMessage(db(), t, ago(4 + i), { text: `zebra number ${i}` }));
    }
    // Two at the very same microsecond: the id breaks the tie.
    paged.push(await insertMessage(db(), t, same, { text: 'zebra twin one' }), await insertMessage(db(), t, same, { text: 'zebra twin two' }));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await search({ query: 'zebra' }, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(res.status).to.equal(200);
      // The count is of now: the latecomer counts from the second page on.
      expect(res.body.total).to.equal(pages === 0 ? 7 : 8);
      expect(res.body.totalCapped).to.equal(false);
      seen.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor ?? undefined;
      pages += 1;
      if (pages === 1) {
        // Newer than everything paged: it must not shift the pages that follow.
        await insertMessage(db(), t, new Date(), { text: 'zebra latecomer' });
      }
    } while (cursor);
    expect(pages).to.equal(3);
    expect(seen).to.have.lengthOf(7);
    expect(new Set(seen).size).to.equal(7);
    expect(seen).to.have.members(paged);
    const times = (await db()('messages').whereIn('id', seen).select('id', 'created_at')) as Array<{ id: string; created_at: Date }>;
    const at = new Map(times.map((r) => [r.id, r.created_at.getTime()]));
    for (let i = 1; i < seen.length; i += 1) {
      expect(at.get(seen[i - 1]!)! >= at.get(seen[i]!)!).to.equal(true);
    }
  });

  it('marks the matched words as ranges over plain text, so message text cannot inject markup or forge a mark', async () => {
    const t = await makeThread(db(), x.channelId, '33612350010');
    await insertMessage(db(), t, ago(2), { text: 'Hello <script>alert(1)</script> about the Élan \u0001fake\u0002 invoice, élan again' });
    const res = await search({ query: 'elan' });
    expect(res.status).to.equal(200);
    const [hit] = res.body.items;
    expect(hit.text).to.contain('<script>');
    const marked = hit.highlights.flatMap((f: { text: string; marks: Array<{ start: number; end: number }> }) => f.marks.map((m) => f.text.slice(m.start, m.end)));
    expect(marked).to.deep.equal(['Élan', 'élan']);
    const fragment = hit.highlights.map((f: { text: string }) => f.text).join(' ');
    expect(fragment).to.contain('<script>alert(1)</script>');
    expect(fragment).to.contain('\u0001fake\u0002');
    // Without a query there is nothing to mark.
    const unmarked = await search({ contactPhones: ['33612350010'] });
    expect(unmarked.body.items[0].highlights).to.deep.equal([]);
  });

  it('audits each search without its text (a keyed hash and the filter ids), and refuses others', async () => {
    await search({ query: 'Besançon secret', channelIds: [x.channelId], contactPhones: ['+33612350001'] });
    const event = await db()('audit_events').where({ action: 'discovery.searched', actor_id: officerId }).orderBy('seq', 'desc').first();
    const text = JSON.stringify(event.details);
    expect(text).not.to.match(/Besan|secret|33612350001/i);
    expect(event.details.filters).to.deep.include({ queryLength: 'Besançon secret'.length, channelIds: [x.channelId], contactPhones: 1 });
    expect(event.details.filters.queryHash).to.match(/^[0-9a-f]{64}$/);
    await search({ query: 'Besançon secret' });
    const again = await db()('audit_events').where({ action: 'discovery.searched', actor_id: officerId }).orderBy('seq', 'desc').first();
    expect(again.details.filters.queryHash, 'the same query hashes the same').to.equal(event.details.filters.queryHash);

    const agent = await app.userWithRoles(['agent']);
    const refused = await agent.client.post('/api/v1/discovery/search', { filters: { query: 'cafe' } });
    expect(refused.status).to.equal(403);
    const denied = await db()('audit_events').where({ action: 'access.denied', actor_id: agent.id }).orderBy('seq', 'desc').first();
    expect(denied.details).to.deep.include({ permission: 'Discovery:read' });
    const auditor = await app.userWithRoles(['auditor']);
    expect((await auditor.client.post('/api/v1/discovery/search', { filters: { query: 'cafe' } })).status).to.equal(403);
    expect((await app.client().post('/api/v1/discovery/search', { filters: { query: 'cafe' } })).status).to.equal(401);
  });

  it('answers bad input with 400 validation_failed', async () => {
    const reversed = await search({ query: 'cafe', from: ago(1).toISOString(), to: ago(2).toISOString() });
    expect(reversed.status).to.equal(400);
    expect(reversed.body.error.id).to.equal('validation_failed');
    const cursor = await search({ query: 'cafe' }, { cursor: 'not-a-cursor' });
    expect(cursor.status).to.equal(400);
    expect(cursor.body.error.id).to.equal('validation_failed');
    expect((await search({ query: 'cafe', direction: 'sideways' })).status).to.equal(400);
    expect((await search({ query: 'cafe' }, { limit: 1000 })).status).to.equal(400);
  });

  it("gives a legal hold's query the meaning of the search: the same messages, accents ignored", async () => {
    const filters = { query: 'CAFÉ', channelIds: [x.channelId] };
    const searched = await search(filters);
    const hold = await officer.post('/api/v1/legal-holds', { caseRef: 'D-1', reason: 'From a search', scope: filters });
    expect(hold.status).to.equal(201);
    expect(hold.body.hold.coveredMessages).to.equal(searched.body.total).and.to.equal(2);
    await officer.post(`/api/v1/legal-holds/${hold.body.hold.id}/release`, { reason: 'done' });
  });
});
