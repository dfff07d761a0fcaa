// Clients written by others call Graph in ways the live API accepts: no version in the path,
// object parameters as JSON-encoded strings, form-encoded bodies. The sandbox answers them alike.
import { expect } from 'chai';
import { startTestBed, statusesOf, TEST_NUMBERS, type TestBed } from '../../server/sandbox/testkit';

const [SHOP] = TEST_NUMBERS as [typeof TEST_NUMBERS[0]];
const PN = SHOP.phoneNumberId;
const CUSTOMER = '16505550040';

describe('sandbox Graph API as clients written by others call it (raw HTTP)', function () {
  this.timeout(20_000);
  let bed: TestBed;
  const auth = { authorization: `Bearer ${SHOP.accessToken}` };
  const post = async (path: string, body: string, type: string) => {
    const res = await fetch(`${bed.url}/graph${path}`, { method: 'POST', headers: { ...auth, 'content-type': type }, body });
    return { status: res.status, json: (await res.json()) as any };
  };
  const postJson = (path: string, body: unknown) => post(path, JSON.stringify(body), 'application/json');
  const postForm = (path: string, fields: Record<string, string>) => post(path, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
  const sentBody = (wamid: string) => bed.sandbox.conversation(PN, CUSTOMER).find((m) => m.wamid === wamid)!.body;

  before(async () => {
    bed = await startTestBed();
    await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, profileName: 'Noor', message: { type: 'text', body: 'Hello' } });
  });
  after(async () => bed.close());

  describe('a path without a version', () => {
    it('sends a message at the default version', async () => {
      const res = await postJson(`/${PN}/messages`, { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'no version' } });
      expect(res.status).to.equal(200);
      expect(res.json.messages[0].id).to.match(/^wamid\./);
      expect(sentBody(res.json.messages[0].id)).to.deep.equal({ body: 'no version' });
    });

    it('answers the other Graph paths: phone number, templates, media upload and lookup', async () => {
      const phone = await fetch(`${bed.url}/graph/${PN}`, { headers: auth });
      expect(((await phone.json()) as any).id).to.equal(PN);
      const templates = (await (await fetch(`${bed.url}/graph/${SHOP.wabaId}/message_templates?limit=1`, { headers: auth })).json()) as any;
      expect(templates.data).to.have.length(1);
      const form = new FormData();
      form.set('messaging_product', 'whatsapp');
      form.set('type', 'image/png');
      form.set('file', new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], { type: 'image/png' }), 'a.png');
      const uploaded = (await (await fetch(`${bed.url}/graph/${PN}/media`, { method: 'POST', headers: auth, body: form })).json()) as any;
      const media = (await (await fetch(`${bed.url}/graph/${uploaded.id}`, { headers: auth })).json()) as any;
      expect(media).to.include({ id: uploaded.id, mime_type: 'image/png' });
    });

    it('still asks for a token, and still names an unknown path', async () => {
      const anonymous = await fetch(`${bed.url}/graph/${PN}/messages`, { method: 'POST', body: '{}' });
      expect(anonymous.status).to.equal(401);
      expect(((await anonymous.json()) as any).error.code).to.equal(190);
      const unknown = await fetch(`${bed.url}/graph/${PN}/nothing/here`, { headers: auth });
      expect(((await unknown.json()) as any).error.code).to.equal(2500);
    });
  });

  describe('object parameters as JSON-encoded strings', () => {
    it('takes text, contacts, interactive, template, reaction and context as strings', async () => {
      const wamid = async (body: Record<string, unknown>) => {
        const res = await postJson(`/v23.0/${PN}/messages`, { messaging_product: 'whatsapp', to: CUSTOMER, ...body });
        expect(res.status, JSON.stringify(res.json)).to.equal(200);
        return res.json.messages[0].id as string;
      };
      const inbound = bed.sandbox.conversation(PN, CUSTOMER)[0]!.wamid;
      const contacts = [{ name: { formatted_name: 'Ana Lima', first_name: 'Ana' }, phones: [{ phone: '+16505550020', type: 'CELL' }] }];
      const interactive = { type: 'button', body: { text: 'Deliver?' }, action: { buttons: [{ type: 'reply', reply: { id: 'y', title: 'Yes' } }] } };
      const template = { name: 'hello_world', language: { code: 'en_US' } };
      const text = await wamid({ type: 'text', text: JSON.stringify({ body: 'as a string', preview_url: false }), context: JSON.stringify({ message_id: inbound }) });
      expect(sentBody(text)).to.deep.equal({ body: 'as a string', preview_url: false });
      expect(bed.sandbox.conversation(PN, CUSTOMER).find((m) => m.wamid === text)!.context).to.equal(inbound);
      expect(sentBody(await wamid({ type: 'contacts', contacts: JSON.stringify(contacts) }))).to.deep.equal(contacts);
      expect(sentBody(await wamid({ type: 'interactive', interactive: JSON.stringify(interactive) }))).to.deep.equal(interactive);
      expect(sentBody(await wamid({ type: 'template', template: JSON.stringify(template) }))).to.deep.equal(template);
      expect(sentBody(await wamid({ type: 'reaction', reaction: JSON.stringify({ message_id: inbound, emoji: '🎉' }) }))).to.deep.equal({ message_id: inbound, emoji: '🎉' });
    });

    it('still refuses a string that is not the object it stands for', async () => {
      const res = await postJson(`/v23.0/${PN}/messages`, { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: '{"name": "hello_world", ' });
      expect(res.status).to.equal(400);
      expect(res.json.error.code).to.be.oneOf([100, 131008, 131009]);
    });

    it('keeps biz_opaque_callback_data, a string parameter, as the string it is', async () => {
      const res = await postJson(`/v23.0/${PN}/messages`, { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: { body: 'x' }, biz_opaque_callback_data: '{"order":42}' });
      const [sent] = await bed.receiver.waitFor((r) => statusesOf(r, res.json.messages[0].id).length > 0 && statusesOf(r, res.json.messages[0].id));
      expect(sent!.biz_opaque_callback_data).to.equal('{"order":42}');
    });
  });

  describe('form-encoded bodies', () => {
    it('sends a message, marks one read and creates a template', async () => {
      const sent = await postForm(`/${PN}/messages`, { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: JSON.stringify({ body: 'from a form' }) });
      expect(sent.status).to.equal(200);
      expect(sentBody(sent.json.messages[0].id)).to.deep.equal({ body: 'from a form' });
      const inbound = bed.sandbox.conversation(PN, CUSTOMER)[0]!.wamid;
      const read = await postForm(`/v23.0/${PN}/messages`, { messaging_product: 'whatsapp', status: 'read', message_id: inbound });
      expect(read.json).to.deep.equal({ success: true });
      const created = await postForm(`/v23.0/${SHOP.wabaId}/message_templates`, {
        name: 'form_made', language: 'en_US', category: 'UTILITY',
        components: JSON.stringify([{ type: 'BODY', text: 'Your code is ready.' }]),
      });
      expect(created.status, JSON.stringify(created.json)).to.equal(200);
      expect(created.json).to.include({ status: 'PENDING', category: 'UTILITY' });
    });

    it('takes the access token as a form field, as Graph does, and still refuses a wrong one', async () => {
      const fields = { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: JSON.stringify({ body: 'token in the form' }) };
      const form = (token: string) =>
        fetch(`${bed.url}/graph/v23.0/${PN}/messages`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, access_token: token }).toString() });
      const ok = await form(SHOP.accessToken);
      expect(ok.status).to.equal(200);
      expect(sentBody(((await ok.json()) as any).messages[0].id)).to.deep.equal({ body: 'token in the form' });
      const wrong = await form('not-a-token');
      expect(wrong.status).to.equal(401);
      expect(((await wrong.json()) as any).error.code).to.equal(190);
    });
  });
});
