/** Message templates: Meta's rules as the form checks them live, and the draft -> API input. */
import type { TemplateButtonType, TemplateCategory, TemplateHeaderFormat, TemplateInput } from './types';

/** Meta's limits (the server checks the same ones). */
export const LIMITS = { name: 512, headerText: 60, body: 1024, footer: 60, buttonText: 25, buttons: 10, urlButtons: 2, phoneButtons: 1, url: 2000, codeExpiration: 90 };

/** Language codes Meta accepts for templates (a common subset, in Meta's spelling). */
export const TEMPLATE_LANGUAGES = [
  'af', 'ar', 'bg', 'ca', 'cs', 'da', 'de', 'el', 'en', 'en_GB', 'en_US', 'es', 'es_AR', 'es_ES', 'es_MX', 'et', 'fa', 'fi', 'fil',
  'fr', 'he', 'hi', 'hr', 'hu', 'id', 'it', 'ja', 'ko', 'lt', 'lv', 'ms', 'nb', 'nl', 'pl', 'pt_BR', 'pt_PT', 'ro', 'ru', 'sk',
  'sl', 'sr', 'sv', 'sw', 'th', 'tr', 'uk', 'ur', 'vi', 'zh_CN', 'zh_HK', 'zh_TW',
] as const;

export const CATEGORIES: readonly TemplateCategory[] = ['UTILITY', 'MARKETING', 'AUTHENTICATION'];
export const BUTTON_TYPES: readonly TemplateButtonType[] = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER'];
export const HEADER_FORMATS: readonly TemplateHeaderFormat[] = ['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT'];

/** `en_US` -> `English (United States)` in the UI's language; the code itself when unknown. */
export function languageName(code: string, uiLang: string): string {
  try {
    const names = new Intl.DisplayNames([uiLang], { type: 'language' });
    return names.of(code.replace('_', '-')) ?? code;
  } catch {
    return code;
  }
}

const PLACEHOLDER = /\{\{([^{}]*)\}\}/g;

/** The distinct positional variables of a text, in order of first appearance: `[1, 2]`. */
export function variableNumbers(text: string): number[] {
  const found = [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim()).filter((v) => /^\d+$/.test(v));
  return [...new Set(found.map(Number))];
}

/**
 * Renumbers variables in order of appearance ({{1}} first), carrying each example along, so a
 * variable inserted before others does not break Meta's ordering rule.
 */
export function renumberVariables(text: string, examples: string[]): { text: string; examples: string[] } {
  const order = variableNumbers(text);
  const renumbered = new Map(order.map((n, i) => [n, i + 1]));
  return {
    text: text.replace(/\{\{\s*(\d+)\s*\}\}/g, (_match, n: string) => `{{${renumbered.get(Number(n)) ?? n}}}`),
    examples: order.map((n) => examples[n - 1] ?? ''),
  };
}

export type VariableProblem = 'malformed' | 'order' | 'edge' | 'tooMany' | 'notAtEnd' | null;

/** What Meta would refuse about a text's variables (body rules unless told otherwise). */
export function variableProblem(text: string, where: 'body' | 'header' | 'url' = 'body'): VariableProblem {
  const raw = [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!.trim());
  if (raw.some((v) => !/^[1-9]\d*$/.test(v))) {
    return 'malformed';
  }
  const numbers = variableNumbers(text);
  if (where !== 'body' && raw.length > 1) {
    return 'tooMany';
  }
  if (numbers.some((n, i) => n !== i + 1)) {
    return 'order';
  }
  if (where === 'url' && raw.length === 1 && !text.trim().endsWith('{{1}}')) {
    return 'notAtEnd';
  }
  if (where === 'body' && raw.length > 0 && (/^\{\{[^{}]*\}\}/.test(text.trim()) || /\{\{[^{}]*\}\}$/.test(text.trim()))) {
    return 'edge';
  }
  return null;
}

