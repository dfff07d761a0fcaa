/** Locale-aware formatting for the inbox and channels pages (times, days, sizes, regions). */
import { useMemo } from 'react';
import { useI18n } from './i18n';
import type { I18n } from './i18n';
import type { Locale } from './types';

export interface Formats {
  /** `14:05` */
  time: (iso: string) => string;
  /** Today: `14:05`; this week: `Tue`; older: `12/03/2025`. For compact lists. */
  compact: (iso: string | null) => string;
  /** Today: `14:05`; another day: `Sat 14:05` (for near-future times such as the window's end). */
  timeOrDay: (iso: string) => string;
  /** `Today`, `Yesterday` or `Tuesday 4 March 2025`, for day separators. */
  day: (iso: string) => string;
  /** A full date and time, for titles. */
  dateTime: (iso: string | null) => string;
  /** `27/11/2026 12:30`, for table cells. */
  shortDateTime: (iso: string | null) => string;
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

/**
 * Intl formatters are costly to build, and every table row and message uses them: one set
 * per language (keyed by its `t`), shared by all components.
 */
const cache = new WeakMap<I18n['t'], Formats>();

export function useFormats(): Formats {
  const { lang, t, formatDateTime } = useI18n();
  return useMemo(() => {
    const cached = cache.get(t);
    if (cached) {
      return cached;
    }
    const built = buildFormats(lang, t, formatDateTime);
    cache.set(t, built);
    return built;
  }, [lang, t, formatDateTime]);
}

function buildFormats(lang: Locale, t: I18n['t'], formatDateTime: I18n['formatDateTime']): Formats {
  const time = new Intl.DateTimeFormat(lang, { timeStyle: 'short' });
  const weekday = new Intl.DateTimeFormat(lang, { weekday: 'short' });
  const short = new Intl.DateTimeFormat(lang, { dateStyle: 'short' });
  const full = new Intl.DateTimeFormat(lang, { dateStyle: 'full' });
  const weekdayTime = new Intl.DateTimeFormat(lang, { weekday: 'short', hour: 'numeric', minute: '2-digit' });
  const shortDateTime = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' });
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
  return {
    time: (iso) => {
      const date = valid(iso);
      return date ? time.format(date) : '';
    },
    compact: (iso) => {
      const date = valid(iso);
      if (!date) {
        return '';
      }
      if (date.getTime() >= startOfDay(0)) {
        return time.format(date);
      }
      return date.getTime() >= startOfDay(6) ? weekday.format(date) : short.format(date);
    },
    timeOrDay: (iso) => {
      const date = valid(iso);
      if (!date) {
        return '';
      }
      return dayKey(iso) === dayKey(new Date().toISOString()) ? time.format(date) : weekdayTime.format(date);
    },
    day: (iso) => {
      const date = valid(iso);
      if (!date) {
        return '';
      }
      if (date.getTime() >= startOfDay(0)) {
        return t('inbox.today');
      }
      return date.getTime() >= startOfDay(1) ? t('inbox.yesterday') : full.format(date);
    },
    dateTime: (iso) => formatDateTime(iso),
    shortDateTime: (iso) => {
      const date = valid(iso);
      return date ? shortDateTime.format(date) : t('common.never');
    },
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
