import { metaError } from './errors';
import type { SendDeps } from './validateMessage';
import { at, isHttpUrl, onlyKeys, optionalString, requireArray, requireObject, requireString, unique, type Obj } from './validateCommon';

/** Interactive types the Cloud API accepts; reply buttons, lists and CTA URLs are checked in detail. */
const INTERACTIVE_TYPES = [
  'button', 'list', 'cta_url', 'flow', 'product', 'product_list', 'catalog_message',
  'location_request_message', 'address_message', 'call_permission_request', 'carousel',
];
/** Meta's limits for interactive messages. */
const LIMITS = {
  body: 1024,
  listBody: 4096,
  header: 60,
  footer: 60,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listButton: 20,
  sections: 10,
  rows: 10,
  sectionTitle: 24,
  rowId: 200,
  rowTitle: 24,
  rowDescription: 72,
  ctaText: 20,
};
const HEADER_TYPES = ['text', 'image', 'video', 'document'];

/** Validates an `interactive` object against Meta's limits (3 buttons of 20 characters, 10 list rows...). */
export function validateInteractive(interactive: Obj, deps: SendDeps): void {
  onlyKeys(interactive, ['type', 'header', 'body', 'footer', 'action'], 'interactive');
  const type = requireString(interactive.type, at('interactive', 'type'));
  if (!INTERACTIVE_TYPES.includes(type)) {
    throw metaError(100, `Param interactive['type'] must be one of {${INTERACTIVE_TYPES.join(', ')}} - got "${type}".`);
  }
  const action = requireObject(interactive.action, at('interactive', 'action'));
  if (interactive.footer !== undefined) {
    const footer = requireObject(interactive.footer, at('interactive', 'footer'));
    onlyKeys(footer, ['text'], at('interactive', 'footer'));
    requireString(footer.text, at(at('interactive', 'footer'), 'text'), 1, LIMITS.footer);
  }
  switch (type) {
    case 'button':
      validateBody(interactive, LIMITS.body, true);
      validateHeader(interactive.header, HEADER_TYPES, deps);
      validateReplyButtons(action);
      return;
    case 'list':
      validateBody(interactive, LIMITS.listBody, true);
      validateHeader(interactive.header, ['text'], deps);
      validateList(action);
      return;
    case 'cta_url':
      validateBody(interactive, LIMITS.body, true);
      validateHeader(interactive.header, HEADER_TYPES, deps);
      validateCtaUrl(action);
      return;
    default:
      // Catalogue, flow and other types depend on assets the sandbox does not model: a body is still checked.
      validateBody(interactive, LIMITS.body, type !== 'product' && type !== 'call_permission_request');
  }
}

function validateBody(interactive: Obj, max: number, required: boolean): void {
  if (interactive.body === undefined && !required) {
    return;
  }
  const body = requireObject(interactive.body, at('interactive', 'body'));
  onlyKeys(body, ['text'], at('interactive', 'body'));
  requireString(body.text, at(at('interactive', 'body'), 'text'), 1, max);
}

function validateHeader(value: unknown, allowed: string[], deps: SendDeps): void {
  if (value === undefined) {
    return;
  }
  const path = at('interactive', 'header');
  const header = requireObject(value, path);
  const type = requireString(header.type, at(path, 'type'));
  if (!allowed.includes(type)) {
    throw metaError(131009, `Param ${at(path, 'type')} must be one of {${allowed.join(', ')}} for this message.`);
  }
  onlyKeys(header, ['type', type, ...(type === 'text' ? ['sub_text'] : [])], path);
  if (type === 'text') {
    requireString(header.text, at(path, 'text'), 1, LIMITS.header);
    optionalString(header.sub_text, at(path, 'sub_text'), LIMITS.header);
    return;
  }
  const media = requireObject(header[type], at(path, type));
  if (typeof media.link === 'string' ? !isHttpUrl(media.link) : typeof media.id !== 'string' || !deps.media.get(media.id)) {
    throw metaError(131009, `Param ${at(path, type)} needs a valid media id or an HTTP(S) link.`);
  }
}

