import type { Core } from './core';
import { GraphError } from './errors';
import { digitsOf, newWamid, unixSeconds } from './ids';
import { mediaKindOf } from './media';
import type { ConversationState, MessageRecord, NumberState } from './state';
import type { CustomerMessage } from './types';
import { envelope } from './webhooks';

type Obj = Record<string, unknown>;

export type CustomerInput = { phoneNumberId: string; from: string; profileName?: string; message: CustomerMessage };

/** A customer message the sandbox cannot produce (unknown number, a button that does not exist...). */
export class CustomerInputError extends Error {}

type Built = { number: NumberState; conv: ConversationState; value: Obj };

/**
 * Records a customer's message and builds its webhook `value` as Meta shapes it: metadata,
 * contacts [{profile: {name}, wa_id}] and messages [{from, id, timestamp, type, <type object>, context?}].
 * Media bytes are stored, and the webhook carries their media id.
 */
export function buildInbound(core: Core, input: CustomerInput): Built & { wamid: string } {
  const number = core.state.numbers.get(input.phoneNumberId);
  if (!number) {
    throw new CustomerInputError(`Unknown sandbox phone number id: ${input.phoneNumberId}`);
  }
  const waId = digitsOf(input.from);
  if (waId.length < 6 || waId.length > 15) {
    throw new CustomerInputError(`A customer wa_id has 6 to 15 digits; got "${input.from}"`);
  }
  const conv = core.state.conversation(input.phoneNumberId, waId, input.profileName);
  const now = Date.now();
  const wamid = newWamid(waId, 'in');
  const { type, object } = typeObject(core, number, conv, input.message);
  const message: Obj = { from: waId, id: wamid, timestamp: unixSeconds(now), type, [type]: object };
  const context = input.message.context?.messageId;
  if (context) {
    if (!core.state.byWamid.has(context)) {
      throw new CustomerInputError(`No message ${context} to reply to`);
    }
    message.context = { from: number.digits, id: context };
  }
  const record: MessageRecord = { direction: 'in', wamid, type, body: object, context, status: 'received', atMs: now };
  core.state.addMessage(conv, record);
  // A customer's message opens (or renews) the 24-hour window, and counts against throughput.
  conv.lastInboundAt = now;
  number.bucket.drain();
  core.state.counters.messages.received += 1;
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: number.digits, phone_number_id: number.cfg.phoneNumberId },
    contacts: [{ profile: { name: conv.profileName }, wa_id: waId }],
    messages: [message],
  };
  return { number, conv, value, wamid };
}

/** One customer message, one signed webhook POST. */
export function customerSends(core: Core, input: CustomerInput): { wamid: string } {
  const built = buildInbound(core, input);
  core.webhooks.send(envelope(built.number.cfg.wabaId, [{ field: 'messages', value: built.value }]), built.number.cfg.appSecret, 'message');
  return { wamid: built.wamid };
}

/**
 * Many customer messages in one POST, as Meta may batch them: one entry per WABA, one change per
 * message. A POST is signed with one app secret, so numbers of different apps get separate POSTs.
 */
export function customerSendsBatch(core: Core, items: CustomerInput[]): { wamids: string[] } {
  const built = items.map((item) => buildInbound(core, item));
  const bySecret = new Map<string, Built[]>();
  for (const b of built) {
    const list = bySecret.get(b.number.cfg.appSecret) ?? [];
    list.push(b);
    bySecret.set(b.number.cfg.appSecret, list);
  }
  for (const [secret, list] of bySecret) {
    const entries = new Map<string, Obj[]>();
    for (const b of list) {
      const changes = entries.get(b.number.cfg.wabaId) ?? [];
      changes.push({ value: b.value, field: 'messages' });
      entries.set(b.number.cfg.wabaId, changes);
    }
    const payload = { object: 'whatsapp_business_account', entry: [...entries].map(([id, changes]) => ({ id, changes })) };
    core.webhooks.send(payload, secret, 'batch');
  }
  return { wamids: built.map((b) => b.wamid) };
}

