// Flattens a verified webhook notification (up to 1,000 changes in one POST) into a list of
// normalized events. Structural problems (not a Meta webhook) raise ParseError naming the
// path; a message of a type we do not know, or whose type object is malformed, becomes an
// `unsupported` message rather than failing the batch, which Meta would retry for days.
// Text a database cannot keep (U+0000, lone surrogates) is replaced in every field of the
// events; each event's `raw` is the part of the body exactly as Meta sent it.
import type { z } from 'zod';
import {
  accountUpdateValueSchema,
  contentSchemas,
  isMessageType,
  MEDIA_TYPES,
  messagesValueSchema,
  qualityValueSchema,
  STATUS_VALUES,
  templateStatusValueSchema,
  webhookEnvelopeSchema,
  type BaseMessage,
  type ErrorObject,
  type MessagesValue,
  type MessageType,
  type StatusObject,
} from './webhookSchema';
import type { InboundMessage, ParsedWebhook, StatusError, StatusUpdate, WebhookEvent } from './webhookEvents';
import { NestingTooDeep, storableJson } from './webhookText';

export type {
  InboundMessage,
  OtherEvent,
  ParsedWebhook,
  QualityUpdate,
  StatusError,
  StatusUpdate,
  TemplateStatusUpdate,
  WebhookEvent,
} from './webhookEvents';

/** A body that is not a WhatsApp Business Account notification; `path` names the first bad field. */
export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`not a WhatsApp webhook: ${path || '(root)'}: ${detail}`);
  }
}

type Path = Array<string | number>;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') {
      out += `[${part}]`;
    } else {
      out += out.length === 0 ? String(part) : `.${String(part)}`;
    }
  }
  return out;
}

function parseAt<S extends z.ZodType>(schema: S, value: unknown, at: Path): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  throw new ParseError(formatPath([...at, ...(issue?.path ?? [])]), issue?.message ?? 'invalid');
}

