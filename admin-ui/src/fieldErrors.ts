/**
 * The server's refusals of form fields, in words a user knows and in the user's language.
 * The server names each refused field (`details.fields`: `{ path: 'body.phoneNumberId', code,
 * format, minimum, ... }`); its English `message` is the last resort, for rules it gives no code.
 */
import { ApiError } from './api';
import type { MessageKey } from './i18n/en';

/** The translation helpers this module needs (a subset of the i18n context). */
export interface Translate {
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  tMaybe: (key: string, vars?: Record<string, string | number>) => string | null;
}

/** One refused field, its path without the `body.` prefix (`phoneNumberId`, `buttons.0.text`). */
export interface FieldIssue {
  path: string;
  message: string;
  code?: string;
  format?: string;
  origin?: string;
  minimum?: number;
  maximum?: number;
  expected?: string;
  missing?: boolean;
  /** A schema's own rule (`button_text_unique`) and its limit, for rules zod has no code for. */
  rule?: string;
  limit?: number;
}

/** A form's fields: request path (without `body.`) to the label the user sees. Only fields shown on the form. */
export type FieldLabels = Record<string, string>;

/** Error ids (with no field of their own) that belong beside one field of a given form, e.g. `weak_password` beside the new password. */
export type PlacedErrors = Record<string, string>;

export interface FormErrors {
  /** The words for a field of the form, or null when it is fine. */
  field: (path: string) => string | null;
  /** Refused fields that are not on the form, each named by its label: "Phone number ID: digits only". */
  others: string[];
  /** Whether something is shown beside a field (the form's alert then points there). */
  beside: boolean;
}

const KNOWN_FORMATS = new Set(['digits', 'phone_number', 'graph_version', 'role_key', 'template_name', 'language_code', 'email', 'url', 'uuid']);

/** The words of the rules the server's own checks name (Meta's template rules), some shared with the panel's live checks. */
const RULES: Record<string, MessageKey> = {
  required: 'fieldErrors.required',
  auth_leave_out: 'fieldErrors.rule.auth_leave_out',
  auth_only: 'fieldErrors.rule.auth_only',
  variable_malformed: 'templates.problem.malformed',
  variable_order: 'templates.problem.order',
  variable_edge: 'templates.problem.edge',
  header_one_variable: 'templates.problem.tooMany',
  url_variable_end: 'fieldErrors.rule.url_variable_end',
  examples_count: 'fieldErrors.rule.examples_count',
  examples_unneeded: 'fieldErrors.rule.examples_unneeded',
  single_line: 'fieldErrors.rule.single_line',
  footer_no_variables: 'fieldErrors.rule.footer_no_variables',
  url_buttons_max: 'fieldErrors.rule.url_buttons_max',
  phone_buttons_max: 'fieldErrors.rule.phone_buttons_max',
  quick_replies_grouped: 'fieldErrors.rule.quick_replies_grouped',
  button_text_unique: 'fieldErrors.rule.button_text_unique',
  phone_digits_max: 'fieldErrors.rule.phone_digits_max',
  integration_url: 'integrations.rule.url',
  integration_body: 'integrations.rule.body',
  integration_answer: 'integrations.rule.answer',
  header_reserved: 'integrations.rule.headerReserved',
  header_duplicate: 'integrations.rule.headerDuplicate',
  header_needs_value: 'integrations.rule.headerNeedsValue',
  header_value_ascii: 'integrations.rule.headerValueAscii',
};

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** The refused fields an API error names, in the server's order; anything malformed is skipped. */
export function fieldIssues(error: unknown): FieldIssue[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details.fields)) {
    return [];
  }
  return error.details.fields.flatMap((raw: unknown): FieldIssue[] => {
    if (typeof raw !== 'object' || raw === null) {
      return [];
    }
    const f = raw as Record<string, unknown>;
    if (typeof f.path !== 'string') {
      return [];
    }
    return [
      {
        path: f.path.replace(/^body\.?/, ''),
        message: optionalString(f.message) ?? '',
        code: optionalString(f.code),
        format: optionalString(f.format),
        origin: optionalString(f.origin),
        minimum: optionalNumber(f.minimum),
        maximum: optionalNumber(f.maximum),
        expected: optionalString(f.expected),
        missing: f.missing === true,
        rule: optionalString(f.rule),
        limit: optionalNumber(f.limit),
      },
    ];
  });
}

