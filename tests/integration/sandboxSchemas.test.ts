// The sandbox's answers and webhooks, validated against Meta's own OpenAPI document.
import { expect } from 'chai';
import Ajv, { type ValidateFunction } from 'ajv';
import { changesOf, startTestBed, statusesOf, TEST_NUMBERS, type TestBed } from '../../server/sandbox/testkit';
import { metaOpenApiDocument } from '../support/metaOpenApi';

type Json = Record<string, any>;

/**
 * Meta's document merges several documents; on a name clash the later schema got a suffix
 * (TextMessage_2, BaseMessageProperties_1...) but the refs inside the webhook schemas still
 * name the first, outbound, schemas. Refs from the webhook section are pointed at the variant
 * defined in that section. Other repairs, each with its reason:
 * - ContextObject (the context of an inbound message) requires `referred_product`, which only
 *   product inquiries carry; Meta's own reply examples have just {from, id}.
 * - `discriminator` needs Ajv's option and forms the document does not follow: an inline one is
 *   turned into if/then on its mapping; one beside `oneOf` is dropped (oneOf already decides).
 * - `nullable: true` (OpenAPI 3.0) becomes a null type.
 */
function repairMetaDocument(doc: Json): Json {
  const schemas = doc.components.schemas as Json;
  const names = Object.keys(schemas);
  const webhookNames = new Set(names.slice(names.indexOf('WebhookPayload')));
  const inSection = (name: string) => names.find((n) => webhookNames.has(n) && new RegExp(`^${name}_\\d+$`).test(n));
  const retarget = (ref: string) => {
    const name = ref.replace('#/components/schemas/', '');
    return webhookNames.has(name) ? ref : inSection(name) ? `#/components/schemas/${inSection(name)}` : ref;
  };
  const walk = (node: unknown, fix: boolean): void => {
    if (Array.isArray(node)) {
      node.forEach((n) => walk(n, fix));
      return;
    }
    if (!node || typeof node !== 'object') {
      return;
    }
    const obj = node as Json;
    if (fix && typeof obj.$ref === 'string') {
      obj.$ref = retarget(obj.$ref);
    }
    if (obj.nullable === true && typeof obj.type === 'string') {
      obj.type = [obj.type, 'null'];
      delete obj.nullable;
    }
    if (obj.discriminator) {
      const mapping = (obj.discriminator.mapping ?? {}) as Record<string, string>;
      if (!obj.oneOf && !obj.anyOf) {
        const prop = obj.discriminator.propertyName as string;
        obj.allOf = [
          ...(obj.allOf ?? []),
          ...Object.entries(mapping).map(([value, ref]) => ({
            if: { properties: { [prop]: { const: value } }, required: [prop] },
            then: { $ref: fix ? retarget(ref) : ref },
          })),
        ];
      }
      delete obj.discriminator;
    }
    Object.values(obj).forEach((v) => walk(v, fix));
  };
  for (const name of names) {
    walk(schemas[name], webhookNames.has(name));
  }
  walk(doc.paths, false);
  schemas.ContextObject.required = ['from', 'id'];
  return doc;
}

let ajv: Ajv;
/** Meta's document as published (for its examples). */
let published: Json;
const compiled = new Map<string, ValidateFunction>();

/** A validator for a JSON pointer into Meta's document, e.g. `#/components/schemas/WebhookPayload`. */
function schema(pointer: string): ValidateFunction {
  let validate = compiled.get(pointer);
  if (!validate) {
    validate = ajv.getSchema(`meta${pointer}`);
    if (!validate) {
      throw new Error(`No schema at ${pointer}`);
    }
    compiled.set(pointer, validate);
  }
  return validate;
}

function expectValid(pointer: string, value: unknown): void {
  const validate = schema(pointer);
  const ok = validate(value);
  expect(ok, `${pointer}: ${JSON.stringify(validate.errors?.slice(0, 3))}\n${JSON.stringify(value).slice(0, 600)}`).to.equal(true);
}

const pathSchema = (p: string, method: string) =>
  `#/paths/${p.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}/responses/200/content/application~1json/schema`;
const component = (name: string) => `#/components/schemas/${name}`;

const PN = TEST_NUMBERS[0]!.phoneNumberId;
const WABA = TEST_NUMBERS[0]!.wabaId;
const CUSTOMER = '16505551234';