function toDate(seconds: string | number): Date {
  return new Date(Number(seconds) * 1000);
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Walks the original body so `raw` is exactly what Meta sent (zod output may coerce fields). */
function rawAt(body: unknown, path: Path): unknown {
  let node: unknown = body;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) {
      return undefined;
    }
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

type Extracted = Pick<InboundMessage, 'text' | 'media' | 'reaction'> & { content: Record<string, unknown> };

/** Checks the type object of a known type; null when it is missing or malformed. */
function extract(type: Exclude<MessageType, 'unsupported'>, raw: unknown): Extracted | null {
  const none = { text: null, media: null, reaction: null };
  const content = asRecord(raw);
  if (MEDIA_TYPES.has(type)) {
    const r = contentSchemas.image.safeParse(raw);
    if (!r.success) {
      return null;
    }
    const m = r.data;
    const media = { id: m.id, mimeType: m.mime_type, sha256: m.sha256 ?? null, filename: m.filename ?? null };
    return { ...none, content, text: m.caption ?? null, media };
  }
  switch (type) {
    case 'text': {
      const r = contentSchemas.text.safeParse(raw);
      return r.success ? { ...none, content, text: r.data.body } : null;
    }
    case 'location': {
      const r = contentSchemas.location.safeParse(raw);
      if (!r.success) {
        return null;
      }
      const words = [r.data.name, r.data.address].filter((w): w is string => typeof w === 'string' && w.length > 0);
      return { ...none, content, text: words.length > 0 ? words.join(', ') : null };
    }
    case 'contacts': {
      const r = contentSchemas.contacts.safeParse(raw);
      if (!r.success) {
        return null;
      }
      const names = r.data.map((c) => c.name?.formatted_name).filter((n): n is string => typeof n === 'string');
      return { ...none, content: { contacts: raw }, text: names.length > 0 ? names.join(', ') : null };
    }
    case 'interactive': {
      const r = contentSchemas.interactive.safeParse(raw);
      if (!r.success) {
        return null;
      }
      const i = r.data;
      return { ...none, content, text: i.button_reply?.title ?? i.list_reply?.title ?? i.nfm_reply?.body ?? null };
    }
    case 'button': {
      const r = contentSchemas.button.safeParse(raw);
      return r.success ? { ...none, content, text: r.data.text } : null;
    }
    case 'reaction': {
      const r = contentSchemas.reaction.safeParse(raw);
      if (!r.success) {
        return null;
      }
      return { ...none, content, reaction: { wamid: r.data.message_id, emoji: r.data.emoji ?? '' } };
    }
    case 'order': {
      const r = contentSchemas.order.safeParse(raw);
      return r.success ? { ...none, content, text: r.data.text ? r.data.text : null } : null;
    }
    case 'system': {
      const r = contentSchemas.system.safeParse(raw);
      return r.success ? { ...none, content, text: r.data.body ?? null } : null;
    }
    default:
      return null;
  }
}

function unsupportedContent(declared: string, message: BaseMessage, rawMessage: unknown): Record<string, unknown> {
  const content: Record<string, unknown> = {};
  if (declared !== 'unsupported') {
    content.type = declared;
    const typeObject = asRecord(rawMessage)[declared];
    if (typeObject !== undefined) {
      content[declared] = typeObject;
    }
  }
  if (message.errors) {
    content.errors = asRecord(rawMessage).errors;
  }
  return content;
}

function profileNameOf(value: MessagesValue, from: string): string | null {
  const contacts = value.contacts ?? [];
  const match = contacts.find((c) => c.wa_id === from) ?? (contacts.length === 1 ? contacts[0] : undefined);
  return match?.profile?.name ?? null;
}

/** `message` and `cleanMessage` are the storable copies (parsed and as sent); `rawMessage` is exactly what Meta sent. */
function toInbound(message: BaseMessage, value: MessagesValue, wabaId: string, cleanMessage: unknown, rawMessage: unknown): InboundMessage {
  const declared = message.type;
  // Meta's documented alias: type "unknown" means unsupported.
  let type: MessageType = isMessageType(declared) ? declared : 'unsupported';
  let extracted: Extracted | null = null;
  if (type !== 'unsupported') {
    extracted = extract(type, asRecord(cleanMessage)[type]);
    if (!extracted) {
      type = 'unsupported';
    }
  }
  const result = extracted ?? { text: null, media: null, reaction: null, content: unsupportedContent(declared, message, cleanMessage) };
  return {
    kind: 'message',
    phoneNumberId: value.metadata.phone_number_id,
    wabaId,
    displayPhoneNumber: value.metadata.display_phone_number,
    from: message.from,
    profileName: profileNameOf(value, message.from),
    wamid: message.id,
    timestamp: toDate(message.timestamp),
    type,
    text: result.text,
    content: result.content,
    media: result.media,
    contextWamid: message.context?.id ?? null,
    reaction: result.reaction,
    raw: rawMessage,
  };
}

function toStatusErrors(errors: ErrorObject[] | undefined): StatusError[] {
  return (errors ?? []).map((e) => {
    const out: StatusError = { code: e.code, title: e.title ?? e.message ?? '' };
    if (e.message !== undefined) {
      out.message = e.message;
    }
    if (e.error_data?.details !== undefined) {
      out.details = e.error_data.details;
    }
    return out;
  });
}

function toStatus(s: StatusObject, phoneNumberId: string, raw: unknown): StatusUpdate | null {
  const status = STATUS_VALUES.find((v) => v === s.status);
  if (!status) {
    return null;
  }
  let pricing: StatusUpdate['pricing'] = null;
  if (s.pricing) {
    pricing = {};
    if (s.pricing.billable !== undefined) {
      pricing.billable = s.pricing.billable;
    }
    if (s.pricing.pricing_model !== undefined) {
      pricing.pricingModel = s.pricing.pricing_model;
    }
    if (s.pricing.category !== undefined) {
      pricing.category = s.pricing.category;
    }
    if (s.pricing.type !== undefined) {
      pricing.type = s.pricing.type;
    }
  }
  let conversation: StatusUpdate['conversation'] = null;
  if (s.conversation?.id) {
    conversation = { id: s.conversation.id };
    if (s.conversation.origin?.type !== undefined) {
      conversation.origin = s.conversation.origin.type;
    }
    if (s.conversation.expiration_timestamp !== undefined) {
      conversation.expiresAt = toDate(s.conversation.expiration_timestamp);
    }
  }
  return {
    kind: 'status',
    phoneNumberId,
    wamid: s.id,
    status,
    timestamp: toDate(s.timestamp),
    recipientId: s.recipient_id,
    errors: toStatusErrors(s.errors),
    pricing,
    conversation,
    raw,
  };
}

function messagesEvents(body: unknown, clean: unknown, at: Path, wabaId: string, events: WebhookEvent[]): string {
  const value = parseAt(messagesValueSchema, rawAt(clean, [...at, 'value']), [...at, 'value']);
  const phoneNumberId = value.metadata.phone_number_id;
  (value.messages ?? []).forEach((message, k) => {
    const path = [...at, 'value', 'messages', k];
    events.push(toInbound(message, value, wabaId, rawAt(clean, path), rawAt(body, path)));
  });
  (value.statuses ?? []).forEach((s, k) => {
    const raw = rawAt(body, [...at, 'value', 'statuses', k]);
    // A status value Meta adds later is kept for the record rather than refused.
    events.push(toStatus(s, phoneNumberId, raw) ?? { kind: 'other', field: 'messages', wabaId, raw });
  });
  if (value.errors && value.errors.length > 0) {
    events.push({ kind: 'other', field: 'messages', wabaId, raw: rawAt(body, [...at, 'value']) });
  }
  return phoneNumberId;
}

/** Flattens a Meta webhook body into normalized events; throws ParseError if it is not one. */
export function parseWebhook(body: unknown): ParsedWebhook {
  let clean: unknown;
  try {
    clean = storableJson(body);
  } catch (err) {
    if (err instanceof NestingTooDeep) {
      throw new ParseError('', err.message);
    }
    throw err;
  }
  const envelope = parseAt(webhookEnvelopeSchema, clean, []);
  const events: WebhookEvent[] = [];
  const phoneNumberIds = new Set<string>();
  const wabaIds = new Set<string>();
  envelope.entry.forEach((entry, i) => {
    const wabaId = entry.id;
    wabaIds.add(wabaId);
    entry.changes.forEach((change, j) => {
      const at: Path = ['entry', i, 'changes', j];
      const raw = rawAt(body, [...at, 'value']);
      switch (change.field) {
        case 'messages':
          phoneNumberIds.add(messagesEvents(body, clean, at, wabaId, events));
          break;
        case 'message_template_status_update': {
          const v = parseAt(templateStatusValueSchema, change.value, [...at, 'value']);
          const reason = v.reason === undefined || v.reason === null || v.reason === 'NONE' ? null : v.reason;
          events.push({
            kind: 'template_status',
            wabaId,
            templateId: v.message_template_id,
            name: v.message_template_name,
            language: v.message_template_language,
            status: v.event,
            reason,
            raw,
          });
          break;
        }
        case 'phone_number_quality_update': {
          const v = parseAt(qualityValueSchema, change.value, [...at, 'value']);
          events.push({
            kind: 'quality',
            wabaId,
            displayPhoneNumber: v.display_phone_number,
            event: v.event,
            currentLimit: v.current_limit ?? null,
            qualityRating: v.quality_rating ?? null,
            raw,
          });
          break;
        }
        case 'account_update':
          parseAt(accountUpdateValueSchema, change.value, [...at, 'value']);
          events.push({ kind: 'other', field: change.field, wabaId, raw });
          break;
        default:
          events.push({ kind: 'other', field: change.field, wabaId, raw });
      }
    });
  });
  return { events, phoneNumberIds: [...phoneNumberIds], wabaIds: [...wabaIds] };
}
