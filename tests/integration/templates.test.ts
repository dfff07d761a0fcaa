import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { addChannel } from '../support/whatsapp';

type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

/** A Graph API that answers every template submission with the given Meta error. */
async function refusingGraph(): Promise<{ url: string; answer: (status: number, error: Record<string, unknown>) => void; calls: () => number; close: () => Promise<void> }> {
  let reply = { status: 400, error: {} as Record<string, unknown> };
  let calls = 0;
  const server: Server = createServer((req, res) => {
    calls += 1;
    req.resume();
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { fbtrace_id: 'AbCdEf', ...reply.error } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    answer: (status, error) => {
      reply = { status, error };
    },
    calls: () => calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('message templates: submitted from the panel, reviewed by the sandbox Cloud API', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let channelId: string;
  let graph: Awaited<ReturnType<typeof refusingGraph>>;

  before(async () => {
    // A number may only use a Graph API host the operator allowed: the refusing one below is.
    graph = await refusingGraph();
    // The sandbox's review is quick here; by default it takes 3 s.
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '150', GRAPH_ALLOWED_HOSTS: graph.url });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channels = await admin.get('/api/v1/channels');
    channelId = channels.body.items[0].id;
  });
  after(async () => {
    await app.stop();
    await graph.close();
  });

  const orderUpdate = (overrides: Record<string, unknown> = {}) => ({
    channelId,
    name: 'order_shipped',
    language: 'en_US',
    category: 'UTILITY',
    header: { format: 'TEXT', text: 'Order {{1}}', example: '#1042' },
    body: { text: 'Hello {{1}}, your order {{2}} has shipped. It should arrive by {{3}}.', examples: ['Alex', '#1042', 'Friday'] },
    footer: { text: 'Reply STOP to opt out' },
    buttons: [
      { type: 'QUICK_REPLY', text: 'Thanks' },
      { type: 'QUICK_REPLY', text: 'Where is it?' },
      { type: 'URL', text: 'Track', url: 'https://shop.example.com/track/{{1}}', example: 'A1042' },
      { type: 'PHONE_NUMBER', text: 'Call us', phoneNumber: '+1 555 010 0002' },
    ],
    ...overrides,
  });

  async function listed(name: string, language = 'en_US') {
    const res = await admin.get(`/api/v1/templates?channelId=${channelId}`);
    expect(res.status).to.equal(200);
    return (res.body.items as any[]).find((t) => t.name === name && t.language === language);
  }

  it('creates a template: 201 PENDING at once, then APPROVED by the review webhook', async () => {
    const res = await admin.post('/api/v1/templates', orderUpdate());
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.template).to.deep.include({ name: 'order_shipped', language: 'en_US', category: 'UTILITY', status: 'PENDING', rejectedReason: null, parameterCount: 3 });
    expect(res.body.template.header).to.deep.equal({ format: 'TEXT', text: 'Order {{1}}', parameterCount: 1 });
    expect(res.body.template.urlButtonParameters).to.deep.equal([{ index: 2, text: 'Track', url: 'https://shop.example.com/track/{{1}}' }]);
    expect(res.body.template.footer).to.equal('Reply STOP to opt out');
    expect(res.body.template.buttons.map((b: any) => b.type)).to.deep.equal(['QUICK_REPLY', 'QUICK_REPLY', 'URL', 'PHONE_NUMBER']);

    // What reached the Cloud API is Meta's shape: examples and the phone number's digits.
    const submitted = await eventually('the template in the sandbox', async () => {
      const phoneNumberId = (await admin.get('/api/v1/channels')).body.items[0].phoneNumberId;
      const all = (await admin.get(`/sandbox/control/templates?phoneNumberId=${phoneNumberId}`)).body as { templates: any[] };
      return all.templates.find((t) => t.name === 'order_shipped');
    });
    const byType = (type: string) => submitted.components.find((c: any) => c.type === type);
    expect(byType('HEADER').example).to.deep.equal({ header_text: ['#1042'] });
    expect(byType('BODY').example).to.deep.equal({ body_text: [['Alex', '#1042', 'Friday']] });
    expect(byType('BUTTONS').buttons[2]).to.deep.equal({ type: 'URL', text: 'Track', url: 'https://shop.example.com/track/{{1}}', example: ['A1042'] });
    expect(byType('BUTTONS').buttons[3]).to.deep.equal({ type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550100002' });

    const approved = await eventually('the template approved', async () => {
      const t = await listed('order_shipped');
      return t?.status === 'APPROVED' ? t : null;
    });
    expect(approved.id).to.equal(res.body.template.id);
    expect(approved.bodyText).to.equal('Hello {{1}}, your order {{2}} has shipped. It should arrive by {{3}}.');
  });

  it('shows a rejection with its reason, which a later re-sync keeps', async () => {
    const res = await admin.post('/api/v1/templates', orderUpdate({ name: 'promo_reject_me', category: 'MARKETING', header: undefined, buttons: undefined }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    await eventually('the template rejected', async () => (await listed('promo_reject_me'))?.status === 'REJECTED');
    // A re-sync from the Graph API list (the webhook triggers one; the connection test runs one
    // and answers when it is done) carries no reason.
    expect((await admin.post(`/api/v1/channels/${channelId}/test`)).status).to.equal(200);
    const t = await listed('promo_reject_me');
    expect(t).to.deep.include({ status: 'REJECTED', rejectedReason: 'INVALID_FORMAT', category: 'MARKETING' });
  });

  it('creates authentication templates from Meta\'s fixed text and a copy-code button', async () => {
    const res = await admin.post('/api/v1/templates', {
      channelId,
      name: 'login_code',
      language: 'en_US',
      category: 'AUTHENTICATION',
      authentication: { addSecurityRecommendation: true, codeExpirationMinutes: 10 },
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.template.buttons).to.deep.equal([{ type: 'OTP', text: 'Copy code' }]);
    await eventually('the authentication template approved', async () => (await listed('login_code'))?.status === 'APPROVED');
  });

  it('names the field Meta would refuse, and sends nothing to WhatsApp', async () => {
    const before = sandbox.stats().templates.created;
    const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
      ['bad name', { name: 'Order Shipped!' }, 'body.name', /lowercase letters, digits and underscores/],
      ['name too long', { name: 'a'.repeat(513) }, 'body.name', /512/],
      ['bad language', { language: 'english' }, 'body.language', /language code/],
      ['variables without examples', { body: { text: 'Hi {{1}}, your code is {{2}} today.' } }, 'body.body.examples', /example/],
      ['too few examples', { body: { text: 'Hi {{1}}, your code is {{2}} today.', examples: ['Alex'] } }, 'body.body.examples', /2 example values/],
      ['body too long', { body: { text: 'x'.repeat(1025) } }, 'body.body.text', /1024/],
      ['variables out of order', { body: { text: 'Hi {{2}}, order {{1}} left.', examples: ['a', 'b'] } }, 'body.body.text', /in order/],
      ['variable gap', { body: { text: 'Hi {{1}}, order {{3}} left.', examples: ['a', 'b'] } }, 'body.body.text', /in order/],
      ['named variable', { body: { text: 'Hi {{first_name}}, welcome.', examples: ['a'] } }, 'body.body.text', /\{\{1\}\}/],
      ['body ending with a variable', { body: { text: 'Your code is {{1}}', examples: ['123'] } }, 'body.body.text', /start or end/],
      ['missing body', { body: undefined }, 'body.body', /required/],
      ['two header variables', { header: { format: 'TEXT', text: '{{1}} and {{2}}', example: 'a' } }, 'body.header.text', /one variable/],
      ['header variable without example', { header: { format: 'TEXT', text: 'Order {{1}}' } }, 'body.header.example', /example/],
      ['header too long', { header: { format: 'TEXT', text: 'h'.repeat(61) } }, 'body.header.text', /60/],
      ['footer variable', { footer: { text: 'Bye {{1}}' } }, 'body.footer.text', /variables/],
      ['footer too long', { footer: { text: 'f'.repeat(61) } }, 'body.footer.text', /60/],
      ['too many buttons', { buttons: Array.from({ length: 11 }, (_, i) => ({ type: 'QUICK_REPLY', text: `Option ${i}` })) }, 'body.buttons', /10/],
      ['button text too long', { buttons: [{ type: 'QUICK_REPLY', text: 'b'.repeat(26) }] }, 'body.buttons.0.text', /25/],
      ['three URL buttons', { buttons: [1, 2, 3].map((i) => ({ type: 'URL', text: `Site ${i}`, url: `https://example.com/${i}` })) }, 'body.buttons', /2 website/],
      ['two phone buttons', { buttons: [1, 2].map((i) => ({ type: 'PHONE_NUMBER', text: `Call ${i}`, phoneNumber: `+3312345678${i}` })) }, 'body.buttons', /1 phone/],
      ['quick replies split', { buttons: [{ type: 'QUICK_REPLY', text: 'Yes' }, { type: 'URL', text: 'Site', url: 'https://example.com' }, { type: 'QUICK_REPLY', text: 'No' }] }, 'body.buttons', /grouped/],
      ['URL variable not at the end', { buttons: [{ type: 'URL', text: 'Site', url: 'https://example.com/{{1}}/x', example: 'a' }] }, 'body.buttons.0.url', /very end/],
      ['URL variable without example', { buttons: [{ type: 'URL', text: 'Site', url: 'https://example.com/{{1}}' }] }, 'body.buttons.0.example', /example/],
      ['unknown button type', { buttons: [{ type: 'CATALOG', text: 'See' }] }, 'body.buttons.0.type', /./],
      ['authentication with a body', { category: 'AUTHENTICATION' }, 'body.body', /authentication/],
      ['unknown field', { tone: 'friendly' }, 'body.tone', /./],
    ];
    for (const [what, overrides, field, message] of cases) {
      const res = await admin.post('/api/v1/templates', orderUpdate({ name: 'valid_name', ...overrides }));
      expect(res.status, what).to.equal(400);
      expect(res.body.error.id, what).to.equal('validation_failed');
      const fields = res.body.error.details.fields as Array<{ path: string; message: string }>;
      const hit = fields.find((f) => f.path === field);
      expect(hit, `${what}: ${JSON.stringify(fields)}`).to.not.equal(undefined);
      expect(hit!.message, what).to.match(message);
    }
    expect(sandbox.stats().templates.created).to.equal(before);
    expect(await listed('valid_name')).to.equal(undefined);
  });

  it('refuses a name already used in that language (409), locally or by WhatsApp; another language is fine', async () => {
    const body = orderUpdate({ name: 'back_in_stock', header: undefined, buttons: undefined });
    expect((await admin.post('/api/v1/templates', body)).status).to.equal(201);
    const again = await admin.post('/api/v1/templates', body);
    expect(again.status).to.equal(409);
    expect(again.body.error.id).to.equal('conflict');
    expect(again.body.error.message).to.match(/back_in_stock.*en_US/);
    expect((await admin.post('/api/v1/templates', { ...body, language: 'fr' })).status).to.equal(201);

    // The local copy lost (e.g. not yet synced): WhatsApp's own duplicate error is a 409 too.
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    await app.runtime.services.db('templates').where({ waba_id: channel.wabaId, name: 'back_in_stock', language: 'en_US' }).delete();
    const meta = await admin.post('/api/v1/templates', body);
    expect(meta.status).to.equal(409);
    expect(meta.body.error.id).to.equal('conflict');
  });

  it('is for those who may create templates: agents and supervisors 403, anonymous 401; agents may list', async () => {
    const body = orderUpdate({ name: 'agent_made' });
    for (const role of ['agent', 'supervisor']) {
      const user = await app.userWithRoles([role]);
      const res = await user.client.post('/api/v1/templates', body);
      expect(res.status, role).to.equal(403);
      expect((await user.client.get(`/api/v1/templates?channelId=${channelId}`)).status, role).to.equal(200);
    }
    expect((await app.client().post('/api/v1/templates', body)).status).to.equal(401);
    expect(await listed('agent_made')).to.equal(undefined);
  });

  it('is described in the OpenAPI document, body schema included', async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as any;
    const post = doc.paths['/api/v1/templates'].post;
    expect(post.description).to.equal('Requires Template:create.');
    const schema = post.requestBody.content['application/json'].schema;
    expect(JSON.stringify(schema)).to.include('QUICK_REPLY');
    expect(Object.keys(post.responses)).to.include.members(['201', '400', '409', '422']);
  });

  it('answers 404 for an unknown number', async () => {
    const res = await admin.post('/api/v1/templates', orderUpdate({ channelId: '0190a0a0-0000-7000-8000-000000000000', name: 'nowhere' }));
    expect(res.status).to.equal(404);
  });

  it('audits template.created with who, which number and which template', async () => {
    const res = await admin.post('/api/v1/templates', orderUpdate({ name: 'audited_one', header: undefined, buttons: undefined }));
    expect(res.status).to.equal(201);
    const events = await admin.get('/api/v1/audit/events?action=template.created');
    const event = (events.body.items as any[]).find((e) => e.subjectId === res.body.template.id);
    expect(event, JSON.stringify(events.body.items)).to.not.equal(undefined);
    expect(event.subjectType).to.equal('Template');
    expect(event.actorType).to.equal('user');
    expect(event.details).to.deep.include({ channelId, name: 'audited_one', language: 'en_US', category: 'UTILITY', status: 'PENDING' });
    expect(JSON.stringify(event.details)).not.to.include('has shipped');
  });

  describe("WhatsApp's refusals", () => {
    let other: string;
    before(async () => {
      other = (await addChannel(admin, { graphBaseUrl: graph.url })).id;
    });

    const submit = (name: string) => admin.post('/api/v1/templates', orderUpdate({ channelId: other, name, header: undefined, buttons: undefined }));

    it("answers 422 with Meta's own explanation, and records nothing", async () => {
      graph.answer(400, {
        message: '(#100) Invalid parameter',
        type: 'OAuthException',
        code: 100,
        error_subcode: 2388043,
        error_user_title: 'Message template has invalid content',
        error_user_msg: 'The body contains content that is not allowed.',
      });
      const res = await submit('refused_one');
      expect(res.status).to.equal(422);
      expect(res.body.error.id).to.equal('whatsapp_refused');
      expect(res.body.error.message).to.equal('WhatsApp refused the template: The body contains content that is not allowed.');
      expect(res.body.error.details).to.deep.include({ code: 100, subcode: 2388043 });
      const rows = await app.runtime.services.db('templates').where({ name: 'refused_one' });
      expect(rows).to.have.length(0);
    });

    it('answers 429 with Retry-After when Meta limits the account, 502 when it fails', async () => {
      graph.answer(400, { message: '(#80007) Rate limit issues', type: 'OAuthException', code: 80007 });
      const limited = await submit('limited_one');
      expect(limited.status).to.equal(429);
      expect(limited.body.error.id).to.equal('rate_limited');
      expect(Number(limited.headers.get('retry-after'))).to.be.greaterThan(0);
      graph.answer(500, { message: 'An unknown error occurred', type: 'OAuthException', code: 1, is_transient: true });
      const failed = await submit('failed_one');
      expect(failed.status).to.equal(502);
      expect(failed.body.error.id).to.equal('whatsapp_unavailable');
    });

    it('flags the number when Meta refuses its token (190): 409, then refused before calling Meta', async () => {
      graph.answer(401, { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190 });
      const res = await submit('token_one');
      expect(res.status).to.equal(409);
      expect(res.body.error.id).to.equal('channel_unavailable');
      const channel = (await admin.get('/api/v1/channels')).body.items.find((c: any) => c.id === other);
      expect(channel.status).to.equal('token_invalid');
      const calls = graph.calls();
      const again = await submit('token_two');
      expect(again.status).to.equal(409);
      expect(graph.calls()).to.equal(calls);
    });
  });
});