describe('sandbox: answers and webhooks match Meta\'s OpenAPI schemas', function () {
  this.timeout(20_000);
  let bed: TestBed;
  const call = async (method: string, p: string, init?: Parameters<TestBed['graph']>[2]) => (await bed.graph(method, p, init)) as { status: number; json: any; raw: string };

  before(async () => {
    ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, validateSchema: false });
    published = metaOpenApiDocument() as Json;
    ajv.addSchema(repairMetaDocument(structuredClone(published)), 'meta');
    bed = await startTestBed({
      templates: [
        {
          name: 'order_update',
          language: 'en_US',
          category: 'UTILITY',
          components: [
            { type: 'BODY', text: 'Hi {{1}}, order {{2}} has shipped.' },
            { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }, { type: 'QUICK_REPLY', text: 'Stop' }] },
          ],
        },
      ],
    });
  });
  after(async () => bed.close());

  it('accepts Meta\'s own message webhook examples and rejects broken payloads', () => {
    const examples = published.paths['/whatsapp/webhooks'].post.requestBody.content['application/json'].examples as Json;
    // The group examples contradict their own schema (string timestamps); the sandbox has no groups.
    const messageExamples = Object.entries(examples).filter(([name]) => !name.startsWith('Group'));
    expect(messageExamples.length).to.be.greaterThan(10);
    for (const [name, example] of messageExamples) {
      expect(schema(component('WebhookPayload'))(example.value), name).to.equal(true);
    }
    const noId = structuredClone(examples['Text Message'].value);
    delete noId.entry[0].changes[0].value.messages[0].id;
    const noText = structuredClone(examples['Text Message'].value);
    delete noText.entry[0].changes[0].value.messages[0].text;
    const badStatus = { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '1', phone_number_id: '2' }, statuses: [{ id: 'wamid.x', status: 'sent', timestamp: '1' }] } }] }] };
    for (const broken of [noId, noText, badStatus]) {
      expect(schema(component('WebhookPayload'))(broken)).to.equal(false);
    }
  });

  it('shapes every kind of inbound customer message as WebhookPayload', async () => {
    const { sandbox, receiver } = bed;
    const jpeg = Buffer.from('ffd8ffe000104a46494600010101004800480000ffd9', 'hex');
    const first = await sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, profileName: 'Sheena Nelson', message: { type: 'text', body: 'Does it come in another color?' } });
    const inputs = [
      { type: 'image' as const, bytes: jpeg, mimeType: 'image/jpeg', caption: 'Taj Mahal' },
      { type: 'audio' as const, bytes: Buffer.from('OggS-audio'), mimeType: 'audio/ogg', voice: true },
      { type: 'video' as const, bytes: Buffer.from('mp4-video'), mimeType: 'video/mp4', caption: 'Holiday' },
      { type: 'document' as const, bytes: Buffer.from('%PDF-1.4'), mimeType: 'application/pdf', filename: 'receipt.pdf' },
      { type: 'sticker' as const, bytes: Buffer.from('RIFF\0\0\0\0WEBPVP8 '), mimeType: 'image/webp' },
      { type: 'location' as const, latitude: 37.44, longitude: -122.16, name: 'Philz Coffee', address: '101 Forest Ave, Palo Alto' },
      { type: 'contacts' as const, contacts: [{ name: { formatted_name: 'Lucía Gómez', first_name: 'Lucía' }, phones: [{ phone: '+1 983 555 2319', wa_id: '19835552319', type: 'MOBILE' }] }] },
      { type: 'text' as const, body: 'A reply', context: { messageId: first.wamid } },
    ];
    for (const message of inputs) {
      await sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message });
    }
    // Replies to business messages: reply buttons, a list, a template quick reply, a reaction.
    const buttons = await call('POST', `/${PN}/messages`, {
      json: {
        messaging_product: 'whatsapp', to: CUSTOMER, type: 'interactive',
        interactive: { type: 'button', body: { text: 'Pick one' }, action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] } },
      },
    });
    const list = await call('POST', `/${PN}/messages`, {
      json: {
        messaging_product: 'whatsapp', to: CUSTOMER, type: 'interactive',
        interactive: { type: 'list', body: { text: 'Shipping?' }, action: { button: 'Options', sections: [{ title: 'Speed', rows: [{ id: 'express', title: 'Express', description: 'Next day' }] }] } },
      },
    });
    const template = await call('POST', `/${PN}/messages`, {
      json: { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'order_update', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ana' }, { type: 'text', text: '42' }] }] } },
    });
    await sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'button_reply', id: 'yes', context: { messageId: buttons.json.messages[0].id } } });
    await sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'list_reply', id: 'express', context: { messageId: list.json.messages[0].id } } });
    await sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'button', text: 'Thanks', context: { messageId: template.json.messages[0].id } } });
    await sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'reaction', messageId: buttons.json.messages[0].id, emoji: '👍' } });

    const inbound = await receiver.waitFor((r) => {
      const found = changesOf(r).filter((c) => Array.isArray(c.value.messages));
      return found.length >= 13 && found;
    });
    const types = inbound.map((c) => (c.value.messages as Json[])[0]!.type);
    expect(types).to.include.members(['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'button', 'reaction']);
    for (const change of inbound) {
      expectValid(component('WebhookPayload'), change.hook.json);
    }
    const button = inbound.map((c) => (c.value.messages as Json[])[0]!).find((m) => m.type === 'button')!;
    expect(button.button).to.deep.equal({ payload: 'Thanks', text: 'Thanks' });
    expect(button.context).to.deep.equal({ from: '15550783881', id: template.json.messages[0].id });
  });

  it('shapes sent, delivered, read and failed statuses as WebhookPayload, with pricing', async () => {
    const ok = await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to: CUSTOMER, text: { body: 'Hello' } } });
    const failed = await call('POST', `/${PN}/messages`, {
      json: { messaging_product: 'whatsapp', to: '99912345678', type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
    });
    const statuses = await bed.receiver.waitFor((r) => {
      const okStatuses = statusesOf(r, ok.json.messages[0].id);
      const failStatuses = statusesOf(r, failed.json.messages[0].id);
      return okStatuses.length >= 3 && failStatuses.length >= 1 && [...okStatuses, ...failStatuses];
    });
    expect(statuses.map((s) => s.status)).to.have.members(['sent', 'delivered', 'read', 'failed']);
    for (const hook of bed.receiver.received.filter((h) => changesOf([h]).some((c) => c.value.statuses))) {
      expectValid(component('WebhookPayload'), hook.json);
    }
    const sent = statuses.find((s) => s.status === 'sent')!;
    expect(sent.pricing).to.deep.equal({ billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' });
    const fail = statuses.find((s) => s.status === 'failed')!;
    expect(fail.errors![0]!).to.include({ code: 131026, title: 'Message undeliverable' });
    expect(fail.errors![0]!.error_data.details).to.be.a('string');
  });

  it('answers sends, mark-as-read and errors in the documented shapes', async () => {
    const text = await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', recipient_type: 'individual', to: `+${CUSTOMER}`, type: 'text', text: { body: 'Hi' } } });
    expectValid(component('MessageResponsePayload'), text.json);
    expectValid(component('MessageResponse'), text.json);
    const template = await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } } });
    expectValid(component('MessageResponsePayload'), template.json);
    expect(template.json.messages[0].message_status).to.equal('accepted');

    const { wamid } = await bed.sandbox.customerSends({ phoneNumberId: PN, from: CUSTOMER, message: { type: 'text', body: 'read me' } });
    const read = await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', status: 'read', message_id: wamid } });
    expectValid(component('MarkMessageResponsePayload'), read.json);
    expect(read.json).to.deep.equal({ success: true });

    const errors = [
      await call('POST', `/${PN}/messages`, { token: 'wrong', json: {} }),
      await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to: CUSTOMER, type: 'text', text: {} } }),
      await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to: 'not a number', type: 'text', text: { body: 'x' } } }),
      await call('POST', `/${PN}/messages`, { json: { messaging_product: 'whatsapp', to: CUSTOMER, type: 'template', template: { name: 'nope', language: { code: 'en_US' } } } }),
      await call('GET', '/123456789'),
    ];
    expect(errors.map((e) => e.json.error.code)).to.deep.equal([190, 131008, 131009, 132001, 100]);
    for (const e of errors) {
      expectValid(component('GraphAPIError'), e.json);
      expectValid(component('ErrorResponse'), e.json);
      expect(e.json.error.error_data.messaging_product).to.equal('whatsapp');
      expect(e.json.error.fbtrace_id).to.be.a('string');
    }
  });

  it('answers media, template and phone number endpoints in the documented shapes', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([Buffer.from('89504e470d0a1a0a', 'hex')], { type: 'image/png' }), 'pixel.png');
    const upload = await call('POST', `/${PN}/media`, { body: form });
    expectValid(pathSchema('/{Version}/{Phone-Number-ID}/media', 'post'), upload.json);
    const media = await call('GET', `/${upload.json.id}`);
    expectValid(pathSchema('/{Version}/{Media-ID}', 'get'), media.json);
    expect(media.json).to.include.keys('messaging_product', 'url', 'mime_type', 'sha256', 'file_size', 'id');
    const removed = await call('DELETE', `/${upload.json.id}`);
    expectValid(pathSchema('/{Version}/{Media-ID}', 'delete'), removed.json);

    const templates = await call('GET', `/${WABA}/message_templates?limit=1`);
    expectValid(pathSchema('/{Version}/{WABA-ID}/message_templates', 'get'), templates.json);
    expect(templates.json.paging.cursors).to.include.keys('before', 'after');
    const created = await call('POST', `/${WABA}/message_templates`, {
      json: { name: 'schema_check', language: 'en_US', category: 'UTILITY', components: [{ type: 'BODY', text: 'Your code is {{1}}' }] },
    });
    expectValid(pathSchema('/{Version}/{WABA-ID}/message_templates', 'post'), created.json);
    expect(created.json.status).to.equal('PENDING');

    const phone = await call('GET', `/${PN}`);
    expectValid(component('PhoneNumberInfo'), phone.json);
    expect(phone.json).to.include({ verified_name: 'Sandbox Shop', quality_rating: 'GREEN', id: PN });
    expect(phone.json.throughput).to.deep.equal({ level: 'STANDARD' });
    const numbers = await call('GET', `/${WABA}/phone_numbers`);
    expect(numbers.json.data.map((n: Json) => n.id)).to.deep.equal([PN, TEST_NUMBERS[1]!.phoneNumberId]);
  });
});
