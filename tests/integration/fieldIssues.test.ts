import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';

type Field = { path: string; message: string; code: string; format?: string; origin?: string; minimum?: number; maximum?: number; expected?: string; missing?: boolean; values?: string[]; rule?: string; limit?: number };

// The panel words a refusal in its user's language from these stable facts, never from the
// English `message`: each refused field names its path, zod's code and what the rule was.
describe('refused fields carry what a form needs to word them (validation_failed, and conflicts on a taken value)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;

  const channel = (overrides: Record<string, unknown> = {}) => ({
    name: 'Support', phoneNumberId: '5551234', wabaId: '5559876', displayNumber: '+1 555 123 4000',
    accessToken: 'token-12345678', appSecret: 'secret-12345678', verifyToken: 'verify-12345678', ...overrides,
  });
  const fieldsOf = (res: { body: { error: { details: { fields: Field[] } } } }) => res.body.error.details.fields;
  const field = (fields: Field[], path: string) => {
    const hit = fields.find((f) => f.path === path);
    expect(hit, `${path} in ${JSON.stringify(fields)}`).to.not.equal(undefined);
    return hit!;
  };

  before(async () => {
    app = await startTestApp();
    admin = await app.adminClient();
  });
  after(async () => app.stop());

  it("names a number's formats, lengths, bounds and choices, and a field left out", async () => {
    const { name: _name, ...noName } = channel();
    const res = await admin.post('/api/v1/channels', {
      ...noName, phoneNumberId: '12ab', displayNumber: 'call me', graphVersion: '23', accessToken: 'short', lane: 'fast', throughputMps: 5000,
    });
    expect(res.status).to.equal(400);
    expect(res.body.error.id).to.equal('validation_failed');
    const fields = fieldsOf(res);
    expect(field(fields, 'body.phoneNumberId')).to.include({ code: 'invalid_format', format: 'digits', message: 'digits only' });
    expect(field(fields, 'body.displayNumber')).to.include({ code: 'invalid_format', format: 'phone_number' });
    expect(field(fields, 'body.graphVersion')).to.include({ code: 'invalid_format', format: 'graph_version' });
    expect(field(fields, 'body.accessToken')).to.include({ code: 'too_small', origin: 'string', minimum: 8 });
    expect(field(fields, 'body.lane')).to.deep.include({ code: 'invalid_value', values: ['shared', 'dedicated'] });
    expect(field(fields, 'body.throughputMps')).to.include({ code: 'too_big', origin: 'number', maximum: 1000 });
    expect(field(fields, 'body.name')).to.include({ code: 'invalid_type', expected: 'string', missing: true });
    // A value of the wrong type is not "missing".
    const typed = fieldsOf(await admin.post('/api/v1/teams', { name: 42 }));
    expect(field(typed, 'body.name')).to.include({ code: 'invalid_type', expected: 'string' });
    expect(field(typed, 'body.name').missing).to.equal(undefined);
    // Never the value that was sent (it may be a secret).
    expect(JSON.stringify(fields)).to.not.contain('short');
  });

  it("names a user's email format and a name over its length", async () => {
    const res = await admin.post('/api/v1/users', { email: 'a@b', name: 'x'.repeat(121) });
    expect(res.status).to.equal(400);
    const fields = fieldsOf(res);
    expect(field(fields, 'body.email')).to.include({ code: 'invalid_format', format: 'email' });
    expect(field(fields, 'body.name')).to.include({ code: 'too_big', origin: 'string', maximum: 120 });
    const role = fieldsOf(await admin.post('/api/v1/roles', { key: 'Bad Key', name: 'R', rules: [] }));
    expect(field(role, 'body.key')).to.include({ code: 'invalid_format', format: 'role_key' });
  });

  it("names Meta's template rules that zod has no code for, with their limits", async () => {
    const url = (text: string) => ({ type: 'URL', text, url: 'https://example.com/a' });
    const res = await admin.post('/api/v1/templates', {
      channelId: '0190a000-0000-7000-8000-000000000000', name: 'Bad Name', language: 'english', category: 'MARKETING',
      body: { text: '{{1}} is first' }, footer: { text: 'two\nlines' },
      buttons: [url('Open'), url('Open'), url('More')],
    });
    expect(res.status).to.equal(400);
    const fields = fieldsOf(res);
    expect(field(fields, 'body.name')).to.include({ code: 'invalid_format', format: 'template_name' });
    expect(field(fields, 'body.language')).to.include({ code: 'invalid_format', format: 'language_code' });
    expect(field(fields, 'body.body.text')).to.include({ code: 'custom', rule: 'variable_edge' });
    expect(field(fields, 'body.footer.text')).to.include({ code: 'custom', rule: 'single_line' });
    expect(field(fields, 'body.buttons')).to.include({ code: 'custom', rule: 'url_buttons_max', limit: 2 });
    expect(field(fields, 'body.buttons.1.text')).to.include({ code: 'custom', rule: 'button_text_unique' });
  });

  it('answers a taken email, team name, phone number ID or role key with 409 conflict naming the field', async () => {
    const taken = async (path: string, first: () => Promise<{ status: number }>, again: () => Promise<{ status: number; body: any }>) => {
      expect((await first()).status, path).to.equal(201);
      const res = await again();
      expect(res.status, path).to.equal(409);
      expect(res.body.error.id, path).to.equal('conflict');
      // Roles also name the taken value (`value`, and in the message): compare what every form reads.
      expect(res.body.error.details.fields.map((f: { path: string; code: string }) => ({ path: f.path, code: f.code })), path).to.deep.equal([{ path, code: 'taken' }]);
    };
    await taken(
      'body.email',
      () => admin.post('/api/v1/users', { email: 'camille@example.test', name: 'Camille' }),
      () => admin.post('/api/v1/users', { email: 'CAMILLE@example.test', name: 'Camille again' }),
    );
    await taken(
      'body.name',
      () => admin.post('/api/v1/teams', { name: 'Front desk' }),
      () => admin.post('/api/v1/teams', { name: 'front desk' }),
    );
    await taken(
      'body.phoneNumberId',
      () => admin.post('/api/v1/channels', channel()),
      () => admin.post('/api/v1/channels', channel({ name: 'Other' })),
    );
    await taken(
      'body.key',
      () => admin.post('/api/v1/roles', { key: 'night-shift', name: 'Night shift', rules: [] }),
      () => admin.post('/api/v1/roles', { key: 'night-shift', name: 'Night shift 2', rules: [] }),
    );
  });

  it('names the field on a rename or edit to a taken value too, and changes nothing', async () => {
    const team = (await admin.post('/api/v1/teams', { name: 'Back office' })).body.team;
    const rename = await admin.patch(`/api/v1/teams/${team.id}`, { name: 'FRONT DESK' });
    expect(rename.status).to.equal(409);
    expect(rename.body.error.details.fields[0]).to.include({ path: 'body.name', code: 'taken' });
    expect((await admin.get('/api/v1/teams')).body.items.map((t: { name: string }) => t.name)).to.include('Back office');

    const other = (await admin.post('/api/v1/channels', channel({ name: 'Sales', phoneNumberId: '5554321' }))).body.channel;
    const edit = await admin.patch(`/api/v1/channels/${other.id}`, { phoneNumberId: '5551234' });
    expect(edit.status).to.equal(409);
    expect(edit.body.error.details.fields[0]).to.include({ path: 'body.phoneNumberId', code: 'taken' });
    expect((await admin.get('/api/v1/channels')).body.items.find((c: { id: string }) => c.id === other.id).phoneNumberId).to.equal('5554321');
  });
});
