// Typed builders for the bodies of `POST /{phone-number-id}/messages`. Each enforces Meta's
// documented limits and throws InvalidMessageError, so a bad message fails here, before it
// costs a Graph API call or a quality signal.
import { InvalidMessageError } from './errors';

// Limits as documented by Meta for the Cloud API (messages reference, interactive objects).
export const LIMITS = {
  textBody: 4096,
  caption: 1024,
  interactiveBody: 1024,
  headerText: 60,
  footerText: 60,
  replyButtons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButton: 20,
  listSections: 10,
  listRows: 10, // across all sections
  sectionTitle: 24,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  templateName: 512,
} as const;

export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';
const CAPTIONED: ReadonlySet<MediaKind> = new Set(['image', 'video', 'document']);

/** A media reference as sent: an uploaded media id or a public http(s) link. */
export type MediaRef = ({ id: string } | { link: string }) & { caption?: string; filename?: string };

// Type aliases, not interfaces, so a body is also a plain Record<string, unknown> (e.g. for a JSON column).
type BaseBody = {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
  context?: { message_id: string };
};
export type TextBody = BaseBody & { type: 'text'; text: { body: string; preview_url: boolean } };
export type MediaBody = { [K in MediaKind]: BaseBody & { type: K } & { [P in K]: MediaRef } }[MediaKind];
export type ReactionBody = BaseBody & { type: 'reaction'; reaction: { message_id: string; emoji: string } };

export type TemplateParameter =
  | { type: 'text'; text: string; parameter_name?: string }
  | { type: 'currency'; currency: { fallback_value: string; code: string; amount_1000: number } }
  | { type: 'date_time'; date_time: { fallback_value: string } }
  | { type: 'image'; image: MediaRef }
  | { type: 'video'; video: MediaRef }
  | { type: 'document'; document: MediaRef }
  | { type: 'payload'; payload: string }
  | { type: 'action'; action: Record<string, unknown> };
export type TemplateComponent =
  | { type: 'header' | 'body'; parameters: TemplateParameter[] }
  | {
      type: 'button';
      sub_type: 'quick_reply' | 'url' | 'copy_code' | 'flow' | 'catalog';
      index: string;
      parameters: TemplateParameter[];
    };
export type TemplateBody = BaseBody & {
  type: 'template';
  template: { name: string; language: { policy: 'deterministic'; code: string }; components?: TemplateComponent[] };
};

export type InteractiveHeader = { type: 'text'; text: string };
export type ReplyButton = { type: 'reply'; reply: { id: string; title: string } };
export type ListSection = { title?: string; rows: Array<{ id: string; title: string; description?: string }> };
export type InteractiveBody = BaseBody & {
  type: 'interactive';
  interactive: {
    type: 'button' | 'list';
    header?: InteractiveHeader;
    body: { text: string };
    footer?: { text: string };
    action: { buttons: ReplyButton[] } | { button: string; sections: ListSection[] };
  };
};

/** Every body the client can send. */
export type OutboundMessage = TextBody | MediaBody | TemplateBody | ReactionBody | InteractiveBody;

/** Options shared by the builders: the wamid this message replies to. */
export type ReplyOption = { replyTo?: string };

// E.164: up to 15 digits, no leading zero; Meta accepts it with or without the '+'.
const RECIPIENT = /^\+?[1-9]\d{5,14}$/;

/** Length in characters (code points), as a user counts them, not UTF-16 units. */
function chars(s: string): number {
  let n = 0;
  for (const _ of s) {
    n += 1;
  }
  return n;
}

function requireText(value: string, field: string, max: number, allowEmpty = false): void {
  if (!allowEmpty && value.trim().length === 0) {
    throw new InvalidMessageError('empty', field, `${field} must not be empty`);
  }
  if (chars(value) > max) {
    throw new InvalidMessageError('too_long', field, `${field} exceeds ${max} characters`, max);
  }
}

function base(to: string, replyTo: string | undefined): BaseBody {
  if (!RECIPIENT.test(to)) {
    throw new InvalidMessageError('invalid', 'to', 'to must be an E.164 phone number');
  }
  const body: BaseBody = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  if (replyTo !== undefined) {
    if (replyTo.trim().length === 0) {
      throw new InvalidMessageError('empty', 'context.message_id', 'replyTo must be a wamid');
    }
    body.context = { message_id: replyTo };
  }
  return body;
}

