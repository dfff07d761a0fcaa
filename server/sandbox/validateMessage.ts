import { metaError } from './errors';
import { digitsOf } from './ids';
import type { MediaStore } from './media';
import { mediaKindOf } from './media';
import type { TemplateRecord, TemplateStore } from './templates';
import { validateInteractive } from './validateInteractive';
import { validateTemplateSend } from './validateTemplate';
import { at, isHttpUrl, onlyKeys, optionalString, requireArray, requireObject, requireString, type Obj } from './validateCommon';

/** The message types the Cloud API sends. */
const SEND_TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction'];
const TOP_LEVEL_KEYS = ['messaging_product', 'recipient_type', 'to', 'type', 'context', 'biz_opaque_callback_data'];
/** Text bodies: at most 4,096 characters. Captions: 1,024. biz_opaque_callback_data: 512. */
const TEXT_MAX = 4096;
const CAPTION_MAX = 1024;
const OPAQUE_MAX = 512;
/** Which media fields each type takes (audio and stickers carry no caption). */
const MEDIA_KEYS: Record<string, string[]> = {
  image: ['id', 'link', 'caption'],
  video: ['id', 'link', 'caption'],
  document: ['id', 'link', 'caption', 'filename'],
  audio: ['id', 'link'],
  sticker: ['id', 'link'],
};

export type ValidatedSend = {
  /** As given, echoed in `contacts[].input`. */
  to: string;
  waId: string;
  type: string;
  /** The type's object, e.g. `{body}` for text (an array for contacts). */
  content: unknown;
  context?: string;
  opaque?: string;
  template?: TemplateRecord;
};

export type SendDeps = {
  phoneNumberId: string;
  wabaId: string;
  media: MediaStore;
  templates: TemplateStore;
  /** True when `wamid` is a message of this number's conversation with `waId`. */
  knowsMessage: (waId: string, wamid: string) => boolean;
};

/** True for a mark-as-read request (`status: 'read'`) rather than a message. */
export function isMarkRead(body: Obj): boolean {
  return body.status !== undefined;
}

/** Checks the top level shared by messages and mark-as-read. */
export function requireWhatsapp(body: Obj): void {
  if (body.messaging_product === undefined) {
    throw metaError(131008, 'The parameter messaging_product is required.');
  }
  if (body.messaging_product !== 'whatsapp') {
    throw metaError(100, `Param messaging_product must be one of {WHATSAPP} - got "${String(body.messaging_product)}".`);
  }
}

/** Validates a mark-as-read request; answers the message id. */
export function validateMarkRead(body: Obj): string {
  requireWhatsapp(body);
  onlyKeys(body, ['messaging_product', 'status', 'message_id', 'typing_indicator', 'recipient_type'], 'message');
  if (body.status !== 'read') {
    throw metaError(100, `Param status must be one of {READ} - got "${String(body.status)}".`);
  }
  if (body.typing_indicator !== undefined) {
    const indicator = requireObject(body.typing_indicator, 'typing_indicator');
    if (indicator.type !== 'text') {
      throw metaError(100, 'Param typing_indicator[\'type\'] must be one of {TEXT}.');
    }
  }
  return requireString(body.message_id, 'message_id');
}

/** Validates a send request as the Cloud API does, answering what the sandbox needs to deliver it. */
export function validateSend(body: Obj, deps: SendDeps): ValidatedSend {
  requireWhatsapp(body);
  // Meta treats a missing type as text (see its "Send Text Message with Preview URL" example).
  const type = body.type === undefined ? 'text' : body.type;
  if (typeof type !== 'string' || !SEND_TYPES.includes(type)) {
    throw metaError(100, `Param type must be one of {${SEND_TYPES.map((t) => t.toUpperCase()).join(', ')}} - got "${String(type)}".`);
  }
  onlyKeys(body, [...TOP_LEVEL_KEYS, type], 'message');
  if (body.recipient_type !== undefined && body.recipient_type !== 'individual') {
    throw metaError(131009, 'The sandbox supports recipient_type "individual" only.');
  }
  const to = requireString(body.to, 'to');
  const waId = digitsOf(to);
  // E.164 numbers have at most 15 digits; anything else is not a WhatsApp user.
  if (waId.length < 6 || waId.length > 15 || /[^\d\s+\-().]/.test(to)) {
    throw metaError(131009, `Param to is not a valid phone number: "${to}".`);
  }
  const opaque = optionalString(body.biz_opaque_callback_data, 'biz_opaque_callback_data', OPAQUE_MAX);
  let context: string | undefined;
  if (body.context !== undefined) {
    const ctx = requireObject(body.context, 'context');
    onlyKeys(ctx, ['message_id'], 'context');
    context = requireString(ctx.message_id, at('context', 'message_id'));
  }
  if (type === 'contacts') {
    validateContacts(body.contacts);
    return { to, waId, type, content: body.contacts, context, opaque };
  }
  const content = requireObject(body[type], type);
  let template: TemplateRecord | undefined;
  switch (type) {
    case 'text':
      validateText(content);
      break;
    case 'location':
      validateLocation(content);
      break;
    case 'reaction':
      validateReaction(content, waId, deps);
      break;
    case 'interactive':
      validateInteractive(content, deps);
      break;
    case 'template':
      template = validateTemplateSend(content, deps.wabaId, deps.templates);
      break;
    default:
      validateMedia(type, content, deps);
  }
  return { to, waId, type, content, context, opaque, template };
}

