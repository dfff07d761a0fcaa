import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { newId } from '../../server/lib/ids';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { addChannel } from '../support/whatsapp';

const DAY = 86_400_000;

describe('segments: filters, live count, saved segments, preview and export', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let supervisor: ApiClient;
  let agent: ApiClient;
  const label = { vip: newId(), churn: newId(), trial: newId() };
  const ids: Record<string, string> = {};
  let channelA: string;
  let channelB: string;

  /** A contact written straight to the table (the contacts module's API is another's). */
  async function contact(key: string, row: Record<string, unknown>) {
    ids[key] = newId();
    await app.runtime.services.db('contacts').insert({ id: ids[key], wa_id: `3361200${String(Object.keys(ids).length).padStart(4, '0')}`, profile_name: key, ...row });
  }

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
    supervisor = (await app.userWithRoles(['supervisor'])).client;
    agent = (await app.userWithRoles(['agent'])).client;
    const db = app.runtime.services.db;
    await db('labels').insert([{ id: label.vip, name: 'VIP' }, { id: label.churn, name: 'Churn risk' }, { id: label.trial, name: 'Trial' }]);
    await db('contact_attributes').insert([
      { key: 'plan', name: 'Plan', type: 'choice', options: ['basic', 'pro'] },
      { key: 'spend', name: 'Spend', type: 'number' },
      { key: 'renewal', name: 'Renewal', type: 'date' },
      { key: 'city', name: 'City', type: 'text' },
    ]);
    const now = Date.now();
    await contact('ann', { label_ids: [label.vip, label.trial], country: 'FR', opt_state: 'in', attributes: { plan: 'pro', spend: 120, renewal: '2027-01-10', city: 'Lyon' }, last_inbound_at: new Date(now - 2 * DAY) });
    await contact('bob', { label_ids: [label.vip], country: 'BE', opt_state: 'out', attributes: { plan: 'basic', spend: 30 }, last_inbound_at: new Date(now - 40 * DAY) });
    await contact('cat', { label_ids: [label.churn], country: 'FR', opt_state: 'unknown', attributes: { city: 'Paris 100%' } });
    await contact('dan', { label_ids: [], country: 'CA', opt_state: 'in', attributes: { spend: 'not a number' }, last_inbound_at: new Date(now - 10 * DAY) });
    await contact('eve', { label_ids: [label.trial, label.churn], country: null, opt_state: 'in', attributes: { renewal: '2026-06-01' } });
    channelA = (await addChannel(admin)).id;
    channelB = (await addChannel(admin)).id;
    await db('conversations').insert([
      { id: newId(), contact_id: ids.ann, channel_id: channelA }, { id: newId(), contact_id: ids.cat, channel_id: channelB }, { id: newId(), contact_id: ids.dan, channel_id: channelA },
    ]);
  });
  after(async () => app.stop());

  /** The names of the contacts a filter holds, checked against its live count. */
  async function members(filter: unknown): Promise<string[]> {
    const count = await supervisor.post('/api/v1/segments/count', { filter });
    expect(count.status, JSON.stringify(count.body)).to.equal(200);
    const saved = await admin.post('/api/v1/segments', { name: `probe ${newId()}`, filter });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(201);
    const page = await supervisor.get(`/api/v1/segments/${saved.body.segment.id}/contacts?limit=200`);
    expect(page.body.total).to.equal(count.body.count);
    await admin.delete(`/api/v1/segments/${saved.body.segment.id}`);
    return page.body.items.map((c: { name: string }) => c.name).sort();
  }

  it('filters by labels: all, any, none', async () => {
    expect(await members({ labels: { all: [label.vip, label.trial] } })).to.deep.equal(['ann']);
    expect(await members({ labels: { any: [label.churn, label.trial] } })).to.deep.equal(['ann', 'cat', 'eve']);
    expect(await members({ labels: { none: [label.vip] } })).to.deep.equal(['cat', 'dan', 'eve']);
  });

  it('filters by country, opt-in state and number (a conversation on it)', async () => {
    expect(await members({ countries: ['FR', 'BE'] })).to.deep.equal(['ann', 'bob', 'cat']);
    expect(await members({ optStates: ['in'] })).to.deep.equal(['ann', 'dan', 'eve']);
    expect(await members({ channelIds: [channelA] })).to.deep.equal(['ann', 'dan']);
    expect(await members({ channelIds: [channelB] })).to.deep.equal(['cat']);
  });

  it('filters by last inbound date: before, after, within N days', async () => {
    expect(await members({ lastInbound: { withinDays: 7 } })).to.deep.equal(['ann']);
    expect(await members({ lastInbound: { before: new Date(Date.now() - 5 * DAY).toISOString() } })).to.deep.equal(['bob', 'dan']);
    expect(await members({ lastInbound: { after: new Date(Date.now() - 20 * DAY).toISOString() } })).to.deep.equal(['ann', 'dan']);
  });

  it('filters by attribute by type: equals, contains (literal %), greater/less (numbers only), before/after, set/not set', async () => {
    expect(await members({ attributes: [{ key: 'plan', op: 'equals', value: 'pro' }] })).to.deep.equal(['ann']);
    expect(await members({ attributes: [{ key: 'city', op: 'contains', value: '100%' }] })).to.deep.equal(['cat']);
    expect(await members({ attributes: [{ key: 'city', op: 'contains', value: 'y' }] })).to.deep.equal(['ann']);
    // dan's "not a number" is neither greater nor less, and breaks no query.
    expect(await members({ attributes: [{ key: 'spend', op: 'greater', value: 50 }] })).to.deep.equal(['ann']);
    expect(await members({ attributes: [{ key: 'spend', op: 'less', value: 50 }] })).to.deep.equal(['bob']);
    expect(await members({ attributes: [{ key: 'renewal', op: 'before', value: '2026-12-31' }] })).to.deep.equal(['eve']);
    expect(await members({ attributes: [{ key: 'renewal', op: 'after', value: '2026-12-31' }] })).to.deep.equal(['ann']);
    expect(await members({ attributes: [{ key: 'renewal', op: 'is_set' }] })).to.deep.equal(['ann', 'eve']);
    expect(await members({ attributes: [{ key: 'plan', op: 'not_set' }] })).to.deep.equal(['cat', 'dan', 'eve']);
  });

  it('combines every part with AND; an empty filter is every contact', async () => {
    expect(await members({})).to.deep.equal(['ann', 'bob', 'cat', 'dan', 'eve']);
    expect(await members({ labels: { any: [label.vip, label.churn], none: [label.trial] }, countries: ['FR', 'BE'], optStates: ['out', 'unknown'] })).to.deep.equal(['bob', 'cat']);
    expect(await members({ optStates: ['in'], channelIds: [channelA], attributes: [{ key: 'plan', op: 'equals', value: 'pro' }], lastInbound: { withinDays: 30 } })).to.deep.equal(['ann']);
  });

  it('refuses a condition on an unknown attribute, or one that does not fit its type, naming the field', async () => {
    const unknown = await supervisor.post('/api/v1/segments/count', { filter: { attributes: [{ key: 'nope', op: 'equals', value: 'x' }] } });
    expect(unknown.status).to.equal(400);
    expect(unknown.body.error.id).to.equal('validation_failed');
    expect(unknown.body.error.details.fields[0].path).to.equal('body.filter.attributes.0.key');
    const wrongOp = await supervisor.post('/api/v1/segments/count', { filter: { attributes: [{ key: 'plan', op: 'greater', value: 3 }] } });
    expect(wrongOp.body.error.details.fields[0].path).to.equal('body.filter.attributes.0.op');
    const wrongValue = await supervisor.post('/api/v1/segments/count', { filter: { attributes: [{ key: 'plan', op: 'equals', value: 'gold' }] } });
    expect(wrongValue.body.error.details.fields[0].path).to.equal('body.filter.attributes.0.value');
    const badCountry = await supervisor.post('/api/v1/segments/count', { filter: { countries: ['France'] } });
    expect(badCountry.status).to.equal(400);
  });

  it('saves, lists, renames, changes and deletes segments, each audited; names are unique', async () => {
    const created = await supervisor.post('/api/v1/segments', { name: 'VIP in France', filter: { labels: { all: [label.vip] }, countries: ['FR'] } });
    expect(created.status).to.equal(201);
    const id = created.body.segment.id;
    expect((await supervisor.post('/api/v1/segments', { name: 'vip IN france', filter: {} })).status).to.equal(409);
    expect((await supervisor.get('/api/v1/segments')).body.items.map((s: { name: string }) => s.name)).to.include('VIP in France');
    const renamed = await supervisor.patch(`/api/v1/segments/${id}`, { name: 'VIP (FR, BE)', filter: { labels: { all: [label.vip] }, countries: ['FR', 'BE'] } });
    expect(renamed.status).to.equal(200);
    expect((await supervisor.get(`/api/v1/segments/${id}/contacts`)).body.total).to.equal(2);
    expect((await supervisor.delete(`/api/v1/segments/${id}`)).status).to.equal(204);
    expect((await supervisor.get(`/api/v1/segments/${id}`)).status).to.equal(404);
    const actions = (await app.runtime.services.db('audit_events').where({ subject_id: id }).orderBy('seq')).map((e: { action: string }) => e.action);
    expect(actions).to.deep.equal(['segment.created', 'segment.updated', 'segment.deleted']);
  });

  it('keeps segments from roles without the permission, and audits the refusal', async () => {
    expect((await agent.post('/api/v1/segments/count', { filter: {} })).status).to.equal(403);
    expect((await agent.post('/api/v1/segments', { name: 'x', filter: {} })).status).to.equal(403);
    expect((await app.client().get('/api/v1/segments')).status).to.equal(401);
    const denied = await app.runtime.services.db('audit_events').where({ action: 'access.denied' }).whereRaw("details->>'permission' LIKE 'Segment:%'");
    expect(denied.length).to.be.greaterThan(0);
  });

  it('exports a saved segment and an unsaved filter as CSV; the phone only for roles that may read it; audited with counts only', async () => {
    const saved = await admin.post('/api/v1/segments', { name: 'Opted in', filter: { optStates: ['in'] } });
    const res = await fetch(`${app.url}/api/v1/segments/${saved.body.segment.id}/export.csv`, { headers: { cookie: admin.cookieHeader()! } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-disposition')).to.match(/^attachment/);
    const rows = parse(await res.text(), { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.name).sort()).to.deep.equal(['ann', 'dan', 'eve']);
    const ann = rows.find((r) => r.name === 'ann')!;
    expect(ann.phone).to.match(/^\+3361200\d{4}$/);
    expect(ann.labels.split(';').sort()).to.deep.equal(['Trial', 'VIP']);
    expect(ann['attribute:plan']).to.equal('pro');
    // A role that may export segments but whose rule on contacts leaves out the phone (waId).
    const readable = ['id', 'profileName', 'country', 'region', 'language', 'labelIds', 'attributes', 'optState', 'optSource', 'optChangedAt', 'lastInboundAt', 'createdAt', 'updatedAt'];
    const role = await admin.post('/api/v1/roles', {
      key: 'segment-exporter', name: 'Segment exporter',
      rules: [{ action: 'read', subject: 'Segment' }, { action: 'export', subject: 'Contact' }, { action: 'read', subject: 'Contact', fields: readable }, { action: 'read', subject: ['Label', 'ContactAttribute'] }],
    });
    expect(role.status, JSON.stringify(role.body)).to.equal(201);
    const exporter = (await app.userWithRoles(['segment-exporter'])).client;
    const filter = encodeURIComponent(JSON.stringify({ countries: ['FR'] }));
    const unsaved = await fetch(`${app.url}/api/v1/segments/export.csv?filter=${filter}`, { headers: { cookie: exporter.cookieHeader()! } });
    expect(unsaved.status).to.equal(200);
    const frRows = parse(await unsaved.text(), { columns: true }) as Array<Record<string, string>>;
    expect(frRows.map((r) => r.name).sort()).to.deep.equal(['ann', 'cat']);
    expect(Object.keys(frRows[0]!)).not.to.include('phone');
    const events = await app.runtime.services.db('audit_events').where({ action: 'segment.exported' }).orderBy('seq');
    expect(events.map((e: { details: Record<string, unknown> }) => e.details)).to.deep.equal([{ rows: 3, withPhone: true }, { rows: 2, withPhone: false }]);
    expect(JSON.stringify(events)).not.to.contain('ann');
    const agentTry = await fetch(`${app.url}/api/v1/segments/export.csv?filter=${filter}`, { headers: { cookie: agent.cookieHeader()! } });
    expect(agentTry.status).to.equal(403);
    const bad = await fetch(`${app.url}/api/v1/segments/export.csv?filter=notjson`, { headers: { cookie: admin.cookieHeader()! } });
    expect(bad.status).to.equal(400);
  });
});
