import { metaError } from './errors';
import { newNumericId } from './ids';
import type { SandboxSeedTemplate, TemplateStatus } from './types';

/** Meta allows at most 250 message templates per WhatsApp Business Account. */
export const MAX_TEMPLATES_PER_WABA = 250;
/** Meta's default page size for template lists. */
const DEFAULT_PAGE_SIZE = 25;
const NAME_RE = /^[a-z0-9_]{1,512}$/;
const LANGUAGE_RE = /^[a-z]{2,3}(_[A-Z]{2,4})?$/;
const CATEGORIES = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];
const COMPONENT_TYPES = ['HEADER', 'BODY', 'FOOTER', 'BUTTONS'];
/** Component text limits from Meta's template guidelines. */
const LIMITS = { header: 60, body: 1024, footer: 60, buttonText: 25, buttons: 10 };

export type TemplateRecord = {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: string;
  status: TemplateStatus;
  components: Array<Record<string, unknown>>;
  parameterFormat: 'POSITIONAL' | 'NAMED';
};

/** Meta's sample template, present in every new WABA. */
const HELLO_WORLD: Omit<SandboxSeedTemplate, 'wabaId'> = {
  name: 'hello_world',
  language: 'en_US',
  category: 'MARKETING',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
    {
      type: 'BODY',
      text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
    },
    { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
  ],
};

const invalid = (details: string, userTitle = 'Invalid parameter') => metaError(100, details, { userTitle, userMsg: details });

/** The placeholders of a template text: `{{1}}`, `{{2}}` (positional) or `{{name}}` (named). */
export function placeholders(text: unknown): string[] {
  if (typeof text !== 'string') {
    return [];
  }
  return [...new Set([...text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/gi)].map((m) => m[1]!))];
}

/** Templates per WABA, in creation order. */
export class TemplateStore {
  private readonly byWaba = new Map<string, TemplateRecord[]>();

  constructor(wabaIds: string[], seeds: SandboxSeedTemplate[]) {
    for (const wabaId of wabaIds) {
      this.byWaba.set(wabaId, []);
      this.insert(wabaId, { ...HELLO_WORLD, status: 'APPROVED' });
    }
    for (const seed of seeds) {
      for (const wabaId of seed.wabaId ? [seed.wabaId] : wabaIds) {
        this.insert(wabaId, seed);
      }
    }
  }

  list(wabaId: string): TemplateRecord[] {
    return this.byWaba.get(wabaId) ?? [];
  }

  find(wabaId: string, name: string, language: string): TemplateRecord | undefined {
    return this.list(wabaId).find((t) => t.name === name && t.language === language);
  }