/** `contacts` is the one type whose object is an array: each contact needs `name.formatted_name`. */
function validateContacts(value: unknown): void {
  const list = requireArray(value, 'contacts', 1, 257);
  list.forEach((raw, i) => {
    const path = at('contacts', i);
    const contact = requireObject(raw, path);
    onlyKeys(contact, ['addresses', 'birthday', 'emails', 'name', 'org', 'phones', 'urls'], path);
    const name = requireObject(contact.name, at(path, 'name'));
    requireString(name.formatted_name, at(at(path, 'name'), 'formatted_name'));
  });
}

function validateText(text: Obj): void {
  onlyKeys(text, ['body', 'preview_url'], 'text');
  requireString(text.body, at('text', 'body'), 1, TEXT_MAX);
  if (text.preview_url !== undefined && typeof text.preview_url !== 'boolean') {
    throw metaError(100, "Param text['preview_url'] must be a boolean.");
  }
}

function validateMedia(type: string, media: Obj, deps: SendDeps): void {
  onlyKeys(media, MEDIA_KEYS[type]!, type);
  optionalString(media.caption, at(type, 'caption'), CAPTION_MAX);
  optionalString(media.filename, at(type, 'filename'), 240);
  if (media.id !== undefined && media.link !== undefined) {
    throw metaError(100, `Param ${type} must contain exactly one of {id, link}.`);
  }
  if (media.id === undefined && media.link === undefined) {
    throw metaError(131008, `The parameter ${at(type, 'id')} or ${at(type, 'link')} is required.`);
  }
  if (media.link !== undefined) {
    const link = requireString(media.link, at(type, 'link'));
    if (!isHttpUrl(link)) {
      throw metaError(131009, `Param ${at(type, 'link')} must be an HTTP or HTTPS URL.`);
    }
    return;
  }
  const id = requireString(media.id, at(type, 'id'));
  const stored = deps.media.get(id);
  if (!stored || stored.phoneNumberId !== deps.phoneNumberId) {
    throw metaError(131009, `Param ${at(type, 'id')} is not a valid media id for this phone number: ${id}.`);
  }
  const kind = mediaKindOf(stored.mimeType);
  // Any accepted file may travel as a document; the other types need their own kind of media.
  if (type !== 'document' && kind !== type) {
    throw metaError(131009, `Media ${id} is ${stored.mimeType}, which cannot be sent as ${type}.`);
  }
}

function validateLocation(location: Obj): void {
  onlyKeys(location, ['latitude', 'longitude', 'name', 'address'], 'location');
  for (const [key, limit] of [['latitude', 90], ['longitude', 180]] as const) {
    const raw = location[key];
    if (raw === undefined) {
      throw metaError(131008, `The parameter ${at('location', key)} is required.`);
    }
    const value = typeof raw === 'string' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > limit) {
      throw metaError(131009, `Param ${at('location', key)} must be a number between -${limit} and ${limit}.`);
    }
  }
  optionalString(location.name, at('location', 'name'), 1000);
  optionalString(location.address, at('location', 'address'), 1000);
}

function validateReaction(reaction: Obj, waId: string, deps: SendDeps): void {
  onlyKeys(reaction, ['message_id', 'emoji'], 'reaction');
  const messageId = requireString(reaction.message_id, at('reaction', 'message_id'));
  if (reaction.emoji === undefined) {
    throw metaError(131008, "The parameter reaction['emoji'] is required.");
  }
  const emoji = requireString(reaction.emoji, at('reaction', 'emoji'), 0, 16);
  // An empty emoji removes the reaction; otherwise it must be one emoji.
  if (emoji !== '' && !/^(\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3)/u.test(emoji)) {
    throw metaError(131009, `Param ${at('reaction', 'emoji')} must be a single emoji.`);
  }
  if (!deps.knowsMessage(waId, messageId)) {
    throw metaError(131009, `Param ${at('reaction', 'message_id')} does not name a message of this conversation.`);
  }
}
