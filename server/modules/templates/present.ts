import type { TemplateRecord } from './repo';
import { variableCount } from './schema';
import { templateVariables } from './variables';

type Component = { type?: unknown; format?: unknown; text?: unknown; buttons?: unknown };

function componentsOf(value: unknown): Component[] {
  return Array.isArray(value) ? (value.filter((c) => typeof c === 'object' && c !== null) as Component[]) : [];
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** A template as the API shows it: its texts and buttons summarised from Meta's components. */
export function presentTemplate(r: TemplateRecord) {
  const components = componentsOf(r.components);
  const byType = (type: string) => components.find((c) => String(c.type ?? '').toUpperCase() === type);
  const header = byType('HEADER');
  const variables = templateVariables(r.components);
  const bodyText = str(byType('BODY')?.text);
  const rawButtons = byType('BUTTONS')?.buttons;
  const buttons = (Array.isArray(rawButtons) ? (rawButtons as Array<Record<string, unknown>>) : []).map((b) => ({
    type: String(b.type ?? ''),
    text: str(b.text),
  }));
  return {
    id: r.id,
    name: r.name,
    language: r.language,
    category: r.category,
    status: r.status,
    /** Meta's reason (INVALID_FORMAT, INCORRECT_CATEGORY, ...), when the template was rejected. */
    rejectedReason: r.status === 'REJECTED' ? r.status_reason : null,
    header: header ? { format: str(header.format)?.toUpperCase() ?? 'TEXT', text: str(header.text), parameterCount: variables.headerVariables } : null,
    bodyText,
    parameterCount: bodyText ? variableCount(bodyText) : 0,
    /** URL buttons whose address ends in a variable: each needs a value when sent. */
    urlButtonParameters: variables.urlButtons,
    footer: str(byType('FOOTER')?.text),
    buttons,
    /** When this template was first known here (submitted from the panel, or first synced or reported by Meta). */
    createdAt: r.created_at.toISOString(),
    /** When its status, category or content last changed (a sync that finds it unchanged leaves it). */
    updatedAt: r.updated_at.toISOString(),
  };
}

export type PresentedTemplate = ReturnType<typeof presentTemplate>;
