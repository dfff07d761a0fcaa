// Parsing Meta's webhook notifications into normalized events. Payloads are shaped like Meta's
// documented examples (the OpenAPI document's `/whatsapp/webhooks` examples, verbatim where
// Meta gives one), and every example in that document (tests/fixtures/meta-openapi) is parsed too.
import { expect } from 'chai';
import { parseWebhook, ParseError, type InboundMessage, type StatusUpdate, type WebhookEvent } from '../../server/whatsapp/webhookParse';
import { metaOpenApiDocument } from '../support/metaOpenApi';

const WABA = '419561257915477';
const PHONE_ID = '106540352242922';
const DISPLAY = '15550783881';
const FROM = '16505551234';
const CONTACTS = [{ profile: { name: 'Sheena Nelson' }, wa_id: FROM }];

/** A one-change `messages` notification, as Meta sends it. */
function notification(value: Record<string, unknown>, field = 'messages', wabaId = WABA): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: wabaId, changes: [{ value: { messaging_product: 'whatsapp', metadata: { display_phone_number: DISPLAY, phone_number_id: PHONE_ID }, ...value }, field }] }],
  };
}

const inbound = (message: Record<string, unknown>, contacts: unknown[] | null = CONTACTS) =>
  notification(contacts ? { contacts, messages: [message] } : { messages: [message] });

function onlyMessage(body: unknown): InboundMessage {
  const parsed = parseWebhook(body);
  expect(parsed.events).to.have.length(1);
  const event = parsed.events[0]!;
  expect(event.kind).to.equal('message');
  return event as InboundMessage;
}

function onlyStatus(body: unknown): StatusUpdate {
  const parsed = parseWebhook(body);
  expect(parsed.events).to.have.length(1);
  expect(parsed.events[0]!.kind).to.equal('status');
  return parsed.events[0] as StatusUpdate;
}

