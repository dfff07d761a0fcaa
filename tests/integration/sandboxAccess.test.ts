// The sandbox inside the app is no door: its simulator and control API need a signed-in user holding
// Sandbox:use (with CSRF on writes), its Graph API needs an access token, and no file it serves runs.
import { expect } from 'chai';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { SandboxRoute } from '../../server/sandbox';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';

const CUSTOMER = '33712000001';
const HTML = Buffer.from('<!doctype html><script>fetch("/api/v1/users",{method:"POST"})</script>');

describe('sandbox access: signed-in users holding Sandbox:use, tokens for the Graph API, files never active', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let agent: ApiClient;
  let trainer: ApiClient;
  let trainerId: string;
  let routes: SandboxRoute[];
  let phoneNumberId: string;
  let accessToken: string;
  const logLines: string[] = [];

  /** The route's path with real ids in it, so a refusal is not a mere 404. */
  let concrete: (route: SandboxRoute) => string;

  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    // DATABASE_URL is set, as on a real deployment: the sandbox runs only because it is asked for.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' }, { log: pino({ level: 'warn' }, sink) });
    admin = await app.adminClient();
    agent = (await app.userWithRoles(['agent'])).client;
    const role = await admin.post('/api/v1/roles', { key: 'trainer', name: 'Trainer', rules: [{ action: 'use', subject: 'Sandbox' }] });
    expect(role.status).to.equal(201);
    const trainerUser = await app.userWithRoles(['trainer']);
    trainer = trainerUser.client;
    trainerId = trainerUser.id;
    routes = app.runtime.sandbox!.routes;
    const row = await app.runtime.services.db('channels').where({ is_sandbox: true }).first();
    const creds = await app.runtime.services.channels.get(row.id);
    phoneNumberId = creds!.phoneNumberId;
    accessToken = creds!.accessToken;
    const sent = await trainer.post('/sandbox/control/customer-messages', {
      phoneNumberId, from: CUSTOMER, profileName: 'Ines', message: { type: 'image', bytesBase64: Buffer.from('89504e470d0a1a0a', 'hex').toString('base64'), mimeType: 'image/png' },
    });
    expect(sent.status).to.equal(200);
    const image = app.runtime.sandbox!.sandbox.conversation(phoneNumberId, CUSTOMER)[0]!.body as { id: string };
    const meta = await fetch(`${app.url}/sandbox/graph/v23.0/${image.id}`, { headers: { authorization: `Bearer ${accessToken}` } });
    const downloadUrl = new URL(((await meta.json()) as { url: string }).url);
    concrete = (route) =>
      route.path.includes('media-download')
        ? `${downloadUrl.pathname}${downloadUrl.search}`
        : route.path
            .replace(':version', 'v23.0')
            .replace(':id', route.path.includes('/control/media/') ? image.id : phoneNumberId);
  });
  after(async () => app?.stop());

  it('says once, at warning level, that the sandbox is not for production', () => {
    const warnings = logLines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((l) => l.msg.includes('NOT for production'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.level).to.equal(40);
  });

  it('refuses an anonymous request to every sandbox route', async () => {
    expect(routes.filter((r) => r.access === 'operator').length).to.be.greaterThan(10);
    expect(routes.filter((r) => r.access === 'graph').length).to.be.greaterThan(10);
    for (const route of routes) {
      const res = await fetch(`${app.url}${concrete(route)}`, { method: route.method, redirect: 'manual', headers: { 'content-type': 'application/json' }, body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}' });
      const text = await res.text();
      const what = `${route.method} ${route.path}`;
      if (route.access === 'operator' && route.path === '/sandbox/simulator') {
        // The page sends a signed-out browser to the panel's sign-in, showing nothing.
        expect(res.status, what).to.equal(302);
        expect(res.headers.get('location'), what).to.equal('/#/login');
      } else if (route.access === 'operator') {
        expect(res.status, what).to.equal(401);
        expect(JSON.parse(text).error.id, what).to.equal('unauthenticated');
      } else if (route.path.includes('media-download')) {
        expect(res.status, what).to.equal(401);
        expect(text, what).to.not.contain('PNG');
      } else {
        // As Meta answers a call without a token: 401, code 190.
        expect(res.status, what).to.equal(401);
        expect(JSON.parse(text).error.code, what).to.equal(190);
      }
    }
  });

  it('sends a signed-out browser from the simulator page to the sign-in page', async () => {
    const res = await fetch(`${app.url}/sandbox/simulator`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.equal('/#/login');
  });

  it('refuses every operator route to a signed-in user without Sandbox:use, and audits it as denied', async () => {
    for (const route of routes.filter((r) => r.access === 'operator')) {
      const res = await agent.request(route.method, concrete(route), route.method === 'GET' ? undefined : {});
      expect(res.status, `${route.method} ${route.path}`).to.equal(403);
      expect(res.body.error.id).to.equal('forbidden');
    }
    const denied = await admin.get('/api/v1/audit/events?action=access.denied');
    expect(denied.body.items.some((e: any) => e.details.permission === 'Sandbox:use')).to.equal(true);
    expect((await agent.get('/api/v1/sandbox')).status).to.equal(403);
  });

  it('lets a user holding only Sandbox:use drive the simulator, with CSRF on writes, and audits each write', async () => {
    expect((await trainer.get('/sandbox/control/numbers')).body.numbers[0].phoneNumberId).to.equal(phoneNumberId);
    const session = await trainer.get('/sandbox/control/session');
    expect(session.body.writeHeaders['x-csrf-token']).to.equal(trainer.csrfToken);
    const noCsrf = await trainer.request('POST', '/sandbox/control/read', { phoneNumberId, waId: CUSTOMER }, { 'x-csrf-token': 'forged' });
    expect(noCsrf.status).to.equal(403);
    expect(noCsrf.body.error.id).to.equal('csrf_failed');
    const sent = await trainer.post('/sandbox/control/customer-messages', { phoneNumberId, from: CUSTOMER, message: { type: 'text', body: 'Bonjour' } });
    expect(sent.status).to.equal(200);
    const events = await eventually('the write audited', async () => {
      const res = await admin.get('/api/v1/audit/events?action=sandbox.control');
      return res.body.items.length >= 2 ? res.body.items : null;
    });
    expect(events.map((e: any) => e.details.path)).to.include('/sandbox/control/customer-messages');
    expect(JSON.stringify(events)).to.not.contain('Bonjour');
    expect((await trainer.get('/api/v1/sandbox')).body).to.deep.equal({ running: true, simulatorPath: '/sandbox/simulator' });
    const page = await trainer.get('/sandbox/simulator');
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.contain('text/html');
  });

  it("does not count the simulator's polling as the user's activity", async () => {
    const session = await trainer.get('/sandbox/control/session');
    expect(session.body.pollHeaders).to.deep.equal({ 'x-switchboard-background': '1' });
    const db = app.runtime.services.db;
    const past = new Date(Date.now() - 60_000);
    await db('sessions').where({ user_id: trainerId }).update({ last_seen_at: past });
    const poll = await trainer.request('GET', `/sandbox/control/conversation?phoneNumberId=${phoneNumberId}&waId=${CUSTOMER}`, undefined, session.body.pollHeaders);
    expect(poll.status).to.equal(200);
    const seen = await db('sessions').where({ user_id: trainerId }).first();
    expect(new Date(seen.last_seen_at).getTime()).to.equal(past.getTime());
  });

  it('refuses an HTML page or a script sent from the simulator, whatever it is sent as', async () => {
    for (const [type, mimeType] of [['document', 'text/html'], ['document', 'application/javascript'], ['document', 'image/svg+xml'], ['image', 'text/html'], ['document', 'application/octet-stream']]) {
      const res = await trainer.post('/sandbox/control/customer-messages', {
        phoneNumberId, from: CUSTOMER, message: { type, mimeType, bytesBase64: HTML.toString('base64'), filename: 'page.html' },
      });
      expect(res.status, `${type} ${mimeType}`).to.equal(400);
    }
  });

  it('serves any stored file as an attachment under CSP sandbox and nosniff, never as HTML', async () => {
    // Markup declared as one of Meta's types is stored, but never served as markup.
    const sent = await trainer.post('/sandbox/control/customer-messages', {
      phoneNumberId, from: CUSTOMER, message: { type: 'document', mimeType: 'text/plain', bytesBase64: HTML.toString('base64'), filename: 'page.html' },
    });
    expect(sent.status).to.equal(200);
    const doc = app.runtime.sandbox!.sandbox.conversation(phoneNumberId, CUSTOMER).find((m) => m.type === 'document')!.body as { id: string };
    const simulatorCopy = await trainer.get(`/sandbox/control/media/${doc.id}`);
    const meta = await fetch(`${app.url}/sandbox/graph/${doc.id}`, { headers: { authorization: `Bearer ${accessToken}` } });
    const download = await fetch(((await meta.json()) as { url: string }).url, { headers: { authorization: `Bearer ${accessToken}` } });
    for (const headers of [simulatorCopy.headers, download.headers]) {
      expect(headers.get('content-type')).to.match(/^text\/plain/);
      expect(headers.get('content-disposition')).to.match(/^attachment; filename="page\.html"/);
      expect(headers.get('content-security-policy')).to.equal('sandbox');
      expect(headers.get('x-content-type-options')).to.equal('nosniff');
    }
    expect(await download.text()).to.equal(HTML.toString('utf8'));
  });
});

describe('the sandbox with a real database, asked for by no one', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: '' });
  });
  after(async () => app?.stop());

  it('does not start', async () => {
    expect(app.runtime.sandbox).to.equal(null);
    const admin = await app.adminClient();
    expect((await admin.get('/api/v1/sandbox')).body).to.deep.equal({ running: false, simulatorPath: null });
    const graph = await fetch(`${app.url}/sandbox/graph/v23.0/100000000000001/messages`, { method: 'POST', headers: { authorization: 'Bearer anything' } });
    expect(graph.status).to.equal(404);
    const control = await fetch(`${app.url}/sandbox/control/customer-messages`, { method: 'POST' });
    expect(control.status).to.equal(404);
  });
});