export interface DraftButton {
  key: number;
  type: TemplateButtonType;
  text: string;
  url: string;
  example: string;
  phoneNumber: string;
}

export interface Draft {
  name: string;
  language: string;
  category: TemplateCategory;
  headerFormat: TemplateHeaderFormat | '';
  headerText: string;
  headerExample: string;
  headerHandle: string;
  body: string;
  examples: string[];
  footer: string;
  buttons: DraftButton[];
  securityRecommendation: boolean;
  codeExpiration: string;
  otpText: string;
}

export const EMPTY_DRAFT: Draft = {
  name: '',
  language: 'en_US',
  category: 'UTILITY',
  headerFormat: '',
  headerText: '',
  headerExample: '',
  headerHandle: '',
  body: '',
  examples: [],
  footer: '',
  buttons: [],
  securityRecommendation: true,
  codeExpiration: '',
  otpText: '',
};

/** Counts of each button kind against Meta's per-kind limits. */
export function buttonRoom(buttons: DraftButton[]): Record<TemplateButtonType, boolean> {
  const count = (type: TemplateButtonType) => buttons.filter((b) => b.type === type).length;
  const room = buttons.length < LIMITS.buttons;
  return {
    QUICK_REPLY: room,
    URL: room && count('URL') < LIMITS.urlButtons,
    PHONE_NUMBER: room && count('PHONE_NUMBER') < LIMITS.phoneButtons,
  };
}

/** The API input of a draft: empty optional parts are left out. */
export function draftToInput(channelId: string, d: Draft): TemplateInput {
  const input: TemplateInput = { channelId, name: d.name.trim(), language: d.language, category: d.category };
  if (d.category === 'AUTHENTICATION') {
    input.authentication = { addSecurityRecommendation: d.securityRecommendation };
    if (d.codeExpiration.trim()) {
      input.authentication.codeExpirationMinutes = Number(d.codeExpiration);
    }
    if (d.otpText.trim()) {
      input.authentication.buttonText = d.otpText.trim();
    }
    return input;
  }
  if (d.headerFormat === 'TEXT' && d.headerText.trim()) {
    const example = variableNumbers(d.headerText).length > 0 && d.headerExample.trim() ? d.headerExample.trim() : undefined;
    input.header = { format: 'TEXT', text: d.headerText.trim(), ...(example ? { example } : {}) };
  } else if (d.headerFormat && d.headerFormat !== 'TEXT') {
    input.header = { format: d.headerFormat, ...(d.headerHandle.trim() ? { exampleHandle: d.headerHandle.trim() } : {}) };
  }
  const count = variableNumbers(d.body).length;
  input.body = { text: d.body.trim(), ...(count > 0 ? { examples: d.examples.slice(0, count).map((e) => e.trim()) } : {}) };
  if (d.footer.trim()) {
    input.footer = { text: d.footer.trim() };
  }
  if (d.buttons.length > 0) {
    input.buttons = d.buttons.map((b) => {
      if (b.type === 'URL') {
        const example = variableNumbers(b.url).length > 0 && b.example.trim() ? b.example.trim() : undefined;
        return { type: 'URL', text: b.text.trim(), url: b.url.trim(), ...(example ? { example } : {}) };
      }
      if (b.type === 'PHONE_NUMBER') {
        return { type: 'PHONE_NUMBER', text: b.text.trim(), phoneNumber: b.phoneNumber.trim() };
      }
      return { type: 'QUICK_REPLY', text: b.text.trim() };
    });
  }
  return input;
}

/** Badge class of a template status. */
export function statusClass(status: string): string {
  switch (status) {
    case 'APPROVED':
      return 'badge badge-active';
    case 'PENDING':
    case 'IN_APPEAL':
      return 'badge badge-pending';
    case 'REJECTED':
    case 'DISABLED':
    case 'PAUSED':
      return 'badge badge-disabled';
    default:
      return 'badge';
  }
}
