import { expect } from 'chai';
import { DATE_TIME_ZONE } from '../../admin-ui/src/dateStyles';
import { buildFormats } from '../../admin-ui/src/formatRules';
import { en } from '../../admin-ui/src/i18n/en';
import type { MessageKey } from '../../admin-ui/src/i18n/en';
import { fr } from '../../admin-ui/src/i18n/fr';

/** The panel's formatters for a language, with its real dictionary. */
function formatsFor(lang: 'en' | 'fr') {
  const dict = lang === 'en' ? en : fr;
  const zoned = new Intl.DateTimeFormat(lang, DATE_TIME_ZONE);
  return buildFormats(lang, (key: MessageKey) => dict[key], (iso: string | null) => (iso ? zoned.format(new Date(iso)) : dict['common.never']));
}

/** Noon, `daysAgo` calendar days before today (local time, as the panel counts days). */
function noonDaysAgo(daysAgo: number): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo, 12, 0).toISOString();
}

describe('the panel\'s dates (admin-ui/src/formatRules.ts)', () => {
  const f = formatsFor('en');

  it('names yesterday the same in the conversation list and in the conversation', () => {
    const iso = noonDaysAgo(1);
    expect(f.day(iso)).to.equal('Yesterday');
    expect(f.compact(iso)).to.equal('Yesterday');
    expect(formatsFor('fr').compact(iso)).to.equal(formatsFor('fr').day(iso)).and.to.equal('Hier');
  });

  it('names a day of the past week by its weekday in both, short in the list and long in the conversation', () => {
    const iso = noonDaysAgo(3);
    const weekday = (style: 'short' | 'long') => new Intl.DateTimeFormat('en', { weekday: style }).format(new Date(iso));
    expect(f.compact(iso)).to.equal(weekday('short'));
    expect(f.day(iso)).to.equal(weekday('long'));
  });

  it('gives an older day as a date in both, the same date', () => {
    const iso = noonDaysAgo(40);
    const date = new Date(iso);
    expect(f.compact(iso)).to.equal(new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(date));
    expect(f.day(iso)).to.equal(new Intl.DateTimeFormat('en', { dateStyle: 'full' }).format(date));
  });

  it('shows only the time for today in the list, and "Today" over the conversation', () => {
    const now = new Date().toISOString();
    expect(f.compact(now)).to.equal(f.time(now));
    expect(f.day(now)).to.equal('Today');
  });

  it('writes instants where the zone matters with it, and a missing time as "Never"', () => {
    const iso = '2026-03-04T15:05:00.000Z';
    const zone = new Intl.DateTimeFormat('en', DATE_TIME_ZONE).formatToParts(new Date(iso)).find((p) => p.type === 'timeZoneName')!.value;
    expect(f.dateTimeZone(iso)).to.contain(zone).and.to.contain('2026');
    expect(f.dateTime(iso)).not.to.contain(zone);
    expect(f.dateTime(null)).to.equal('Never');
  });
});