const media = (extra: Record<string, unknown>) => ({ mime_type: 'image/jpeg', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', id: '1003383421387256', ...extra });

describe('parseWebhook: inbound messages', () => {
  it('text (Meta\'s example): sender, profile name, number, WABA, wamid, time and searchable text', () => {
    const message = { from: FROM, id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=', timestamp: '1749416383', type: 'text', text: { body: 'Does it come in another color?' } };
    const parsed = parseWebhook(inbound(message));
    expect(parsed.phoneNumberIds).to.deep.equal([PHONE_ID]);
    expect(parsed.wabaIds).to.deep.equal([WABA]);
    const m = parsed.events[0] as InboundMessage;
    expect(m).to.deep.include({
      kind: 'message', phoneNumberId: PHONE_ID, wabaId: WABA, displayPhoneNumber: DISPLAY, from: FROM, profileName: 'Sheena Nelson',
      wamid: message.id, type: 'text', text: 'Does it come in another color?', media: null, contextWamid: null, reaction: null,
    });
    expect(m.timestamp.toISOString()).to.equal('2025-06-08T20:59:43.000Z');
    expect(m.content).to.deep.equal({ body: 'Does it come in another color?' });
    expect(m.raw).to.deep.equal(message);
  });

  it('text with context (product inquiry) and with a click-to-WhatsApp referral', () => {
    const withContext = onlyMessage(inbound({
      context: { from: DISPLAY, id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA', referred_product: { catalog_id: '194836987003835', product_retailer_id: 'di9ozbzfi4' } },
      from: FROM, id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTA2NTUwRkNEMDdFQjJCRUU0NQA=', timestamp: '1750016800', text: { body: 'Is this still available?' }, type: 'text',
    }));
    expect(withContext.contextWamid).to.equal('wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA');
    const referral = { source_url: 'https://fb.me/3cr4Wqqkv', source_id: '120226305854810726', source_type: 'ad', body: 'Summer Succulents are here!', headline: 'Chat with us', media_type: 'image', image_url: 'https://scontent.xx.fbcdn.net/v/t45.1...', ctwa_clid: 'Aff-n8ZTODiE79d22KtAwQKj9e', welcome_message: { text: 'Hi there! Let us know how we can help!' } };
    const fromAd = onlyMessage(inbound({ referral, from: FROM, id: 'wamid.ad', timestamp: '1750275992', text: { body: 'Hello! Can I get more info on this?' }, type: 'text' }));
    expect(fromAd.text).to.equal('Hello! Can I get more info on this?');
    expect((fromAd.raw as { referral: unknown }).referral).to.deep.equal(referral);
  });

  it('image, audio (voice), video, document and sticker carry a media reference and their caption as text', () => {
    const cases: Array<[string, Record<string, unknown>, Partial<InboundMessage>]> = [
      ['image', media({ caption: 'Taj Mahal' }), { text: 'Taj Mahal', media: { id: '1003383421387256', mimeType: 'image/jpeg', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', filename: null } }],
      ['audio', media({ mime_type: 'audio/ogg; codecs=opus', voice: true }), { text: null, media: { id: '1003383421387256', mimeType: 'audio/ogg; codecs=opus', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', filename: null } }],
      ['video', media({ mime_type: 'video/mp4', caption: 'My vacation video' }), { text: 'My vacation video' }],
      ['document', media({ mime_type: 'application/pdf', filename: 'receipt.pdf', caption: 'Your receipt' }), { text: 'Your receipt', media: { id: '1003383421387256', mimeType: 'application/pdf', sha256: 'SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=', filename: 'receipt.pdf' } }],
      ['sticker', media({ mime_type: 'image/webp', animated: true }), { text: null }],
    ];
    for (const [type, object, expected] of cases) {
      const m = onlyMessage(inbound({ from: FROM, id: `wamid.${type}`, timestamp: '1744344496', type, [type]: object }));
      expect(m.type, type).to.equal(type);
      expect(m, type).to.deep.include(expected);
      expect(m.media?.id, type).to.equal('1003383421387256');
      expect(m.content, type).to.deep.equal(object);
    }
  });

  it('location: coordinates in content, name and address as text', () => {
    const location = { address: '101 Forest Ave, Palo Alto, CA 94301', latitude: 37.44221496582, longitude: -122.16165924072, name: 'Philz Coffee', url: 'https://philzcoffee.com/' };
    const m = onlyMessage(inbound({ from: FROM, id: 'wamid.loc', timestamp: '1744344496', location, type: 'location' }));
    expect(m.type).to.equal('location');
    expect(m.text).to.equal('Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301');
    expect(m.content).to.deep.equal(location);
  });

  it('contacts: the shared cards in content, their names as text', () => {
    const contacts = [{ name: { first_name: 'Lucía', last_name: 'Gómez', formatted_name: 'Lucía Gómez' }, org: { company: 'Google' }, phones: [{ phone: '+1 (983) 555-2319', wa_id: '19835552319', type: 'MOBILE' }] }];
    const m = onlyMessage(inbound({ from: FROM, id: 'wamid.contacts', timestamp: '1744344496', type: 'contacts', contacts }));
    expect(m.type).to.equal('contacts');
    expect(m.text).to.equal('Lucía Gómez');
    expect(m.content).to.deep.equal({ contacts });
  });

  it('interactive button_reply and list_reply: the tapped title as text, the replied-to wamid as context', () => {
    const button = onlyMessage(inbound({
      context: { from: DISPLAY, id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA' }, from: FROM, id: 'wamid.br', timestamp: '1750025136',
      type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'cancel-button', title: 'Cancel' } },
    }));
    expect(button).to.deep.include({ type: 'interactive', text: 'Cancel', contextWamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3MEM2RUJFNkI0RENGQTVDRjUA' });
    expect(button.content).to.deep.equal({ type: 'button_reply', button_reply: { id: 'cancel-button', title: 'Cancel' } });
    const list = onlyMessage(inbound({
      context: { from: DISPLAY, id: 'wamid.list' }, from: FROM, id: 'wamid.lr', timestamp: '1749854575',
      type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' } },
    }));
    expect(list).to.deep.include({ type: 'interactive', text: 'Priority Mail Express', contextWamid: 'wamid.list' });
  });

  it('button (template quick reply): the label as text', () => {
    const m = onlyMessage(inbound({
      context: { from: DISPLAY, id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA' }, from: FROM, id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUU0M0MxQzQzMUJCMTMwNUZFOQA=',
      timestamp: '1750091045', type: 'button', button: { payload: 'Unsubscribe', text: 'Unsubscribe' },
    }));
    expect(m).to.deep.include({ type: 'button', text: 'Unsubscribe', contextWamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJFNjk2OTMwNEZCQjhGMzUyQUYA' });
  });

  it('reaction: the reacted-to wamid and the emoji; a removed reaction has an empty emoji', () => {
    const m = onlyMessage(inbound({ from: FROM, id: 'wamid.r1', timestamp: '1749419544', type: 'reaction', reaction: { message_id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA', emoji: '👍' } }));
    expect(m.reaction).to.deep.equal({ wamid: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI0RTJEOTc2ODVERUY5RDlGNkYA', emoji: '👍' });
    expect(m.text).to.equal(null);
    const removed = onlyMessage(inbound({ from: FROM, id: 'wamid.r2', timestamp: '1749419545', type: 'reaction', reaction: { message_id: 'wamid.x' } }));
    expect(removed.reaction).to.deep.equal({ wamid: 'wamid.x', emoji: '' });
  });

  it('order: the cart in content', () => {
    const order = { catalog_id: '194836987003835', text: '', product_items: [{ product_retailer_id: 'di9ozbzfi4', quantity: 2, item_price: 30, currency: 'USD' }, { product_retailer_id: 'nqryix03ez', quantity: 1, item_price: 25, currency: 'USD' }] };
    const m = onlyMessage(inbound({ from: FROM, id: 'wamid.order', timestamp: '1750096325', type: 'order', order }));
    expect(m).to.deep.include({ type: 'order', text: null });
    expect(m.content).to.deep.equal(order);
  });

  it('system (number change) arrives without contacts: no profile name', () => {
    const m = onlyMessage(inbound({
      from: FROM, id: 'wamid.HBgLMTk4MzU1NTE5NzQVAgASGAoxMTgyMDg2MjY3AA==', timestamp: '1750269342', type: 'system',
      system: { body: 'User Sheena Nelson changed from 16505551234 to 12195555358', wa_id: '12195555358', type: 'user_changed_number' },
    }, null));
    expect(m).to.deep.include({ type: 'system', profileName: null, text: 'User Sheena Nelson changed from 16505551234 to 12195555358' });
    expect(m.content).to.deep.include({ wa_id: '12195555358', type: 'user_changed_number' });
  });

  it('unsupported (Meta\'s example): errors kept in content', () => {
    const errors = [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }];
    const m = onlyMessage(inbound({ from: FROM, id: 'wamid.u', timestamp: '1750090702', errors, type: 'unsupported' }));
    expect(m).to.deep.include({ type: 'unsupported', text: null, media: null });
    expect(m.content).to.deep.equal({ errors });
  });
});

describe('parseWebhook: leniency', () => {
  it('maps an unknown type to unsupported without losing the rest of the batch', () => {
    const body = notification({
      contacts: CONTACTS,
      messages: [
        { from: FROM, id: 'wamid.1', timestamp: '1750000000', type: 'text', text: { body: 'before' } },
        { from: FROM, id: 'wamid.2', timestamp: '1750000001', type: 'hologram', hologram: { frames: 3 } },
        { from: FROM, id: 'wamid.3', timestamp: '1750000002', type: 'unknown', errors: [{ code: 131051, title: 'Message type unknown' }] },
        { from: FROM, id: 'wamid.4', timestamp: '1750000003', type: 'text', text: { body: 'after' } },
      ],
    });
    const events = parseWebhook(body).events as InboundMessage[];
    expect(events.map((e) => [e.wamid, e.type])).to.deep.equal([['wamid.1', 'text'], ['wamid.2', 'unsupported'], ['wamid.3', 'unsupported'], ['wamid.4', 'text']]);
    expect(events[1]!.content).to.deep.equal({ type: 'hologram', hologram: { frames: 3 } });
    expect(events[2]!.content).to.deep.equal({ type: 'unknown', errors: [{ code: 131051, title: 'Message type unknown' }] });
  });

  it('turns a known type whose object is malformed into unsupported, keeping what was sent', () => {
    const m = onlyMessage(inbound({ from: FROM, id: 'wamid.bad', timestamp: '1750000000', type: 'image', image: { caption: 'no id' } }));
    expect(m.type).to.equal('unsupported');
    expect(m.media).to.equal(null);
    expect(m.content).to.deep.equal({ type: 'image', image: { caption: 'no id' } });
  });

  it('passes unknown fields through and keeps raw exactly as sent', () => {
    const message = { from: FROM, id: 'wamid.extra', timestamp: '1750000000', type: 'text', text: { body: 'hi', future_flag: true }, brand_new: { a: 1 } };
    const m = onlyMessage(notification({ contacts: CONTACTS, messages: [message], something_new: [1, 2] }));
    expect(m.content).to.deep.equal({ body: 'hi', future_flag: true });
    expect(m.raw).to.deep.equal(message);
  });

  it('takes the profile name of the matching contact, or of the only contact when the ids differ', () => {
    const two = notification({ contacts: [{ profile: { name: 'Other' }, wa_id: '447700900123' }, { profile: { name: 'Sheena' }, wa_id: FROM }], messages: [{ from: FROM, id: 'wamid.a', timestamp: '1', type: 'text', text: { body: 'x' } }] });
    expect(onlyMessage(two).profileName).to.equal('Sheena');
    const differs = notification({ contacts: [{ profile: { name: 'Sheena' }, wa_id: '16505559999' }], messages: [{ from: FROM, id: 'wamid.b', timestamp: '1', type: 'text', text: { body: 'x' } }] });
    expect(onlyMessage(differs).profileName).to.equal('Sheena');
  });
});

describe('parseWebhook: statuses', () => {
  const status = (extra: Record<string, unknown>) => notification({ statuses: [{ id: 'wamid.out1', timestamp: '1750263773', recipient_id: FROM, ...extra }] });

  it('sent, with the conversation and pricing objects (per-conversation model)', () => {
    const s = onlyStatus(status({
      status: 'sent',
      conversation: { id: 'a6bc8f2e0d8e0c7f3e3fa05b2b7c1c0b', expiration_timestamp: '1750350173', origin: { type: 'utility' } },
      pricing: { billable: true, pricing_model: 'CBP', category: 'utility' },
    }));
    expect(s).to.deep.include({ kind: 'status', phoneNumberId: PHONE_ID, wamid: 'wamid.out1', status: 'sent', recipientId: FROM, errors: [] });
    expect(s.timestamp.toISOString()).to.equal('2025-06-18T16:22:53.000Z');
    expect(s.pricing).to.deep.equal({ billable: true, pricingModel: 'CBP', category: 'utility' });
    expect(s.conversation?.id).to.equal('a6bc8f2e0d8e0c7f3e3fa05b2b7c1c0b');
    expect(s.conversation?.origin).to.equal('utility');
    expect(s.conversation?.expiresAt?.getTime()).to.equal(1750350173000);
  });

  it('delivered and read under per-message pricing (PMP) with its type; played for voice', () => {
    const delivered = onlyStatus(status({ status: 'delivered', pricing: { billable: true, pricing_model: 'PMP', category: 'marketing', type: 'regular' } }));
    expect(delivered.status).to.equal('delivered');
    expect(delivered.pricing).to.deep.equal({ billable: true, pricingModel: 'PMP', category: 'marketing', type: 'regular' });
    expect(delivered.conversation).to.equal(null);
    const read = onlyStatus(status({ status: 'read' }));
    expect(read).to.deep.include({ status: 'read', pricing: null, conversation: null });
    expect(onlyStatus(status({ status: 'played' })).status).to.equal('played');
  });

  it('failed, with every error\'s code, title, message and details', () => {
    const s = onlyStatus(status({
      status: 'failed',
      errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' }],
    }));
    expect(s.status).to.equal('failed');
    expect(s.errors).to.deep.equal([{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' }]);
  });

  it('keeps a status value Meta may add later as an `other` event instead of refusing the batch', () => {
    const events = parseWebhook(notification({ statuses: [{ id: 'wamid.x', status: 'deleted', timestamp: '1', recipient_id: FROM }, { id: 'wamid.y', status: 'read', timestamp: '2', recipient_id: FROM }] })).events;
    expect(events.map((e) => e.kind)).to.deep.equal(['other', 'status']);
  });

  it('carries messages and statuses of the same change in order, and value-level errors as `other`', () => {
    const body = notification({
      contacts: CONTACTS,
      messages: [{ from: FROM, id: 'wamid.in', timestamp: '1', type: 'text', text: { body: 'hi' } }],
      statuses: [{ id: 'wamid.out', status: 'delivered', timestamp: '2', recipient_id: FROM }],
      errors: [{ code: 131000, title: 'Something went wrong' }],
    });
    expect(parseWebhook(body).events.map((e) => e.kind)).to.deep.equal(['message', 'status', 'other']);
  });
});

describe('parseWebhook: account-level changes', () => {
  it('message_template_status_update: approved (reason NONE is no reason) and rejected with a reason', () => {
    const approved = parseWebhook(notification({ event: 'APPROVED', message_template_id: 1689556908129832, message_template_name: 'order_confirmation', message_template_language: 'en_US', reason: 'NONE' }, 'message_template_status_update'));
    expect(approved.events[0]).to.deep.include({ kind: 'template_status', wabaId: WABA, templateId: '1689556908129832', name: 'order_confirmation', language: 'en_US', status: 'APPROVED', reason: null });
    expect(approved.phoneNumberIds).to.deep.equal([]);
    const rejected = parseWebhook({ object: 'whatsapp_business_account', entry: [{ id: WABA, time: 1751247548, changes: [{ field: 'message_template_status_update', value: { event: 'REJECTED', message_template_id: '1689556908129833', message_template_name: 'promo', message_template_language: 'fr', reason: 'INVALID_FORMAT' } }] }] });
    expect(rejected.events[0]).to.deep.include({ status: 'REJECTED', reason: 'INVALID_FORMAT', templateId: '1689556908129833' });
  });

  it('phone_number_quality_update: the event and the new messaging limit', () => {
    const body = { object: 'whatsapp_business_account', entry: [{ id: WABA, time: 1751247548, changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: DISPLAY, event: 'UPGRADE', current_limit: 'TIER_10K', old_limit: 'TIER_2K' } }] }] };
    expect(parseWebhook(body).events[0]).to.deep.include({ kind: 'quality', wabaId: WABA, displayPhoneNumber: DISPLAY, event: 'UPGRADE', currentLimit: 'TIER_10K', qualityRating: null });
    const flagged = { ...body, entry: [{ id: WABA, changes: [{ field: 'phone_number_quality_update', value: { display_phone_number: DISPLAY, event: 'FLAGGED', quality_rating: 'RED' } }] }] };
    expect(parseWebhook(flagged).events[0]).to.deep.include({ event: 'FLAGGED', currentLimit: null, qualityRating: 'RED' });
  });

  it('account_update and fields the connector does not interpret come out as `other` with their WABA', () => {
    const body = { object: 'whatsapp_business_account', entry: [{ id: WABA, changes: [
      { field: 'account_update', value: { phone_number: DISPLAY, event: 'VERIFIED_ACCOUNT' } },
      { field: 'group_lifecycle_update', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: DISPLAY, phone_number_id: PHONE_ID }, groups: [] } },
    ] }] };
    const events = parseWebhook(body).events;
    expect(events).to.deep.equal([
      { kind: 'other', field: 'account_update', wabaId: WABA, raw: { phone_number: DISPLAY, event: 'VERIFIED_ACCOUNT' } },
      { kind: 'other', field: 'group_lifecycle_update', wabaId: WABA, raw: body.entry[0]!.changes[1]!.value },
    ]);
  });
});

describe('parseWebhook: batches', () => {
  it("flattens 1,000 changes (10 WABAs x 100 numbers' changes) in order, listing each number and WABA once", function () {
    this.timeout(10_000);
    const entry = Array.from({ length: 10 }, (_, e) => ({
      id: `waba-${e}`,
      changes: Array.from({ length: 100 }, (_, c) => ({
        field: 'messages',
        value: {
          messaging_product: 'whatsapp',
          metadata: { display_phone_number: DISPLAY, phone_number_id: `phone-${c % 20}` },
          contacts: [{ profile: { name: `User ${e}-${c}` }, wa_id: `4479${String(e * 100 + c).padStart(8, '0')}` }],
          messages: [{ from: `4479${String(e * 100 + c).padStart(8, '0')}`, id: `wamid.${e}.${c}`, timestamp: String(1750000000 + c), type: 'text', text: { body: `message ${e}-${c}` } }],
          statuses: [{ id: `wamid.out.${e}.${c}`, status: 'delivered', timestamp: String(1750000000 + c), recipient_id: '447900000000' }],
        },
      })),
    }));
    const started = process.hrtime.bigint();
    const parsed = parseWebhook({ object: 'whatsapp_business_account', entry });
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    expect(parsed.events).to.have.length(2000);
    const messages = parsed.events.filter((e): e is InboundMessage => e.kind === 'message');
    expect(messages).to.have.length(1000);
    expect(messages[0]!.wamid).to.equal('wamid.0.0');
    expect(messages[999]!.wamid).to.equal('wamid.9.99');
    expect(messages[573]!).to.deep.include({ wabaId: 'waba-5', profileName: 'User 5-73', text: 'message 5-73' });
    expect(parsed.phoneNumberIds).to.have.length(20);
    expect(parsed.wabaIds).to.deep.equal(Array.from({ length: 10 }, (_, e) => `waba-${e}`));
    // Meta's advice is a median webhook latency under 250 ms; parsing the largest batch Meta
    // sends (about 70 ms here, cold) must stay a fraction of a second even on a busy machine.
    expect(elapsedMs).to.be.below(2000);
  });
});

describe('parseWebhook: not a Meta webhook', () => {
  const bad: Array<[string, unknown, string]> = [
    ['null', null, ''],
    ['a string', 'hello', ''],
    ['an array', [], ''],
    ['another object type', { object: 'page', entry: [] }, 'object'],
    ['no entry', { object: 'whatsapp_business_account' }, 'entry'],
    ['changes not a list', { object: 'whatsapp_business_account', entry: [{ id: WABA, changes: {} }] }, 'entry[0].changes'],
    ['a change without value', { object: 'whatsapp_business_account', entry: [{ id: WABA, changes: [{ field: 'messages' }] }] }, 'entry[0].changes[0].value'],
    ['messages without metadata', { object: 'whatsapp_business_account', entry: [{ id: WABA, changes: [{ field: 'messages', value: { messages: [] } }] }] }, 'entry[0].changes[0].value.metadata'],
    ['a message without id', notification({ messages: [{ from: FROM, timestamp: '1', type: 'text', text: { body: 'x' } }] }), 'entry[0].changes[0].value.messages[0].id'],
    ['a status with a bad timestamp', notification({ statuses: [{ id: 'w', status: 'read', timestamp: 'yesterday', recipient_id: FROM }] }), 'entry[0].changes[0].value.statuses[0].timestamp'],
    ['a template update without a name', notification({ event: 'APPROVED', message_template_id: 1, message_template_language: 'en' }, 'message_template_status_update'), 'entry[0].changes[0].value.message_template_name'],
  ];
  for (const [label, body, pathName] of bad) {
    it(`refuses ${label}, naming ${pathName || 'the root'}`, () => {
      let caught: unknown = null;
      try {
        parseWebhook(body);
      } catch (err) {
        caught = err;
      }
      expect(caught).to.be.instanceOf(ParseError);
      expect((caught as ParseError).path).to.equal(pathName);
      expect((caught as ParseError).message).to.include(pathName || '(root)');
    });
  }
});

describe("parseWebhook: every example in Meta's OpenAPI document", () => {
  it('parses each `/whatsapp/webhooks` example into the event its name announces', function () {
    this.timeout(30_000); // reading the 30,000-line YAML document takes a while on a busy machine
    const doc = metaOpenApiDocument() as any;
    const examples = doc.paths['/whatsapp/webhooks'].post.requestBody.content['application/json'].examples as Record<string, { value: unknown }>;
    const expectedType: Record<string, string> = {
      'Text Message': 'text', 'Text Message with Context (Product Inquiry)': 'text', 'Text Message from Click to WhatsApp Ad': 'text',
      'Reaction Message': 'reaction', 'Image Message': 'image', 'Location Message': 'location', 'Contact Sharing Message': 'contacts',
      'Unsupported Message': 'unsupported', 'Button Message': 'button', 'Interactive List Reply Message': 'interactive',
      'Interactive Button Reply Message': 'interactive', 'Order Message': 'order', 'System Message': 'system',
    };
    expect(Object.keys(examples).length).to.be.greaterThan(10);
    for (const [name, { value }] of Object.entries(examples)) {
      const events: WebhookEvent[] = parseWebhook(value).events;
      expect(events, name).to.have.length(1);
      const event = events[0]!;
      if (expectedType[name]) {
        expect(event.kind, name).to.equal('message');
        expect((event as InboundMessage).type, name).to.equal(expectedType[name]);
      } else {
        expect(event.kind, name).to.equal('other'); // group notifications
      }
    }
  });
});
