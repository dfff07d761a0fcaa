/**
 * The panel's one way of writing an instant, shared by `useFormats` (format.ts) and the i18n
 * context (which cannot import format.ts: format.ts reads the context). Written as parts rather
 * than `dateStyle`/`timeStyle`, because Intl refuses those together with `timeZoneName`.
 */

/** `2 Dec 2026, 14:05` in the user's language: every absolute date and time of the panel. */
export const DATE_TIME: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' };

/**
 * The same with the time zone (`2 Dec 2026, 14:05 UTC`), where the instant must be unambiguous
 * to someone reading it elsewhere: audit events, anchors, template review dates.
 */
export const DATE_TIME_ZONE: Intl.DateTimeFormatOptions = { ...DATE_TIME, timeZoneName: 'short' };