  byId(id: string): TemplateRecord | undefined {
    for (const list of this.byWaba.values()) {
      const found = list.find((t) => t.id === id);
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  /** Validates a creation request as Meta does and stores the template as PENDING. */
  create(wabaId: string, body: Record<string, unknown>): TemplateRecord {
    const { name, language, category, components } = body;
    if (typeof name !== 'string' || !NAME_RE.test(name)) {
      throw invalid('Template name can only contain lowercase letters, numbers and underscores (at most 512 characters).', 'Invalid template name');
    }
    if (typeof language !== 'string' || !LANGUAGE_RE.test(language)) {
      throw invalid(`Param language must be a supported language code such as en_US; got ${JSON.stringify(language)}.`);
    }
    if (typeof category !== 'string' || !CATEGORIES.includes(category.toUpperCase())) {
      throw invalid(`Param category must be one of {${CATEGORIES.join(', ')}}; got ${JSON.stringify(category)}.`);
    }
    if (!Array.isArray(components) || components.length === 0) {
      throw metaError(131008, 'The parameter components is required.');
    }
    const parameterFormat = body.parameter_format === 'NAMED' ? 'NAMED' : 'POSITIONAL';
    validateComponents(components as unknown[], category.toUpperCase(), parameterFormat);
    if (this.find(wabaId, name, language)) {
      throw metaError(100, `There is already ${language} content for this template (${name}).`, {
        subcode: 2388024,
        userTitle: 'Content in this language already exists',
      });
    }
    if (this.list(wabaId).length >= MAX_TEMPLATES_PER_WABA) {
      throw invalid(`A WhatsApp Business Account can have at most ${MAX_TEMPLATES_PER_WABA} message templates.`, 'Message template limit reached');
    }
    return this.insert(wabaId, {
      name,
      language,
      category: category.toUpperCase() as SandboxSeedTemplate['category'],
      components:
        category.toUpperCase() === 'AUTHENTICATION'
          ? authenticationComponents(components as Array<Record<string, unknown>>)
          : (components as Array<Record<string, unknown>>),
      status: 'PENDING',
    }, parameterFormat);
  }

  /** Deletes every language of a template by name (optionally one id); false when none matched. */
  delete(wabaId: string, name: string, hsmId?: string): boolean {
    const list = this.list(wabaId);
    const keep = list.filter((t) => !(t.name === name && (!hsmId || t.id === hsmId)));
    this.byWaba.set(wabaId, keep);
    return keep.length !== list.length;
  }

  /** One page of a WABA's templates, filtered, with Graph cursors (base64 of the template id). */
  page(wabaId: string, query: Record<string, string | undefined>): { data: TemplateRecord[]; before?: string; after?: string; hasNext: boolean; hasPrevious: boolean } {
    const all = this.list(wabaId).filter(
      (t) =>
        (!query.name || t.name.includes(query.name)) &&
        (!query.status || query.status.split(',').includes(t.status)) &&
        (!query.category || query.category.split(',').includes(t.category)) &&
        (!query.language || t.language === query.language),
    );
    const limit = Math.min(Math.max(Number(query.limit) || DEFAULT_PAGE_SIZE, 1), 1000);
    let start = 0;
    let end = Math.min(all.length, limit);
    const decode = (cursor: string) => all.findIndex((t) => t.id === Buffer.from(cursor, 'base64url').toString('utf8'));
    if (query.after) {
      start = decode(query.after) + 1;
      end = Math.min(all.length, start + limit);
    } else if (query.before) {
      end = Math.max(0, decode(query.before));
      start = Math.max(0, end - limit);
    }
    const data = all.slice(start, end);
    const cursor = (t: TemplateRecord | undefined) => (t ? Buffer.from(t.id).toString('base64url') : undefined);
    return { data, before: cursor(data[0]), after: cursor(data[data.length - 1]), hasNext: end < all.length, hasPrevious: start > 0 };
  }

  private insert(wabaId: string, seed: Omit<SandboxSeedTemplate, 'wabaId'>, parameterFormat: 'POSITIONAL' | 'NAMED' = 'POSITIONAL'): TemplateRecord {
    const record: TemplateRecord = {
      id: newNumericId(),
      wabaId,
      name: seed.name,
      language: seed.language,
      category: seed.category,
      status: seed.status ?? 'APPROVED',
      components: seed.components,
      parameterFormat,
    };
    const list = this.byWaba.get(wabaId) ?? [];
    list.push(record);
    this.byWaba.set(wabaId, list);
    return record;
  }
}

const OTP_URL = 'https://www.whatsapp.com/otp/code/?otp_type=COPY_CODE&code=otp{{1}}';

/**
 * What Meta stores for an authentication template (English wording): its preset body, with the
 * security recommendation when asked, the expiry footer, and the OTP button turned into a URL
 * button carrying the code, which is how the template is listed and must be sent.
 */
function authenticationComponents(components: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const byType = (type: string) => components.find((c) => String(c.type ?? '').toUpperCase() === type);
  const body = byType('BODY');
  const footer = byType('FOOTER');
  const buttons = (byType('BUTTONS')?.buttons ?? []) as Array<Record<string, unknown>>;
  const out: Array<Record<string, unknown>> = [
    {
      type: 'BODY',
      text: `*{{1}}* is your verification code.${body?.add_security_recommendation ? ' For your security, do not share this code.' : ''}`,
    },
  ];
  const minutes = footer?.code_expiration_minutes;
  if (typeof minutes === 'number') {
    out.push({ type: 'FOOTER', text: `This code expires in ${minutes} minutes.` });
  }
  const copy = buttons.find((b) => String(b.type ?? '').toUpperCase() === 'OTP');
  if (copy) {
    out.push({ type: 'BUTTONS', buttons: [{ type: 'URL', text: typeof copy.text === 'string' ? copy.text : 'Copy code', url: OTP_URL }] });
  }
  return out;
}

/** Meta's component rules: one BODY, text limits, placeholders numbered from 1, at most 10 buttons. */
function validateComponents(components: unknown[], category: string, format: 'POSITIONAL' | 'NAMED'): void {
  const seen = new Set<string>();
  for (const raw of components) {
    const c = (raw ?? {}) as Record<string, unknown>;
    const type = typeof c.type === 'string' ? c.type.toUpperCase() : '';
    if (!COMPONENT_TYPES.includes(type)) {
      throw invalid(`Param components[].type must be one of {${COMPONENT_TYPES.join(', ')}}; got ${JSON.stringify(c.type)}.`);
    }
    if (seen.has(type)) {
      throw invalid(`A template can have only one ${type} component.`);
    }
    seen.add(type);
    if (type === 'BUTTONS') {
      validateButtons(c.buttons);
      continue;
    }
    if (type === 'HEADER' && typeof c.format === 'string' && c.format.toUpperCase() !== 'TEXT') {
      continue;
    }
    if (category === 'AUTHENTICATION' && type !== 'HEADER') {
      // Authentication templates use Meta's fixed texts (add_security_recommendation, code_expiration_minutes).
      continue;
    }
    const limit = type === 'HEADER' ? LIMITS.header : type === 'BODY' ? LIMITS.body : LIMITS.footer;
    if (typeof c.text !== 'string' || c.text.length === 0 || c.text.length > limit) {
      throw invalid(`The ${type} text is required and must be at most ${limit} characters.`);
    }
    checkPlaceholders(type, c.text, format);
  }
  if (!seen.has('BODY')) {
    throw metaError(131008, 'The template must have a BODY component.');
  }
}

function checkPlaceholders(type: string, text: string, format: 'POSITIONAL' | 'NAMED'): void {
  const names = placeholders(text);
  if (type === 'FOOTER' && names.length > 0) {
    throw invalid('The FOOTER component cannot contain variables.');
  }
  if (type === 'HEADER' && names.length > 1) {
    throw invalid('The HEADER component can contain at most one variable.');
  }
  if (format === 'POSITIONAL') {
    const sorted = names.map(Number).sort((a, b) => a - b);
    if (sorted.some((n, i) => n !== i + 1)) {
      throw invalid(`The ${type} variables must be numbered in sequence from {{1}}.`, 'Variables are not sequential');
    }
  } else if (names.some((n) => !/^[a-z_][a-z0-9_]*$/.test(n))) {
    throw invalid('Named variables must use lowercase letters, digits and underscores.');
  }
}

function validateButtons(buttons: unknown): void {
  if (!Array.isArray(buttons) || buttons.length === 0 || buttons.length > LIMITS.buttons) {
    throw invalid(`The BUTTONS component must have between 1 and ${LIMITS.buttons} buttons.`);
  }
  for (const b of buttons as Array<Record<string, unknown>>) {
    const needsText = b.type !== 'OTP' && b.type !== 'CATALOG' && b.type !== 'MPM';
    if (needsText && (typeof b.text !== 'string' || b.text.length === 0 || b.text.length > LIMITS.buttonText)) {
      throw invalid(`Button text is required and must be at most ${LIMITS.buttonText} characters.`);
    }
  }
}
