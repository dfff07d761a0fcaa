import { expect } from 'chai';
import type { z } from 'zod';
import { channelResponse, channelsResponse, channelTestResponse } from '../../server/modules/channels/schema';
import { conversationResponse, conversationsResponse, messagesResponse, sentMessageResponse } from '../../server/modules/conversations/schema';
import { uploadResponse } from '../../server/modules/media/schema';
import { startTestApp, type TestApp } from '../support/app';
import type { ApiClient } from '../support/client';
import { eventually } from '../support/eventually';
import { TINY_PNG } from '../support/media';

// The response schemas only describe the API (the panel's types are generated from them); nothing
// checks them at run time. Hold real answers against them: a field the presenter adds, drops or
// types differently fails here, since zod strips unknown keys and refuses missing or mistyped ones.
function expectConforms(schema: z.ZodType, body: unknown): void {
  const parsed = schema.safeParse(body);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).to.equal(true);
  expect(parsed.data, 'the answer has fields its schema does not declare').to.deep.equal(body);
}

describe('response schemas of channels, conversations and media match what the server sends', function () {
  this.timeout(60_000);
  let app: TestApp;
  let admin: ApiClient;

  before(async () => {
    app = await startTestApp({ SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'true' });
    admin = await app.adminClient();
  });
  after(async () => app.stop());

  it('channels: list, edit and test', async () => {
    const list = await admin.get('/api/v1/channels');
    expectConforms(channelsResponse, list.body);
    const channel = list.body.items[0];
    const edited = await admin.patch(`/api/v1/channels/${channel.id}`, { name: 'Sandbox (schemas)' });
    expect(edited.status).to.equal(200);
    expectConforms(channelResponse, edited.body);
    const tested = await admin.post(`/api/v1/channels/${channel.id}/test`);
    expect(tested.body.ok).to.equal(true);
    expectConforms(channelTestResponse, tested.body);
  });

  it('conversations: list, get, history with media, send, react, assign, resolve and reopen', async () => {
    const sandbox = app.runtime.sandbox!.sandbox;
    const phoneNumberId = (await admin.get('/api/v1/channels')).body.items[0].phoneNumberId;
    await sandbox.customerSends({ phoneNumberId, from: '33700000901', profileName: 'Schéma', message: { type: 'image', bytes: TINY_PNG, mimeType: 'image/png', caption: 'photo' } });
    const list = await eventually('the conversation', async () => {
      const page = await admin.get('/api/v1/conversations?q=33700000901');
      return page.body.items.length > 0 ? page : null;
    });
    expectConforms(conversationsResponse, list.body);
    const id = list.body.items[0].id;
    const history = await eventually('the media stored', async () => {
      const page = await admin.get(`/api/v1/conversations/${id}/messages`);
      return page.body.items[0]?.media?.state === 'stored' ? page : null;
    });
    expectConforms(messagesResponse, history.body);
    expectConforms(conversationResponse, (await admin.get(`/api/v1/conversations/${id}`)).body);

    const sent = await admin.post(`/api/v1/conversations/${id}/messages`, { type: 'text', text: 'Merci !', replyToMessageId: history.body.items[0].id });
    expect(sent.status).to.equal(201);
    expectConforms(sentMessageResponse, sent.body);
    const reacted = await admin.post(`/api/v1/conversations/${id}/messages`, { type: 'reaction', messageId: history.body.items[0].id, emoji: '👍' });
    expect(reacted.status).to.equal(201);
    expect(reacted.body.message).to.equal(null);
    expectConforms(sentMessageResponse, reacted.body);

    const me = (await admin.get('/api/v1/me')).body.user.id;
    expectConforms(conversationResponse, (await admin.post(`/api/v1/conversations/${id}/assign`, { assigneeId: me })).body);
    expectConforms(conversationResponse, (await admin.post(`/api/v1/conversations/${id}/resolve`)).body);
    expectConforms(conversationResponse, (await admin.post(`/api/v1/conversations/${id}/reopen`)).body);
    expectConforms(messagesResponse, (await admin.get(`/api/v1/conversations/${id}/messages`)).body);
  });

  it('media: the upload', async () => {
    const form = new FormData();
    form.set('file', new Blob([new Uint8Array(TINY_PNG)], { type: 'image/png' }), 'tiny.png');
    const res = await fetch(`${app.url}/api/v1/media`, { method: 'POST', headers: { cookie: admin.cookieHeader()!, 'x-csrf-token': admin.csrfToken! }, body: form });
    expect(res.status).to.equal(201);
    expectConforms(uploadResponse, await res.json());
  });
});