/** Words for a length or size rule: characters for text, items for lists, the value for numbers. */
function sizeText(issue: FieldIssue, i18n: Translate): string | null {
  if (issue.code === 'too_small' && issue.minimum !== undefined) {
    if (issue.origin === 'string') {
      return issue.minimum <= 1 ? i18n.t('fieldErrors.required') : i18n.t('fieldErrors.tooShort', { minimum: issue.minimum });
    }
    return i18n.t(issue.origin === 'array' || issue.origin === 'set' ? 'fieldErrors.tooFew' : 'fieldErrors.tooSmall', { minimum: issue.minimum });
  }
  if (issue.code === 'too_big' && issue.maximum !== undefined) {
    if (issue.origin === 'string') {
      return i18n.t('fieldErrors.tooLong', { maximum: issue.maximum });
    }
    return i18n.t(issue.origin === 'array' || issue.origin === 'set' ? 'fieldErrors.tooMany' : 'fieldErrors.tooBig', { maximum: issue.maximum });
  }
  return null;
}

/**
 * What is wrong with one field, without its label ("Digits only (5 to 32 digits)."). `errorId` is
 * the answer's id: a field of an error other than `validation_failed` that gives no code (a Graph
 * API host not allowed, say) is described by that error's own translation.
 */
export function issueText(issue: FieldIssue, i18n: Translate, errorId = 'validation_failed'): string {
  if (issue.code === 'taken') {
    return i18n.t('fieldErrors.taken');
  }
  if (issue.missing) {
    return i18n.t('fieldErrors.required');
  }
  switch (issue.code) {
    case 'invalid_format':
      return issue.format && KNOWN_FORMATS.has(issue.format) ? (i18n.tMaybe(`fieldErrors.format.${issue.format}`) ?? i18n.t('fieldErrors.format')) : i18n.t('fieldErrors.format');
    case 'too_small':
    case 'too_big':
      return sizeText(issue, i18n) ?? i18n.t('fieldErrors.invalid');
    case 'invalid_type':
      if (issue.expected === 'int') {
        return i18n.t('fieldErrors.wholeNumber');
      }
      return issue.expected === 'number' ? i18n.t('fieldErrors.number') : i18n.t('fieldErrors.invalid');
    case 'invalid_value':
    case 'invalid_union':
      return i18n.t('fieldErrors.choice');
    case 'unrecognized_keys':
      return i18n.t('fieldErrors.unknownField');
    case 'custom': {
      const key = issue.rule === undefined ? undefined : RULES[issue.rule];
      if (key) {
        return i18n.t(key, { limit: issue.limit ?? '' });
      }
      break;
    }
    default:
      break;
  }
  if (issue.code === undefined && errorId !== 'validation_failed') {
    const translated = i18n.tMaybe(`errors.${errorId}`);
    if (translated) {
      return translated;
    }
  }
  // A module's own code (`invalid_phone`, `not_date`...), worded in each language when the panel knows it.
  const coded = issue.code === undefined ? null : i18n.tMaybe(`fieldErrors.code.${issue.code}`);
  if (coded) {
    return coded;
  }
  // A rule the server words itself (e.g. one of Meta's template rules): its words, else a generic one.
  return issue.message || i18n.t('fieldErrors.invalid');
}

/** A field's name for the user: its label, else its path in words (`header.text` gives "header text"). */
export function fieldName(path: string, labels: FieldLabels = {}): string {
  const label = labels[path];
  if (label) {
    return label;
  }
  const words = path
    .replace(/^(query|params)\./, '')
    .split('.')
    .filter((part) => !/^\d+$/.test(part))
    .join(' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words || path;
}

function errorId(error: unknown): string {
  return error instanceof ApiError ? error.id : '';
}

/**
 * Splits an API error between the fields of a form (their words, shown beside them) and the
 * rest (shown in the form's alert, each named by its label). `placed` puts errors that name no
 * field beside one (a wrong current password beside the current password), with `placedText`.
 */
export function formErrors(error: unknown, labels: FieldLabels, i18n: Translate, placed: PlacedErrors = {}, placedText = ''): FormErrors {
  const id = errorId(error);
  const byField = new Map<string, string[]>();
  const others: string[] = [];
  for (const issue of fieldIssues(error)) {
    const text = issueText(issue, i18n, id);
    if (issue.path in labels) {
      byField.set(issue.path, [...(byField.get(issue.path) ?? []), text]);
    } else {
      others.push(i18n.t('fieldErrors.labelled', { label: fieldName(issue.path, labels), text }));
    }
  }
  const placedAt = placed[id];
  if (placedAt !== undefined && placedAt in labels && byField.size === 0 && placedText) {
    byField.set(placedAt, [placedText]);
  }
  return {
    field: (path) => {
      const texts = byField.get(path);
      // One field can break several rules (a secret too short and badly typed): say each once.
      return texts ? [...new Set(texts)].join(' ') : null;
    },
    others,
    beside: byField.size > 0,
  };
}
