import { variableCount } from './schema';

type Component = { type?: unknown; format?: unknown; text?: unknown; buttons?: unknown };

/** What a template needs filled in when it is sent: Meta refuses a send that gives more or less. */
export type TemplateVariables = {
  /** TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION; null without a header. */
  headerFormat: string | null;
  /** 0 or 1: a text header may hold one variable. */
  headerVariables: number;
  bodyVariables: number;
  /** URL buttons whose address ends in a variable, by their index among the buttons. */
  urlButtons: Array<{ index: number; text: string | null; url: string }>;
};

function componentsOf(value: unknown): Component[] {
  return Array.isArray(value) ? (value.filter((c) => typeof c === 'object' && c !== null) as Component[]) : [];
}

export function templateVariables(components: unknown): TemplateVariables {
  const list = componentsOf(components);
  const byType = (type: string) => list.find((c) => String(c.type ?? '').toUpperCase() === type);
  const header = byType('HEADER');
  const headerFormat = header ? (typeof header.format === 'string' ? header.format.toUpperCase() : 'TEXT') : null;
  const text = (c: Component | undefined) => (typeof c?.text === 'string' ? c.text : '');
  const buttons = byType('BUTTONS')?.buttons;
  const urlButtons = (Array.isArray(buttons) ? (buttons as Array<Record<string, unknown>>) : []).flatMap((b, index) =>
    String(b.type ?? '').toUpperCase() === 'URL' && typeof b.url === 'string' && variableCount(b.url) > 0
      ? [{ index, text: typeof b.text === 'string' ? b.text : null, url: b.url }]
      : [],
  );
  return {
    headerFormat,
    headerVariables: headerFormat === 'TEXT' ? Math.min(variableCount(text(header)), 1) : 0,
    bodyVariables: variableCount(text(byType('BODY'))),
    urlButtons,
  };
}