function validateReplyButtons(action: Obj): void {
  const path = at('interactive', 'action');
  onlyKeys(action, ['buttons'], path);
  const buttons = requireArray(action.buttons, at(path, 'buttons'), 1, LIMITS.buttons);
  const ids: string[] = [];
  const titles: string[] = [];
  buttons.forEach((raw, i) => {
    const bPath = at(at(path, 'buttons'), i);
    const button = requireObject(raw, bPath);
    onlyKeys(button, ['type', 'reply'], bPath);
    if (button.type !== 'reply') {
      throw metaError(131009, `Param ${at(bPath, 'type')} must be "reply".`);
    }
    const reply = requireObject(button.reply, at(bPath, 'reply'));
    onlyKeys(reply, ['id', 'title'], at(bPath, 'reply'));
    const id = requireString(reply.id, at(at(bPath, 'reply'), 'id'), 1, LIMITS.buttonId);
    if (id.trim() !== id) {
      throw metaError(131009, `Param ${at(at(bPath, 'reply'), 'id')} must not have leading or trailing spaces.`);
    }
    ids.push(id);
    titles.push(requireString(reply.title, at(at(bPath, 'reply'), 'title'), 1, LIMITS.buttonTitle));
  });
  unique(ids, "interactive['action']['buttons'][]['reply']['id']");
  unique(titles, "interactive['action']['buttons'][]['reply']['title']");
}

function validateList(action: Obj): void {
  const path = at('interactive', 'action');
  onlyKeys(action, ['button', 'sections'], path);
  requireString(action.button, at(path, 'button'), 1, LIMITS.listButton);
  const sections = requireArray(action.sections, at(path, 'sections'), 1, LIMITS.sections);
  const rowIds: string[] = [];
  sections.forEach((raw, i) => {
    const sPath = at(at(path, 'sections'), i);
    const section = requireObject(raw, sPath);
    onlyKeys(section, ['title', 'rows'], sPath);
    // A title is required as soon as there is more than one section.
    if (sections.length > 1) {
      requireString(section.title, at(sPath, 'title'), 1, LIMITS.sectionTitle);
    } else {
      optionalString(section.title, at(sPath, 'title'), LIMITS.sectionTitle);
    }
    const rows = requireArray(section.rows, at(sPath, 'rows'), 1, LIMITS.rows);
    rows.forEach((rawRow, j) => {
      const rPath = at(at(sPath, 'rows'), j);
      const row = requireObject(rawRow, rPath);
      onlyKeys(row, ['id', 'title', 'description'], rPath);
      rowIds.push(requireString(row.id, at(rPath, 'id'), 1, LIMITS.rowId));
      requireString(row.title, at(rPath, 'title'), 1, LIMITS.rowTitle);
      optionalString(row.description, at(rPath, 'description'), LIMITS.rowDescription);
    });
  });
  // At most 10 rows across all sections, with ids unique across the message.
  if (rowIds.length > LIMITS.rows) {
    throw metaError(131009, `A list message can have at most ${LIMITS.rows} rows in total; got ${rowIds.length}.`);
  }
  unique(rowIds, "interactive['action']['sections'][]['rows'][]['id']");
}

function validateCtaUrl(action: Obj): void {
  const path = at('interactive', 'action');
  onlyKeys(action, ['name', 'parameters'], path);
  if (action.name !== 'cta_url') {
    throw metaError(131009, `Param ${at(path, 'name')} must be "cta_url".`);
  }
  const params = requireObject(action.parameters, at(path, 'parameters'));
  requireString(params.display_text, at(at(path, 'parameters'), 'display_text'), 1, LIMITS.ctaText);
  const url = requireString(params.url, at(at(path, 'parameters'), 'url'));
  if (!isHttpUrl(url)) {
    throw metaError(131009, `Param ${at(at(path, 'parameters'), 'url')} must be an HTTP or HTTPS URL.`);
  }
}
