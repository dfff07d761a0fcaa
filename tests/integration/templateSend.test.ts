import { expect } from 'chai';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { clientFor } from '../../server/modules/channels/credentials';
import { postSample, TINY_PNG, uploadMedia } from '../support/media';


type Sandbox = NonNullable<TestApp['runtime']['sandbox']>['sandbox'];

describe('sending templates with header, body and button variables (and authentication codes) to the sandbox', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;
  let sandbox: Sandbox;
  let channelId: string;
  let phoneNumberId: string;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true', SANDBOX_TEMPLATE_REVIEW_MS: '100' });
    admin = await app.adminClient();
    sandbox = app.runtime.sandbox!.sandbox;
    const channel = (await admin.get('/api/v1/channels')).body.items[0];
    channelId = channel.id;
    phoneNumberId = channel.phoneNumberId;
  });
  after(async () => app.stop());

  async function approved(name: string) {
    return eventually(`${name} approved`, async () => {
      const items = (await admin.get(`/api/v1/templates?channelId=${channelId}`)).body.items as any[];
      return items.find((t) => t.name === name && t.status === 'APPROVED' && t.bodyText);
    }, 15_000);
  }

  async function conversationWith(waId: string) {
    await sandbox.customerSends({ phoneNumberId, from: waId, profileName: 'Robin', message: { type: 'text', body: 'Hi' } });
    return eventually('the conversation', async () => (await admin.get(`/api/v1/conversations?q=${waId}`)).body.items[0]);
  }

  /** The outbound message once the sandbox has answered: sent (with a wamid) or failed (with Meta's code). */
  async function outcome(messageId: string) {
    return eventually('the send outcome', async () => {
      const row = await app.runtime.services.db('messages').where({ id: messageId }).first();
      return row.wamid || row.status === 'failed' ? row : null;
    });
  }

  it('fills a text header, the body and a URL button, and refuses what WhatsApp would refuse, naming the field', async () => {
    const created = await admin.post('/api/v1/templates', {
      channelId,
      name: 'parcel_update',
      language: 'en_US',
      category: 'UTILITY',
      header: { format: 'TEXT', text: 'Parcel {{1}}', example: '#77' },
      body: { text: 'Hello {{1}}, your parcel is on its way.', examples: ['Robin'] },
      buttons: [
        { type: 'QUICK_REPLY', text: 'Thanks' },
        { type: 'URL', text: 'Track', url: 'https://shop.example.com/t/{{1}}', example: 'X77' },
      ],
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const tpl = await approved('parcel_update');
    expect(tpl.header).to.deep.equal({ format: 'TEXT', text: 'Parcel {{1}}', parameterCount: 1 });
    expect(tpl.urlButtonParameters).to.deep.equal([{ index: 1, text: 'Track', url: 'https://shop.example.com/t/{{1}}' }]);
    const conv = await conversationWith('33711000001');
    const send = (extra: Record<string, unknown>) => admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'template', templateId: tpl.id, ...extra });

    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ parameters: ['Robin'], buttonParameters: [{ index: 1, text: 'X77' }] }, 'body.headerParameter'],
      [{ parameters: [], headerParameter: '#77', buttonParameters: [{ index: 1, text: 'X77' }] }, 'body.parameters'],
      [{ parameters: ['Robin', 'extra'], headerParameter: '#77', buttonParameters: [{ index: 1, text: 'X77' }] }, 'body.parameters'],
      [{ parameters: ['Robin'], headerParameter: '#77' }, 'body.buttonParameters'],
      [{ parameters: ['Robin'], headerParameter: '#77', buttonParameters: [{ index: 0, text: 'no' }, { index: 1, text: 'X77' }] }, 'body.buttonParameters'],
      [{ parameters: ['  '], headerParameter: '#77', buttonParameters: [{ index: 1, text: 'X77' }] }, 'body.parameters.0'],
    ];
    for (const [extra, field] of refusals) {
      const res = await send(extra);
      expect(res.status, JSON.stringify(extra)).to.equal(400);
      expect(res.body.error.details.fields.map((f: any) => f.path), JSON.stringify(extra)).to.include(field);
    }
    expect(await app.runtime.services.db('messages').where({ conversation_id: conv.id, direction: 'out' }).count<{ n: number }[]>('* as n')).to.deep.equal([{ n: 0 }]);

    const ok = await send({ parameters: ['Robin'], headerParameter: '#77', buttonParameters: [{ index: 1, text: 'X77' }] });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(ok.body.message.text).to.equal('Hello Robin, your parcel is on its way.');
    const row = await outcome(ok.body.message.id);
    expect(row.status, JSON.stringify(row.error)).not.to.equal('failed');
    // The customer received the template with every value in place.
    const received = sandbox.conversation(phoneNumberId, '33711000001').find((m) => m.direction === 'out');
    const components = (received!.body as any).components as any[];
    expect(components.map((c) => c.type)).to.deep.equal(['header', 'body', 'button']);
    expect(components[2]).to.deep.include({ sub_type: 'url', index: '1' });
  });

  const upload = (bytes: Buffer, type: string, filename: string) => uploadMedia(app.url, admin, bytes, type, filename);

  it('sends an image header from an uploaded file, which the sender hands to WhatsApp first', async () => {
    // WhatsApp's review needs a sample of the header first.
    const sample = await postSample(app.url, admin, channelId);
    expect(sample.status, JSON.stringify(sample.body)).to.equal(200);
    const created = await admin.post('/api/v1/templates', {
      channelId,
      name: 'new_collection',
      language: 'en_US',
      category: 'MARKETING',
      header: { format: 'IMAGE', exampleHandle: sample.body.handle },
      body: { text: 'Our new collection is here, {{1}}!', examples: ['Robin'] },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const tpl = await approved('new_collection');
    expect(tpl.header).to.deep.include({ format: 'IMAGE', parameterCount: 0 });
    const conv = await conversationWith('33711000003');
    const send = (extra: Record<string, unknown>) => admin.post(`/api/v1/conversations/${conv.id}/messages`, { type: 'template', templateId: tpl.id, parameters: ['Robin'], ...extra });

    const missing = await send({});
    expect(missing.status).to.equal(400);
    expect(missing.body.error.details.fields[0].path).to.equal('body.headerMediaId');
    const pdf = await upload(Buffer.from('%PDF-1.4\n'), 'application/pdf', 'flyer.pdf');
    const wrongKind = await send({ headerMediaId: pdf });
    expect(wrongKind.status).to.equal(400);
    expect(wrongKind.body.error.message).to.match(/application\/pdf/);

    const png = await upload(TINY_PNG, 'image/png', 'collection.png');
    const ok = await send({ headerMediaId: png });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    expect(ok.body.message.media?.id).to.equal(png);
    const row = await outcome(ok.body.message.id);
    expect(row.status, JSON.stringify(row.error)).not.to.equal('failed');
    const received = sandbox.conversation(phoneNumberId, '33711000003').find((m) => m.direction === 'out');
    const header = ((received!.body as any).components as any[]).find((c) => c.type === 'header');
    // WhatsApp got its own media id, not our placeholder, and the bytes behind it are ours.
    expect(header.parameters[0].type).to.equal('image');
    const mediaId = header.parameters[0].image.id as string;
    expect(mediaId).not.to.match(/^@media:/);
    const graph = clientFor((await app.runtime.services.channels.get(channelId))!, 10_000);
    expect((await graph.downloadMedia((await graph.getMedia(mediaId)).url, 1024 * 1024)).equals(TINY_PNG)).to.equal(true);
  });

  it('sends an authentication code: the body and the copy-code button carry it', async () => {
    const created = await admin.post('/api/v1/templates', {
      channelId,
      name: 'sign_in_code',
      language: 'en_US',
      category: 'AUTHENTICATION',
      authentication: { addSecurityRecommendation: true, codeExpirationMinutes: 5 },
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    // Listed as Meta lists it: a preset body with the code variable, and the button as a URL.
    const tpl = await approved('sign_in_code');
    expect(tpl.bodyText).to.match(/\{\{1\}\}.*verification code/);
    expect(tpl.footer).to.equal('This code expires in 5 minutes.');
    expect(tpl.urlButtonParameters).to.have.length(1);
    expect(tpl.urlButtonParameters[0].index).to.equal(0);
    const conv = await conversationWith('33711000002');
    const ok = await admin.post(`/api/v1/conversations/${conv.id}/messages`, {
      type: 'template',
      templateId: tpl.id,
      parameters: ['482913'],
      buttonParameters: [{ index: 0, text: '482913' }],
    });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    const row = await outcome(ok.body.message.id);
    expect(row.status, JSON.stringify(row.error)).not.to.equal('failed');
  });
});
