/** A tiny i18n context: flat dictionaries, `{name}` placeholders, and Intl for dates. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { setApiLanguage } from '../api';
import { DATE_TIME_ZONE } from '../dateStyles';
import type { Locale } from '../types';
import { en } from './en';
import type { MessageKey, Messages } from './en';
import { fr } from './fr';

export type { MessageKey } from './en';

export const LANGUAGES: readonly Locale[] = ['en', 'fr'];
const STORAGE_KEY = 'sb.lang';
const dictionaries: Record<Locale, Messages> = { en, fr };

type Vars = Record<string, string | number>;

export interface I18n {
  lang: Locale;
  setLang: (lang: Locale) => void;
  /** Translates a key, filling `{name}` placeholders from vars. */
  t: (key: MessageKey, vars?: Vars) => string;
  /** Translates a key built at run time (e.g. from an error id), or returns null. */
  tMaybe: (key: string, vars?: Vars) => string | null;
  /** An instant with its time zone (audit times); `common.never` for null. Same style as `useFormats().dateTimeZone`. */
  formatDateTime: (iso: string | null) => string;
}

function isLocale(value: unknown): value is Locale {
  return value === 'en' || value === 'fr';
}

function readStoredLang(): Locale | null {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    return isLocale(stored) ? stored : null;
  } catch {
    // Storage can be unavailable (private mode, policy); fall back to the browser.
    return null;
  }
}

/** Stored choice first, then the browser's language, then English. */
export function initialLang(): Locale {
  const stored = readStoredLang();
  if (stored) {
    return stored;
  }
  const browser = (window.navigator.language || 'en').slice(0, 2).toLowerCase();
  return isLocale(browser) ? browser : 'en';
}

function fill(template: string, vars?: Vars): string {
  if (!vars) {
    return template;
  }
  return template.replace(/\{(\w+)\}/g, (match, name: string) =>
    name in vars ? String(vars[name]) : match,
  );
}

function isKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

const I18nContext = createContext<I18n | null>(null);

/** Provides the current language and translation helpers. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Locale>(initialLang);

  const setLang = useCallback((next: Locale) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Not remembered; still switched for this page.
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    setApiLanguage(lang);
  }, [lang]);

  const value = useMemo<I18n>(() => {
    const dict = dictionaries[lang];
    const dateFormat = new Intl.DateTimeFormat(lang, DATE_TIME_ZONE);
    return {
      lang,
      setLang,
      t: (key, vars) => fill(dict[key], vars),
      tMaybe: (key, vars) => (isKey(key) ? fill(dict[key], vars) : null),
      formatDateTime: (iso) => {
        if (!iso) {
          return dict['common.never'];
        }
        const date = new Date(iso);
        return Number.isNaN(date.getTime()) ? iso : dateFormat.format(date);
      },
    };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The i18n helpers of the nearest provider. */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) {
    throw new Error('useI18n outside I18nProvider');
  }
  return value;
}