/** A text message (up to 4,096 characters), optionally with a link preview and as a reply. */
export function textMessage(to: string, body: string, opts: ReplyOption & { previewUrl?: boolean } = {}): TextBody {
  requireText(body, 'text.body', LIMITS.textBody);
  return { ...base(to, opts.replyTo), type: 'text', text: { body, preview_url: opts.previewUrl ?? false } };
}

/** Options of a media message: exactly one of id and link, a caption where Meta allows one. */
export type MediaOptions = ReplyOption & { id?: string; link?: string; caption?: string; filename?: string };

/** An image, audio, video, document or sticker message, by uploaded media id or by http(s) link. */
export function mediaMessage(to: string, kind: MediaKind, opts: MediaOptions): MediaBody {
  const hasId = opts.id !== undefined;
  const hasLink = opts.link !== undefined;
  if (hasId === hasLink) {
    throw new InvalidMessageError('invalid', kind, `${kind} needs exactly one of id and link`);
  }
  let ref: MediaRef;
  if (opts.id !== undefined) {
    requireText(opts.id, `${kind}.id`, 256);
    ref = { id: opts.id };
  } else {
    const link = opts.link ?? '';
    if (!/^https?:\/\/\S+$/i.test(link) || !URL.canParse(link)) {
      throw new InvalidMessageError('invalid', `${kind}.link`, `${kind}.link must be an http(s) URL`);
    }
    ref = { link };
  }
  if (opts.caption !== undefined) {
    if (!CAPTIONED.has(kind)) {
      throw new InvalidMessageError('not_allowed', `${kind}.caption`, `${kind} messages take no caption`);
    }
    requireText(opts.caption, `${kind}.caption`, LIMITS.caption, true);
    ref.caption = opts.caption;
  }
  if (opts.filename !== undefined) {
    if (kind !== 'document') {
      throw new InvalidMessageError('not_allowed', `${kind}.filename`, 'only documents take a filename');
    }
    requireText(opts.filename, 'document.filename', 240);
    ref.filename = opts.filename;
  }
  // TypeScript cannot tie a computed key to the literal kind; the shape is the one MediaBody names.
  return { ...base(to, opts.replyTo), type: kind, [kind]: ref } as unknown as MediaBody;
}

/** A template message: name, language code (e.g. en_US) and the parameters of its components. */
export function templateMessage(
  to: string,
  name: string,
  languageCode: string,
  components: TemplateComponent[] = [],
  opts: ReplyOption = {},
): TemplateBody {
  requireText(name, 'template.name', LIMITS.templateName);
  if (!/^[a-z0-9_]+$/.test(name)) {
    throw new InvalidMessageError('invalid', 'template.name', 'template names are lowercase letters, digits and _');
  }
  if (!/^[a-z]{2,3}(_[A-Za-z0-9]{2,8})?$/.test(languageCode)) {
    throw new InvalidMessageError('invalid', 'template.language.code', 'language code must look like en or en_US');
  }
  components.forEach((component, i) => {
    if (component.type === 'button' && !/^\d{1,2}$/.test(component.index)) {
      throw new InvalidMessageError('invalid', `template.components[${i}].index`, 'button index must be a small integer');
    }
  });
  const template: TemplateBody['template'] = { name, language: { policy: 'deterministic', code: languageCode } };
  if (components.length > 0) {
    template.components = components;
  }
  return { ...base(to, opts.replyTo), type: 'template', template };
}

/** A reaction to a message; an empty emoji removes an earlier reaction. */
export function reactionMessage(to: string, wamid: string, emoji: string): ReactionBody {
  requireText(wamid, 'reaction.message_id', 512);
  if (chars(emoji) > 10) {
    // One emoji may be several code points (skin tones, ZWJ sequences), but never a sentence.
    throw new InvalidMessageError('too_long', 'reaction.emoji', 'reaction.emoji must be one emoji', 10);
  }
  return { ...base(to, undefined), type: 'reaction', reaction: { message_id: wamid, emoji } };
}

/** Header, footer and reply target shared by interactive messages. */
export type InteractiveOptions = ReplyOption & { header?: string; footer?: string };

