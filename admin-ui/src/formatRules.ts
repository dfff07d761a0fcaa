/**
 * The panel's date, size and region rules, without React: `useFormats` (format.ts) gives them
 * to components, and a unit test holds the date rules (the list and the conversation agree).
 */
import { DATE_TIME } from './dateStyles';
import type { MessageKey } from './i18n/en';
import type { Locale } from './types';

type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export interface Formats {
  /** `14:05` */
  time: (iso: string) => string;
  /**
   * For compact lists (the conversation list). Today: `14:05`; before: the day as `day` names
   * it (`Yesterday`, `Tue`, `12 Mar 2025`), so the list and the conversation agree.
   */
  compact: (iso: string | null) => string;
  /** Today: `14:05`; another day: `Sat 14:05` (for near-future times such as the window's end). */
  timeOrDay: (iso: string) => string;
  /**
   * The day of an instant, relative while it is near: `Today`, `Yesterday`, a weekday for the
   * last week, then the date. `long` (`Tuesday`, `Tuesday 4 March 2025`) for the conversation's
   * day separators; `short` (`Tue`, `4 Mar 2025`) for lists.
   */
  day: (iso: string, width?: 'long' | 'short') => string;
  /** `2 Dec 2026, 14:05`: every absolute date and time (titles, table cells); `Never` for null. */
  dateTime: (iso: string | null) => string;
  /** `2 Dec 2026, 14:05 UTC`, where the instant must be unambiguous (audit, template dates). */
  dateTimeZone: (iso: string | null) => string;
  /** `1.2 MB` */
  size: (bytes: number | null) => string;
  /** `FR` -> `France` (the code itself when unknown). */
  region: (code: string | null) => string | null;
}

/** A stable key for the local calendar day of an instant. */
export function dayKey(iso: string): string {
  const date = new Date(iso);
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

function valid(iso: string | null): Date | null {
  if (!iso) {
    return null;
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** The formatters of one language; `formatDateTime` is the i18n context's (the zoned style). */
export function buildFormats(lang: Locale, t: Translate, formatDateTime: (iso: string | null) => string): Formats {
  const time = new Intl.DateTimeFormat(lang, { timeStyle: 'short' });
  const weekday = { short: new Intl.DateTimeFormat(lang, { weekday: 'short' }), long: new Intl.DateTimeFormat(lang, { weekday: 'long' }) };
  const date = { short: new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }), long: new Intl.DateTimeFormat(lang, { dateStyle: 'full' }) };
  const weekdayTime = new Intl.DateTimeFormat(lang, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
  const dateTime = new Intl.DateTimeFormat(lang, DATE_TIME);
  const number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  let regions: Intl.DisplayNames | null = null;
  try {
    regions = new Intl.DisplayNames([lang], { type: 'region' });
  } catch {
    regions = null;
  }
  const startOfDay = (offsetDays: number) => {
    const now = new Date();
    return new Date(now.getFullYear(), now.getMonth(), now.getDate() - offsetDays).getTime();
  };
  // One rule for "which day", used by the conversation list and the conversation alike.
  const day = (iso: string, width: 'long' | 'short' = 'long'): string => {
    const at = valid(iso);
    if (!at) {
      return '';
    }
    const ms = at.getTime();
    if (ms >= startOfDay(0)) {
      return t('inbox.today');
    }
    if (ms >= startOfDay(1)) {
      return t('inbox.yesterday');
    }
    return ms >= startOfDay(6) ? weekday[width].format(at) : date[width].format(at);
  };
  return {
    time: (iso) => {
      const at = valid(iso);
      return at ? time.format(at) : '';
    },
    compact: (iso) => {
      const at = valid(iso);
      if (!at || iso === null) {
        return '';
      }
      return at.getTime() >= startOfDay(0) ? time.format(at) : day(iso, 'short');
    },
    timeOrDay: (iso) => {
      const at = valid(iso);
      if (!at) {
        return '';
      }
      return dayKey(iso) === dayKey(new Date().toISOString()) ? time.format(at) : weekdayTime.format(at);
    },
    day,
    dateTime: (iso) => {
      const at = valid(iso);
      return at ? dateTime.format(at) : t('common.never');
    },
    dateTimeZone: (iso) => formatDateTime(iso),
    size: (bytes) => {
      if (bytes === null || !Number.isFinite(bytes)) {
        return '';
      }
      if (bytes < 1024) {
        return t('format.bytes', { n: bytes });
      }
      if (bytes < 1024 * 1024) {
        return t('format.kilobytes', { n: number.format(bytes / 1024) });
      }
      return t('format.megabytes', { n: number.format(bytes / (1024 * 1024)) });
    },
    region: (code) => {
      if (!code) {
        return null;
      }
      try {
        return regions?.of(code.toUpperCase()) ?? code;
      } catch {
        return code;
      }
    },
  };
}
