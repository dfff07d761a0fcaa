import { useMemo } from 'react';
import { useI18n } from '../../i18n';

/** Amounts in the reader's language: at least cents, up to the rate card's fractions of a cent. */
export function useMoney(): (amount: number, currency: string) => string {
  const { lang } = useI18n();
  return useMemo(() => {
    const formats = new Map<string, Intl.NumberFormat>();
    return (amount, currency) => {
      let f = formats.get(currency);
      if (!f) {
        f = new Intl.NumberFormat(lang, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 4 });
        formats.set(currency, f);
      }
      return f.format(amount);
    };
  }, [lang]);
}
