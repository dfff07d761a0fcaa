// Sample files of media headers: uploaded through the number's Meta app (Resumable Upload API),
// their handle submitted with the template, as Meta's review requires.
import { expect } from 'chai';
import { SANDBOX_APP_ID } from '../../server/sandbox';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { postSample, TINY_PNG } from '../support/media';
import { addChannel } from '../support/whatsapp';

describe('template sample files: uploaded to WhatsApp for the review of media headers', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let channelId: string;
  let phoneNumberId: string;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '100' });
    admin = await app.adminClient();
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    channelId = channel.id;
    phoneNumberId = channel.phoneNumberId;
  });
  after(async () => app.stop());

  const imageTemplate = (name: string, exampleHandle?: string) => ({
    channelId,
    name,
    language: 'en_US',
    category: 'MARKETING',
    header: { format: 'IMAGE', ...(exampleHandle ? { exampleHandle } : {}) },
    body: { text: 'Our spring sale starts today, {{1}}!', examples: ['Robin'] },
  });

  it('the sandbox number comes with the app id the sandbox knows', async () => {
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    expect(channel.appId).to.equal(SANDBOX_APP_ID);
  });

  it('uploads a sample, then an IMAGE-header template carrying its handle is approved; audited', async () => {
    const sample = await postSample(app.url, admin, channelId);
    expect(sample.status, JSON.stringify(sample.body)).to.equal(200);
    expect(sample.body.handle).to.be.a('string').and.match(/^4::/);

    const created = await admin.post('/api/v1/templates', imageTemplate('spring_sale', sample.body.handle));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const approved = await eventually('spring_sale approved', async () => {
      const items = (await admin.get(`/api/v1/templates?channelId=${channelId}`)).body.items as any[];
      return items.find((t) => t.name === 'spring_sale' && t.status === 'APPROVED');
    }, 15_000);
    expect(approved.header).to.deep.include({ format: 'IMAGE' });
    const all = (await admin.get(`/sandbox/control/templates?phoneNumberId=${phoneNumberId}`)).body as { templates: any[] };
    const header = all.templates.find((t) => t.name === 'spring_sale').components.find((c: any) => c.type === 'HEADER');
    expect(header.example).to.deep.equal({ header_handle: [sample.body.handle] });

    const events = await admin.get('/api/v1/audit/events?action=template.sample_uploaded');
    const event = (events.body.items as any[]).find((e) => e.subjectId === channelId);
    expect(event, JSON.stringify(events.body)).to.not.equal(undefined);
    expect(event.details).to.deep.include({ channelId, appId: SANDBOX_APP_ID, mimeType: 'image/png', size: TINY_PNG.length, filename: 'sample.png' });
  });

  it("surfaces WhatsApp's refusal of an IMAGE header without a sample as 422 whatsapp_refused", async () => {
    const res = await admin.post('/api/v1/templates', imageTemplate('no_sample_sale'));
    expect(res.status).to.equal(422);
    expect(res.body.error.id).to.equal('whatsapp_refused');
    expect(res.body.error.message).to.match(/header_handle/);
  });

  it('refuses a number without a Meta App ID (409), until one is set', async () => {
    const other = await addChannel(admin);
    const res = await postSample(app.url, admin, other.id);
    expect(res.status).to.equal(409);
    expect(res.body.error.id).to.equal('channel_app_id_missing');
    expect(res.body.error.message).to.match(/App ID/);
    const patched = await admin.patch(`/api/v1/channels/${other.id}`, { appId: '123456789012345' });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    expect(patched.body.channel.appId).to.equal('123456789012345');
    expect((await admin.patch(`/api/v1/channels/${other.id}`, { appId: 'abc' })).status).to.equal(400);
    const cleared = await admin.patch(`/api/v1/channels/${other.id}`, { appId: null });
    expect(cleared.body.channel.appId).to.equal(null);
  });

  it('takes only what a media header takes: wrong type 400, no file 400, not multipart 415', async () => {
    const text = await postSample(app.url, admin, channelId, { bytes: Buffer.from('hello'), type: 'text/plain', name: 'notes.txt' });
    expect(text.status).to.equal(400);
    expect(text.body.error.id).to.equal('validation_failed');
    expect(text.body.error.details.fields[0].path).to.equal('body.file');
    // A GIF is an image, but not one a template header takes.
    expect((await postSample(app.url, admin, channelId, { bytes: Buffer.from('GIF89a'), type: 'image/gif', name: 'a.gif' })).status).to.equal(400);
    const noFile = await postSample(app.url, admin, channelId, null);
    expect(noFile.status).to.equal(400);
    expect(noFile.body.error.details.fields[0].path).to.equal('body.file');
    const json = await admin.post('/api/v1/templates/samples', { channelId });
    expect(json.status).to.equal(415);
    const badChannel = await postSample(app.url, admin, 'not-a-uuid');
    expect(badChannel.status).to.equal(400);
    expect(badChannel.body.error.details.fields[0].path).to.equal('body.channelId');
    expect((await postSample(app.url, admin, '0190a0a0-0000-7000-8000-000000000000')).status).to.equal(404);
  });

  it('is for those who may create templates: an agent 403, anonymous 401', async () => {
    const agent = await app.userWithRoles(['agent']);
    expect((await postSample(app.url, agent.client, channelId)).status).to.equal(403);
    expect((await postSample(app.url, app.client(), channelId)).status).to.equal(401);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${app.url}/api/v1/openapi.json`)).json()) as any;
    const post = doc.paths['/api/v1/templates/samples'].post;
    expect(post.description).to.equal('Requires Template:create.');
    expect(Object.keys(post.responses)).to.include.members(['200', '400', '409', '415', '422']);
  });
});