function interactiveFrame(body: string, opts: InteractiveOptions): Omit<InteractiveBody['interactive'], 'type' | 'action'> {
  requireText(body, 'interactive.body.text', LIMITS.interactiveBody);
  const frame: Omit<InteractiveBody['interactive'], 'type' | 'action'> = { body: { text: body } };
  if (opts.header !== undefined) {
    requireText(opts.header, 'interactive.header.text', LIMITS.headerText);
    frame.header = { type: 'text', text: opts.header };
  }
  if (opts.footer !== undefined) {
    requireText(opts.footer, 'interactive.footer.text', LIMITS.footerText);
    frame.footer = { text: opts.footer };
  }
  return frame;
}

function requireUnique(values: string[], path: (i: number) => string): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (seen.has(v)) {
      throw new InvalidMessageError('duplicate', path(i), `${path(i)} repeats an earlier value`);
    }
    seen.add(v);
  });
}

/** Up to 3 reply buttons (titles of at most 20 characters, unique ids and titles) under a body text. */
export function interactiveButtons(
  to: string,
  body: string,
  buttons: Array<{ id: string; title: string }>,
  opts: InteractiveOptions = {},
): InteractiveBody {
  const field = 'interactive.action.buttons';
  if (buttons.length === 0) {
    throw new InvalidMessageError('too_few', field, 'at least one button is needed', 1);
  }
  if (buttons.length > LIMITS.replyButtons) {
    throw new InvalidMessageError('too_many', field, `at most ${LIMITS.replyButtons} reply buttons`, LIMITS.replyButtons);
  }
  buttons.forEach((b, i) => {
    requireText(b.id, `${field}[${i}].reply.id`, LIMITS.buttonId);
    requireText(b.title, `${field}[${i}].reply.title`, LIMITS.buttonTitle);
  });
  requireUnique(buttons.map((b) => b.id), (i) => `${field}[${i}].reply.id`);
  requireUnique(buttons.map((b) => b.title), (i) => `${field}[${i}].reply.title`);
  const frame = interactiveFrame(body, opts);
  return {
    ...base(to, opts.replyTo),
    type: 'interactive',
    interactive: {
      type: 'button',
      ...frame,
      action: { buttons: buttons.map((b) => ({ type: 'reply', reply: { id: b.id, title: b.title } })) },
    },
  };
}

/** A list message: a button label and up to 10 sections holding at most 10 rows in all. */
export function interactiveList(
  to: string,
  body: string,
  button: string,
  sections: ListSection[],
  opts: InteractiveOptions = {},
): InteractiveBody {
  requireText(button, 'interactive.action.button', LIMITS.listButton);
  const field = 'interactive.action.sections';
  if (sections.length === 0) {
    throw new InvalidMessageError('too_few', field, 'at least one section is needed', 1);
  }
  if (sections.length > LIMITS.listSections) {
    throw new InvalidMessageError('too_many', field, `at most ${LIMITS.listSections} sections`, LIMITS.listSections);
  }
  const rows = sections.flatMap((s) => s.rows);
  if (rows.length === 0) {
    throw new InvalidMessageError('too_few', `${field}[0].rows`, 'at least one row is needed', 1);
  }
  if (rows.length > LIMITS.listRows) {
    throw new InvalidMessageError('too_many', `${field}[*].rows`, `at most ${LIMITS.listRows} rows in all`, LIMITS.listRows);
  }
  sections.forEach((s, i) => {
    if (s.title !== undefined) {
      requireText(s.title, `${field}[${i}].title`, LIMITS.sectionTitle);
    } else if (sections.length > 1) {
      throw new InvalidMessageError('empty', `${field}[${i}].title`, 'each section needs a title when there are several');
    }
    s.rows.forEach((r, j) => {
      requireText(r.id, `${field}[${i}].rows[${j}].id`, LIMITS.rowId);
      requireText(r.title, `${field}[${i}].rows[${j}].title`, LIMITS.rowTitle);
      if (r.description !== undefined) {
        requireText(r.description, `${field}[${i}].rows[${j}].description`, LIMITS.rowDescription, true);
      }
    });
  });
  const rowPaths = sections.flatMap((s, i) => s.rows.map((_, j) => `${field}[${i}].rows[${j}].id`));
  requireUnique(rows.map((r) => r.id), (k) => rowPaths[k] ?? field);
  const frame = interactiveFrame(body, opts);
  return {
    ...base(to, opts.replyTo),
    type: 'interactive',
    interactive: { type: 'list', ...frame, action: { button, sections } },
  };
}