function typeObject(core: Core, number: NumberState, conv: ConversationState, m: CustomerMessage): { type: string; object: unknown } {
  switch (m.type) {
    case 'text':
      if (!m.body) {
        throw new CustomerInputError('A text message needs a body');
      }
      return { type: 'text', object: { body: m.body } };
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return { type: m.type, object: storeMedia(core, number, m) };
    case 'location':
      return {
        type: 'location',
        object: { latitude: m.latitude, longitude: m.longitude, ...pick(m, ['name', 'address', 'url']) },
      };
    case 'contacts':
      return { type: 'contacts', object: m.contacts };
    case 'button_reply': {
      const action = businessMessage(conv, m.context.messageId, 'interactive').action as Obj | undefined;
      const buttons = (action?.buttons ?? []) as Array<{ reply?: { id?: string; title?: string } }>;
      const button = buttons.find((b) => b.reply?.id === m.id);
      if (!button) {
        throw new CustomerInputError(`Message ${m.context.messageId} has no reply button "${m.id}"`);
      }
      return { type: 'interactive', object: { type: 'button_reply', button_reply: { id: m.id, title: m.title ?? button.reply!.title } } };
    }
    case 'list_reply': {
      const action = businessMessage(conv, m.context.messageId, 'interactive').action as Obj | undefined;
      const rows = ((action?.sections ?? []) as Array<{ rows?: Obj[] }>).flatMap((s) => s.rows ?? []);
      const row = rows.find((r) => r.id === m.id);
      if (!row) {
        throw new CustomerInputError(`Message ${m.context.messageId} has no list row "${m.id}"`);
      }
      const description = m.description ?? row.description;
      return {
        type: 'interactive',
        object: { type: 'list_reply', list_reply: { id: m.id, title: m.title ?? row.title, ...(description !== undefined ? { description } : {}) } },
      };
    }
    case 'button':
      return { type: 'button', object: { payload: quickReplyPayload(core, number, conv, m), text: m.text } };
    case 'reaction': {
      const target = core.state.byWamid.get(m.messageId);
      if (!target || target.conv !== conv) {
        throw new CustomerInputError(`No message ${m.messageId} in this conversation to react to`);
      }
      // Removing a reaction sends the reaction without an emoji.
      return { type: 'reaction', object: { message_id: m.messageId, ...(m.emoji ? { emoji: m.emoji } : {}) } };
    }
  }
}

function storeMedia(core: Core, number: NumberState, m: Extract<CustomerMessage, { bytes: Uint8Array }>): Obj {
  const kind = mediaKindOf(m.mimeType);
  if (m.type !== 'document' && kind !== m.type) {
    throw new CustomerInputError(`A ${m.type} cannot be of type ${m.mimeType}`);
  }
  let stored;
  try {
    stored = core.media.put({
      phoneNumberId: number.cfg.phoneNumberId,
      mimeType: m.mimeType,
      bytes: Buffer.from(m.bytes),
      filename: m.filename,
      inbound: true,
      as: m.type,
    });
  } catch (err) {
    throw new CustomerInputError(err instanceof GraphError ? err.details : String(err));
  }
  // Webhooks carry the SHA-256 in base64, as in Meta's examples.
  const object: Obj = { mime_type: m.mimeType, sha256: stored.sha256Base64, id: stored.id };
  if (m.caption && (m.type === 'image' || m.type === 'video' || m.type === 'document')) {
    object.caption = m.caption;
  }
  if (m.type === 'document') {
    object.filename = m.filename ?? 'document';
  }
  if (m.type === 'audio') {
    object.voice = m.voice ?? false;
  }
  if (m.type === 'sticker') {
    object.animated = stored.animated;
  }
  return object;
}

/** The business message a tap refers to, which must be of `type` and in this conversation. */
function businessMessage(conv: ConversationState, wamid: string, type: string): Obj {
  const record = conv.messages.find((r) => r.wamid === wamid);
  if (!record || record.direction !== 'out' || record.type !== type) {
    throw new CustomerInputError(`Message ${wamid} is not a business ${type} message of this conversation`);
  }
  return record.body as Obj;
}

/** A template quick reply carries the payload the business set for that button, else the button's text. */
function quickReplyPayload(core: Core, number: NumberState, conv: ConversationState, m: Extract<CustomerMessage, { type: 'button' }>): string {
  const sent = businessMessage(conv, m.context.messageId, 'template');
  const template = core.templates.find(number.cfg.wabaId, String(sent.name), String((sent.language as Obj | undefined)?.code));
  const buttons = (template?.components.find((c) => String(c.type).toUpperCase() === 'BUTTONS')?.buttons ?? []) as Obj[];
  const index = buttons.findIndex((b) => b.type === 'QUICK_REPLY' && b.text === m.text);
  if (index < 0) {
    throw new CustomerInputError(`Template message ${m.context.messageId} has no quick reply "${m.text}"`);
  }
  if (m.payload !== undefined) {
    return m.payload;
  }
  const param = ((sent.components ?? []) as Obj[])
    .filter((c) => c.type === 'button' && Number(c.index) === index)
    .flatMap((c) => (c.parameters ?? []) as Obj[])
    .find((p) => p.type === 'payload');
  return typeof param?.payload === 'string' ? param.payload : m.text;
}

function pick(source: Obj | object, keys: string[]): Obj {
  const out: Obj = {};
  for (const key of keys) {
    const value = (source as Obj)[key];
    if (value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}
