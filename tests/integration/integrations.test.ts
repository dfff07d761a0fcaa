import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { startLookupServer, type LookupServer } from '../support/lookupServer';
import { runLookup } from '../../server/modules/integrations';

const SECRET = 'sk_live_9f8e7d6c5b4a';
const ORDER_BODY = '{"customer": "{{wa_id}}", "question": "{{text}}", "name": "{{contact_name}}"}';
const ANSWER = 'Your order {{order.id}} is {{order.status}}.';

describe('integrations: bot lookups over HTTP, their storage, permissions and audit', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let api: LookupServer;

  before(async () => {
    app = await startTestApp({ INTEGRATIONS_ALLOW_LOOPBACK: 'true' });
    admin = await app.adminClient();
    api = await startLookupServer();
  });
  after(async () => {
    await app?.stop();
    await api?.close();
  });

  let counter = 0;
  async function create(over: Record<string, unknown> = {}) {
    counter += 1;
    const res = await admin.post('/api/v1/integrations', {
      name: `Orders ${counter}`, url: `${api.url}/orders`, method: 'POST', bodyTemplate: ORDER_BODY, responseTemplate: ANSWER,
      headers: [{ name: 'X-Api-Key', secret: true, value: SECRET }, { name: 'X-Shop', value: 'paris' }], ...over,
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.integration;
  }

  const vars = { waId: '33612345678', text: 'Where is "my" order? {"x": 1} \\ ../', contactName: 'Zoé' };
  const lastReceived = () => api.received[api.received.length - 1]!;
  const callsCounted = async (outcome: string) => {
    const metric = await app.runtime.services.metrics.integrationCalls.get();
    return metric.values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
  };

  it('answers with the template filled from the JSON response, sending the number and text as JSON values and the secret header', async () => {
    const integration = await create();
    const before = await callsCounted('ok');
    const result = await runLookup(app.runtime.services, integration.id, vars);
    expect(result).to.deep.equal({ ok: true, text: 'Your order A-1001 is shipped.' });
    const got = lastReceived();
    // The customer's quotes, braces and backslash stay data: the body is the template's JSON with the values in it.
    expect(JSON.parse(got.body)).to.deep.equal({ customer: '33612345678', question: vars.text, name: 'Zoé' });
    expect(got.headers['content-type']).to.equal('application/json');
    expect(got.headers['x-api-key']).to.equal(SECRET);
    expect(got.headers['x-shop']).to.equal('paris');
    expect(await callsCounted('ok')).to.equal(before + 1);
  });

  it('fills URL placeholders URL-encoded (GET), and refuses a value that would climb the path', async () => {
    const integration = await create({ url: `${api.url}/orders/{{wa_id}}?q={{text}}`, method: 'GET', bodyTemplate: null });
    expect(await runLookup(app.runtime.services, integration.id, { waId: '33699999999', text: 'a&b=c/d', contactName: null }))
      .to.deep.equal({ ok: true, text: 'Your order B-2002 is being prepared.' });
    expect(lastReceived().url).to.equal('/orders/33699999999?q=a%26b%3Dc%2Fd');
    expect(lastReceived().body).to.equal('');
    const seen = api.received.length;
    expect(await runLookup(app.runtime.services, integration.id, { waId: '..', text: 'x', contactName: null })).to.deep.equal({ ok: false, reason: 'http_error' });
    expect(api.received.length).to.equal(seen);
  });

  it('gives up after 2 s on a service that does not answer, or does not finish its answer: a timeout', async () => {
    const hang = await create({ url: `${api.url}/hang` });
    expect(hang.timeoutMs).to.equal(2000);
    const before = await callsCounted('timeout');
    expect(await runLookup(app.runtime.services, hang.id, vars)).to.deep.equal({ ok: false, reason: 'timeout' });
    const dribble = await create({ url: `${api.url}/dribble` });
    expect(await runLookup(app.runtime.services, dribble.id, vars)).to.deep.equal({ ok: false, reason: 'timeout' });
    expect(await callsCounted('timeout')).to.equal(before + 2);
  });

  it('reports a 500 as http_error, and follows no redirect', async () => {
    const fail = await create({ url: `${api.url}/fail` });
    expect(await runLookup(app.runtime.services, fail.id, vars)).to.deep.equal({ ok: false, reason: 'http_error' });
    const redirect = await create({ url: `${api.url}/redirect` });
    const seen = api.received.length;
    expect(await runLookup(app.runtime.services, redirect.id, vars)).to.deep.equal({ ok: false, reason: 'http_error' });
    expect(api.received.length).to.equal(seen + 1);
  });

  it('reports bad_response for an answer that is not JSON, too large, or lacks a field the template reads', async () => {
    for (const [path, answer] of [['/html', ANSWER], ['/big', ANSWER], ['/orders', 'Order {{order.id}}: {{order.eta}}']]) {
      const integration = await create({ url: `${api.url}${path}`, responseTemplate: answer });
      expect(await runLookup(app.runtime.services, integration.id, vars), path).to.deep.equal({ ok: false, reason: 'bad_response' });
    }
  });

  it('answers unknown_integration and disabled without calling anything', async () => {
    const seen = api.received.length;
    expect(await runLookup(app.runtime.services, '01a21a40-c631-7413-b469-f782e4420143', vars)).to.deep.equal({ ok: false, reason: 'unknown_integration' });
    expect(await runLookup(app.runtime.services, 'not-an-id', vars)).to.deep.equal({ ok: false, reason: 'unknown_integration' });
    const off = await create({ enabled: false });
    expect(await runLookup(app.runtime.services, off.id, vars)).to.deep.equal({ ok: false, reason: 'disabled' });
    expect(api.received.length).to.equal(seen);
  });

  it('"Test" runs it with sample values and says what a customer would get, or why not; audited without the values', async () => {
    const integration = await create({ enabled: false });
    const ok = await admin.post(`/api/v1/integrations/${integration.id}/test`, { waId: '33699999999', text: 'order?', contactName: 'Lou' });
    expect(ok.status).to.equal(200);
    expect(ok.body).to.deep.equal({ ok: true, text: 'Your order B-2002 is being prepared.', reason: null, status: 200, detail: null });
    const fail = await create({ url: `${api.url}/fail` });
    const failed = await admin.post(`/api/v1/integrations/${fail.id}/test`, {});
    expect(failed.body).to.include({ ok: false, text: null, reason: 'http_error', status: 500, detail: 'HTTP 500' });
    const audit = await app.runtime.services.db('audit_events').where({ action: 'integration.tested', subject_id: integration.id });
    expect(audit).to.have.length(1);
    expect(audit[0].details).to.deep.include({ ok: true, reason: null, status: 200 });
    expect(JSON.stringify(audit[0].details)).not.to.match(/33699999999|Lou|order\?/);
  });

  it('never returns nor audits a secret in clear, keeps it encrypted at rest, and keeps it when a change leaves it out', async () => {
    const integration = await create();
    expect(integration.headers).to.deep.equal([
      { name: 'X-Api-Key', secret: true, value: '••••', set: true },
      { name: 'X-Shop', secret: false, value: 'paris', set: true },
    ]);
    const listed = await admin.get('/api/v1/integrations');
    const one = await admin.get(`/api/v1/integrations/${integration.id}`);
    expect(JSON.stringify(listed.body) + JSON.stringify(one.body)).not.to.contain(SECRET);
    const row = await app.runtime.services.db('integrations').where({ id: integration.id }).first();
    expect(JSON.stringify(row)).not.to.contain(SECRET);

    // A change that leaves the secret's value out keeps it; the call still carries it.
    const renamed = await admin.patch(`/api/v1/integrations/${integration.id}`, {
      name: `${integration.name} (FR)`, headers: [{ name: 'x-api-key', secret: true }, { name: 'X-Shop', value: 'lyon' }],
    });
    expect(renamed.status, JSON.stringify(renamed.body)).to.equal(200);
    expect(await runLookup(app.runtime.services, integration.id, vars)).to.deep.include({ ok: true });
    expect(lastReceived().headers['x-api-key']).to.equal(SECRET);
    expect(lastReceived().headers['x-shop']).to.equal('lyon');

    // Another host needs the secret entered again: the stored key is not sent somewhere new.
    const moved = await admin.patch(`/api/v1/integrations/${integration.id}`, { url: api.url.replace('127.0.0.1', 'localhost') + '/orders' });
    expect(moved.status).to.equal(400);
    expect(moved.body.error.id).to.equal('validation_failed');
    const reentered = await admin.patch(`/api/v1/integrations/${integration.id}`, {
      url: api.url.replace('127.0.0.1', 'localhost') + '/orders', headers: [{ name: 'X-Api-Key', secret: true, value: 'sk_live_rotated_0001' }],
    });
    expect(reentered.status, JSON.stringify(reentered.body)).to.equal(200);
    expect(await runLookup(app.runtime.services, integration.id, vars)).to.deep.include({ ok: true });
    expect(lastReceived().headers['x-api-key']).to.equal('sk_live_rotated_0001');

    const events = await app.runtime.services.db('audit_events').where({ subject_type: 'Integration', subject_id: integration.id }).orderBy('seq');
    expect(events.map((e) => e.action)).to.deep.equal(['integration.created', 'integration.updated', 'access.denied', 'integration.updated']);
    expect(events[1].details).to.deep.include({ fields: ['name', 'headers'], secretHeaders: ['x-api-key'], secretsReplaced: [] });
    expect(events[3].details.fields).to.deep.equal(['url', 'headers']);
    expect(events[3].details.secretsReplaced).to.deep.equal(['X-Api-Key']);
    expect(JSON.stringify(events)).not.to.match(/sk_live|paris|lyon/);
  });

  it('deletes an integration (audited); a rule calling it then gets unknown_integration', async () => {
    const integration = await create();
    expect((await admin.delete(`/api/v1/integrations/${integration.id}`)).status).to.equal(204);
    expect((await admin.get(`/api/v1/integrations/${integration.id}`)).status).to.equal(404);
    expect(await runLookup(app.runtime.services, integration.id, vars)).to.deep.equal({ ok: false, reason: 'unknown_integration' });
    const audit = await app.runtime.services.db('audit_events').where({ action: 'integration.deleted', subject_id: integration.id }).first();
    expect(audit.details).to.deep.equal({ name: integration.name });
  });

  it('refuses bad input with a 400 naming the field, and a name taken in any case with a 409', async () => {
    const base = { name: 'Valid', url: `${api.url}/orders`, bodyTemplate: ORDER_BODY, responseTemplate: ANSWER };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ url: 'ftp://example.com/x' }, 'body.url'],
      [{ url: 'https://{{text}}.example.com/x' }, 'body.url'],
      [{ url: `${api.url}/orders/{{order_id}}` }, 'body.url'],
      [{ url: 'http://orders.example.com/x' }, 'body.url'],
      [{ url: 'https://10.0.0.5/orders' }, 'body.url'],
      [{ bodyTemplate: '{"customer": {{wa_id}}}' }, 'body.bodyTemplate'],
      [{ bodyTemplate: null }, 'body.bodyTemplate'],
      [{ method: 'GET' }, 'body.bodyTemplate'],
      [{ responseTemplate: 'Status {{order status}}' }, 'body.responseTemplate'],
      [{ headers: [{ name: 'Host', value: 'evil.example' }] }, 'body.headers.0.name'],
      [{ headers: [{ name: 'X-Key', secret: true }] }, 'body.headers.0.value'],
      [{ headers: [{ name: 'X-Key', value: 'a\r\nX-Other: b' }] }, 'body.headers.0.value'],
      [{ headers: [{ name: 'X-Key', secret: true, value: 'clé' }] }, 'body.headers.0.value'],
      [{ headers: [{ name: 'X-A', value: '1' }, { name: 'x-a', value: '2' }] }, 'body.headers.1.name'],
      [{ timeoutMs: 5000 }, 'body.timeoutMs'],
    ];
    for (const [over, path] of cases) {
      const res = await admin.post('/api/v1/integrations', { ...base, ...over });
      expect(res.status, JSON.stringify(over)).to.equal(400);
      expect(res.body.error.id).to.equal('validation_failed');
      expect(res.body.error.details.fields.map((f: { path: string }) => f.path), JSON.stringify(over)).to.include(path);
    }
    expect((await admin.post('/api/v1/integrations', base)).status).to.equal(201);
    const taken = await admin.post('/api/v1/integrations', { ...base, name: 'VALID' });
    expect(taken.status).to.equal(409);
    expect(taken.body.error.details.fields[0].path).to.equal('body.name');
  });

  it('is for admins by default: others get 403 (audited as denied); a custom role may only read and test', async () => {
    const integration = await create();
    for (const role of ['supervisor', 'agent', 'compliance-officer', 'auditor']) {
      const { client } = await app.userWithRoles([role]);
      const res = await client.get('/api/v1/integrations');
      expect(res.status, role).to.equal(403);
      expect(res.body.error.id).to.equal('forbidden');
    }
    const made = await admin.post('/api/v1/roles', { key: 'integration-tester', name: 'Integration tester', rules: [{ action: ['read', 'test'], subject: 'Integration' }] });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    const tester = await app.userWithRoles(['integration-tester']);
    expect((await tester.client.get('/api/v1/integrations')).status).to.equal(200);
    expect((await tester.client.post(`/api/v1/integrations/${integration.id}/test`, {})).body.ok).to.equal(true);
    const edit = await tester.client.patch(`/api/v1/integrations/${integration.id}`, { enabled: false });
    expect(edit.status).to.equal(403);
    expect((await tester.client.delete(`/api/v1/integrations/${integration.id}`)).status).to.equal(403);
    const denied = await app.runtime.services.db('audit_events').where({ action: 'access.denied', actor_id: tester.id });
    expect(denied.length).to.equal(2);
  });
});
