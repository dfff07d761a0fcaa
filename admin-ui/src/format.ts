/**
 * Locale-aware formatting for the whole panel (times, days, sizes, regions). Every date the
 * panel shows goes through here, so one instant reads the same on every page; the rules
 * themselves are in formatRules.ts.
 */
import { useMemo } from 'react';
import { buildFormats } from './formatRules';
import type { Formats } from './formatRules';
import { useI18n } from './i18n';
import type { I18n } from './i18n';

export { dayKey } from './formatRules';
export type { Formats } from './formatRules';

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
