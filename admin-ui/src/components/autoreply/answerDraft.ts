/** A rule's answer as the dialog edits it, and back to what the API takes. */
import type { MessageKey } from '../../i18n/en';
import type { ApiBody, AutoReplyRule, Template } from '../../types';

export type Answer = ApiBody<'/api/v1/autoreply/rules', 'post'>['answer'];
/** The answer kinds in the order the select offers them (`interactive` is "Reply buttons"). */
export const ANSWER_KINDS = ['text', 'interactive', 'media', 'template', 'lookup'] as const;
export type AnswerKind = (typeof ANSWER_KINDS)[number];

export interface AnswerDraft {
  kind: AnswerKind;
  text: string;
  /** Reply button titles, comma-separated as typed. */
  buttons: string;
  mediaId: string;
  /** The chosen file's name, shown once it is uploaded. */
  fileName: string;
  caption: string;
  /** The number whose templates are listed (one of the rule's numbers). */
  templateChannelId: string;
  templateId: string;
  parameters: string[];
  integrationId: string;
}

/** The draft of a rule's current answer (an empty text answer for a new rule). */
export function draftOf(rule: AutoReplyRule | null): AnswerDraft {
  const draft: AnswerDraft = {
    kind: 'text', text: '', buttons: '', mediaId: '', fileName: '', caption: '', templateChannelId: rule?.channelIds[0] ?? '', templateId: '', parameters: [], integrationId: '',
  };
  const a = rule?.answer;
  switch (a?.kind) {
    case undefined:
      return draft;
    case 'text':
      return { ...draft, text: a.text };
    case 'interactive':
      return { ...draft, kind: 'interactive', text: a.text, buttons: a.buttons.join(', ') };
    case 'media':
      return { ...draft, kind: 'media', mediaId: a.mediaId, fileName: rule?.answerName ?? '', caption: a.caption ?? '' };
    case 'template':
      return { ...draft, kind: 'template', templateId: a.templateId, parameters: a.parameters ?? [] };
    case 'lookup':
      return { ...draft, kind: 'lookup', integrationId: a.integrationId };
  }
}

/** What the API takes for the draft. */
export function answerOf(d: AnswerDraft): Answer {
  switch (d.kind) {
    case 'text':
      return { kind: 'text', text: d.text };
    case 'interactive':
      return { kind: 'interactive', text: d.text, buttons: d.buttons.split(',').map((b) => b.trim()).filter(Boolean) };
    case 'media':
      return d.caption.trim() ? { kind: 'media', mediaId: d.mediaId, caption: d.caption } : { kind: 'media', mediaId: d.mediaId };
    case 'template':
      return { kind: 'template', templateId: d.templateId, parameters: d.parameters };
    case 'lookup':
      return { kind: 'lookup', integrationId: d.integrationId };
  }
}

/**
 * Why an automatic answer cannot send this template, or null: the rule fills the body's variables
 * only (the server refuses the same templates when the rule is saved).
 */
export function templateUnusable(t: Template): MessageKey | null {
  if (t.status !== 'APPROVED') {
    return 'autoreply.template.notApproved';
  }
  if (t.header && t.header.format !== 'TEXT') {
    return 'autoreply.template.mediaHeader';
  }
  if (t.header && t.header.parameterCount > 0) {
    return 'autoreply.template.headerVariable';
  }
  if (t.urlButtonParameters.length > 0) {
    return 'autoreply.template.urlVariable';
  }
  return null;
}

/** The list's words for a rule's answer: its kind, then the text or the name of its file, template or integration. */
export function answerSummary(rule: AutoReplyRule): { kind: AnswerKind; summary: string } {
  const a = rule.answer;
  return { kind: a.kind, summary: a.kind === 'text' || a.kind === 'interactive' ? a.text : (rule.answerName ?? '') };
}
