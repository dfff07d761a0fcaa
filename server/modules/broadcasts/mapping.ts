import { errors } from '../../lib/errors';
import type { TemplateComponent } from '../../whatsapp/messages';
import { headerMediaComponent, type HeaderMedia } from '../conversations';
import { templateVariables } from '../templates/variables';
import { PARAMETER_MAX, type TemplateMapping, type VariableMapping } from './schema';

/** A template variable: {{index}} of the header or body, or the URL button at `index`. */
export type Slot = { component: 'header' | 'body' | 'button'; index: number };

/** What a recipient's values are read from. */
export type RecipientData = { waId: string; name: string | null; country: string | null; language: string | null; attributes: Record<string, unknown> };

export type Rendered = { header: string | null; body: string | null; footer: string | null; buttons: string[] };

type Component = { type?: unknown; format?: unknown; text?: unknown; buttons?: unknown };
const componentsOf = (value: unknown): Component[] => (Array.isArray(value) ? (value.filter((c) => typeof c === 'object' && c !== null) as Component[]) : []);
const textOf = (list: Component[], type: string): string | null => {
  const c = list.find((x) => String(x.type ?? '').toUpperCase() === type);
  return typeof c?.text === 'string' ? c.text : null;
};
const slotKey = (s: Slot) => `${s.component}:${s.index}`;
const invalid = (path: string, message: string) => errors.validation(`The variable mapping does not fit the template: ${message}.`, { fields: [{ path, message }] });

/** Every variable a template needs filled in, in the order a form shows them. */
export function templateSlots(components: unknown): Slot[] {
  const needs = templateVariables(components);
  return [
    ...(needs.headerVariables === 1 ? [{ component: 'header' as const, index: 1 }] : []),
    ...Array.from({ length: needs.bodyVariables }, (_, i) => ({ component: 'body' as const, index: i + 1 })),
    ...needs.urlButtons.map((b) => ({ component: 'button' as const, index: b.index })),
  ];
}

/**
 * Checks a mapping against the template: one source per variable, none for a variable it lacks.
 * (A media header takes a file, the same for every recipient: see the draft's headerMediaId.)
 */
export function checkMapping(components: unknown, mapping: TemplateMapping, base = 'body.mapping'): void {
  const wanted = new Set(templateSlots(components).map(slotKey));
  const seen = new Set<string>();
  mapping.forEach((m, i) => {
    const key = slotKey(m);
    if (!wanted.has(key)) {
      throw invalid(`${base}.${i}`, `the template has no ${m.component} variable ${m.index}`);
    }
    if (seen.has(key)) {
      throw invalid(`${base}.${i}`, `${m.component} variable ${m.index} is mapped twice`);
    }
    seen.add(key);
  });
  const missing = [...wanted].find((k) => !seen.has(k));
  if (missing) {
    const [component, index] = missing.split(':');
    throw invalid(base, `${component} variable ${index} needs a source`);
  }
}

/** A recipient's value for one variable: the contact's field or attribute, else the fallback. */
export function valueFor(m: VariableMapping, r: RecipientData, phoneShown: (waId: string) => string = (w) => `+${w}`): string {
  let value: string | null;
  const src = m.source;
  if (src.kind === 'text') {
    value = src.text;
  } else if (src.kind === 'attribute') {
    const v = r.attributes[src.key];
    value = v === null || v === undefined ? null : String(v);
  } else {
    value = src.field === 'name' ? r.name : src.field === 'phone' ? phoneShown(r.waId) : src.field === 'country' ? r.country : r.language;
  }
  const clean = sanitize(value ?? '');
  return clean === '' ? sanitize(m.fallback) : clean;
}

/** WhatsApp refuses empty parameters, newlines, tabs and more than 4 spaces in a row in them (132000), and cuts nothing for us. */
const sanitize = (text: string) => text.replace(/[\r\n\t]+/g, ' ').replace(/ {4,}/g, '   ').trim().slice(0, PARAMETER_MAX);

const fill = (text: string | null, values: Map<number, string>): string | null =>
  text === null ? null : text.replace(/\{\{\s*(\d+)\s*\}\}/g, (whole, n: string) => values.get(Number(n)) ?? whole);

/**
 * What one recipient receives: the send's components (for the Graph API) and the template's
 * texts filled in (the preview and the message history). The preview and the send both call it,
 * so the preview is exactly what goes out.
 */
export function renderFor(
  components: unknown,
  mapping: TemplateMapping,
  r: RecipientData,
  options: { phoneShown?: (waId: string) => string; headerMedia?: HeaderMedia | null } = {},
): { components: TemplateComponent[]; rendered: Rendered } {
  const { phoneShown, headerMedia } = options;
  const list = componentsOf(components);
  const of = (component: Slot['component']) => new Map(mapping.filter((m) => m.component === component).map((m) => [m.index, valueFor(m, r, phoneShown)]));
  const header = of('header');
  const body = of('body');
  const buttons = of('button');
  const text = (value: string) => ({ type: 'text' as const, text: value });
  const out: TemplateComponent[] = [];
  if (headerMedia) {
    out.push(headerMediaComponent(headerMedia));
  }
  if (header.size > 0) {
    out.push({ type: 'header', parameters: [text(header.get(1)!)] });
  }
  if (body.size > 0) {
    out.push({ type: 'body', parameters: [...body.keys()].sort((a, b) => a - b).map((k) => text(body.get(k)!)) });
  }
  for (const [index, value] of [...buttons.entries()].sort((a, b) => a[0] - b[0])) {
    out.push({ type: 'button', sub_type: 'url', index: String(index), parameters: [text(value)] });
  }
  const buttonDefs = (list.find((c) => String(c.type ?? '').toUpperCase() === 'BUTTONS')?.buttons ?? []) as Array<Record<string, unknown>>;
  const rendered: Rendered = {
    header: headerMedia ? `[${headerMedia.kind}${headerMedia.filename ? `: ${headerMedia.filename}` : ''}]` : fill(textOf(list, 'HEADER'), header),
    body: fill(textOf(list, 'BODY'), body),
    footer: textOf(list, 'FOOTER'),
    buttons: (Array.isArray(buttonDefs) ? buttonDefs : []).map((b, i) => {
      const label = typeof b.text === 'string' ? b.text : '';
      const url = typeof b.url === 'string' ? fill(b.url, new Map([[1, buttons.get(i) ?? '{{1}}']])) : null;
      return url ? `${label} (${url})` : label;
    }),
  };
  return { components: out, rendered };
}

/** The text values a send's components carry (what the lexicon screens and the message keeps). */
export function textParameters(components: TemplateComponent[]): string[] {
  return components.flatMap((c) => c.parameters.flatMap((p) => ('text' in p ? [p.text] : [])));
}
