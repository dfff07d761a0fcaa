import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';

describe('HTTP conventions: validation, errors, headers', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ BODY_LIMIT_KB: '8' });
  });
  after(async () => app.stop());

  it('answers malformed JSON with 400 validation_failed', async () => {
    const admin = await app.adminClient();
    const res = await admin.request('POST', '/api/v1/teams', '{"name": "x",', { 'content-type': 'application/json' });
    expect(res.status).to.equal(400);
    expect(res.body.error.id).to.equal('validation_failed');
    expect(res.body.error.details.fields[0].path).to.equal('body');
  });

  it('names the field with the wrong type', async () => {
    const admin = await app.adminClient();
    const res = await admin.post('/api/v1/teams', { name: 42 });
    expect(res.status).to.equal(400);
    expect(res.body.error.details.fields.map((f: any) => f.path)).to.deep.equal(['body.name']);
  });

  it('rejects unknown fields, naming them', async () => {
    const admin = await app.adminClient();
    const res = await admin.post('/api/v1/teams', { name: 'Ok', isAdmin: true });
    expect(res.status).to.equal(400);
    expect(res.body.error.details.fields[0].path).to.equal('body.isAdmin');
    const q = await admin.get('/api/v1/users?sort=evil');
    expect(q.status).to.equal(400);
    expect(q.body.error.details.fields[0].path).to.equal('query.sort');
  });

  it('rejects oversized bodies with 413 before reading them whole', async () => {
    const admin = await app.adminClient();
    const res = await admin.post('/api/v1/teams', { name: 'x', description: 'y'.repeat(20_000) });
    expect(res.status).to.equal(413);
    expect(res.body.error.id).to.equal('payload_too_large');
  });

  it('rejects a bad path parameter with 400 naming it', async () => {
    const admin = await app.adminClient();
    const res = await admin.get('/api/v1/users/not-a-uuid');
    expect(res.status).to.equal(400);
    expect(res.body.error.details.fields[0].path).to.equal('params.id');
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await app.client().get('/api/v1/nope');
    expect(res.status).to.equal(404);
    expect(res.body.error.id).to.equal('not_found');
  });

  it('sends a strict Content-Security-Policy and a request id', async () => {
    const res = await app.client().get('/healthz');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).to.contain("default-src 'self'");
    expect(csp).to.contain("script-src 'self'");
    expect(csp).to.contain("frame-ancestors 'none'");
    expect(csp).not.to.contain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.headers.get('x-request-id')).to.match(/^[0-9a-f-]{36}$/);
  });

  it('compresses large responses', async () => {
    const res = await fetch(`${app.url}/api/v1/openapi.json`, { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).to.equal('gzip');
    const doc = (await res.json()) as any;
    expect(doc.openapi).to.equal('3.1.0');
    expect(doc.paths['/api/v1/users/{id}']).to.have.property('patch');
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    expect((await app.client().get('/healthz')).body).to.deep.equal({ status: 'ok' });
    const ready = await app.client().get('/readyz');
    expect(ready.status).to.equal(200);
    expect(ready.body.checks).to.deep.equal({ database: 'ok', migrations: 'current' });
    const metrics = await app.client().get('/metrics');
    expect(metrics.body).to.contain('switchboard_http_requests_total');
  });
});
