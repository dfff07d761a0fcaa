/** Turns API errors into text for the user, in the current language. */
import { ApiError } from './api';
import { fieldIssues, fieldName, issueText } from './fieldErrors';
import type { I18n, MessageKey } from './i18n';

/** Per-form wording for an error id (e.g. a wrong current password is not a failed login). */
export type ErrorOverrides = Partial<Record<string, MessageKey>>;

export interface ErrorText {
  message: string;
  /** Translated reasons, e.g. why a password was refused. */
  reasons: string[];
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/**
 * Known error ids get the UI's own translation (the server may answer in one language only);
 * any other id shows the server's message, which is written for the user.
 */
export function describeError(
  error: unknown,
  i18n: Pick<I18n, 't' | 'tMaybe'>,
  overrides: ErrorOverrides = {},
  /** False when a form shows the refused fields itself (fieldErrors.ts). */
  withFields = true,
): ErrorText {
  if (!(error instanceof ApiError)) {
    return { message: i18n.t('errors.unexpected'), reasons: [] };
  }
  const vars: Record<string, string | number> = {};
  const retryAfter = error.details.retryAfterSeconds;
  if (typeof retryAfter === 'number') {
    vars.minutes = Math.max(1, Math.ceil(retryAfter / 60));
  }
  const key = overrides[error.id] ?? `errors.${error.id}`;
  const translated =
    error.id === 'account_locked' && vars.minutes === undefined
      ? i18n.tMaybe('errors.account_locked_no_time')
      : i18n.tMaybe(key, vars);
  vars.requestId = typeof error.details.requestId === 'string' ? error.details.requestId : '—';
  const reasons = [
    ...stringList(error.details.reasons).map((reason) => i18n.tMaybe(`password.reason.${reason}`) ?? reason),
    ...(withFields ? fieldIssues(error).map((issue) => i18n.t('fieldErrors.labelled', { label: fieldName(issue.path), text: issueText(issue, i18n, error.id) })) : []),
    // grant_exceeds_own_rights names the rights (`Subject:action`) the user does not hold.
    ...stringList(error.details.missing),
  ];
  return { message: translated ?? error.message, reasons };
}

/**
 * The server's own (English) message for one form field (`validation_failed` names fields as
 * `body.<path>`). Forms use useFormErrors instead, which words it in the user's language.
 */
export function fieldError(error: unknown, path: string): string | null {
  if (!(error instanceof ApiError) || !Array.isArray(error.details.fields)) {
    return null;
  }
  const match = (error.details.fields as Array<{ path?: unknown; message?: unknown }>).find((f) => f.path === `body.${path}`);
  return typeof match?.message === 'string' ? match.message : null;
}
