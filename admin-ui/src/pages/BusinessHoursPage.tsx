import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormField } from '../components/FormField';
import { PageTitle } from '../components/PageTitle';
import { autoReplyApi, channelsApi } from '../endpoints';
import { fieldError } from '../errors';
import { useFormats } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { BusinessHoursSettings, Channel } from '../types';

type Slot = { day: 1 | 2 | 3 | 4 | 5 | 6 | 7; open: string; close: string };
const DAYS = [1, 2, 3, 4, 5, 6, 7] as const;
// The languages the panel writes automatic messages in; others can be set through the API.
const LANGS = ['en', 'fr'] as const;
const asDay = (n: number): Slot['day'] => DAYS.find((d) => d === n) ?? 1;

/** The time zones the browser knows, for the picker. */
function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : ['UTC', 'Europe/Paris', 'Europe/London', 'America/New_York'];
}

/** Texts per language, edited for the panel's languages; other languages' texts are kept as they are. */
function TextsFields(props: { prefix: string; texts: Record<string, string>; onChange: (texts: Record<string, string>) => void; hint?: string }) {
  const { t } = useI18n();
  return (
    <>
      {LANGS.map((lang) => (
        <FormField key={lang} id={`${props.prefix}-${lang}`} label={t(`language.${lang}`)} hint={props.hint}>
          {(describedBy) => (
            <textarea id={`${props.prefix}-${lang}`} rows={2} maxLength={4096} aria-describedby={describedBy} value={props.texts[lang] ?? ''}
              onChange={(event) => {
                const next = { ...props.texts };
                if (event.target.value.trim() === '') {
                  delete next[lang];
                } else {
                  next[lang] = event.target.value;
                }
                props.onChange(next);
              }} />
          )}
        </FormField>
      ))}
    </>
  );
}

/** `#/business-hours`: per number, the weekly schedule, holidays, out-of-office and welcome messages. */
export function BusinessHoursPage() {
  const { t } = useI18n();
  const formats = useFormats();
  const [channels, setChannels] = useState<Array<Pick<Channel, 'id' | 'name' | 'displayNumber'>>>([]);
  const [channelId, setChannelId] = useState('');
  const [draft, setDraft] = useState<BusinessHoursSettings | null>(null);
  const [holidays, setHolidays] = useState('');
  const [saved, setSaved] = useState(false);
  const loading = useAction();
  const saving = useAction();
  const { run: runLoad } = loading;

  useEffect(() => {
    void runLoad(() => channelsApi.list()).then((list) => {
      if (list && list.items.length > 0) {
        setChannels(list.items);
        setChannelId(list.items[0]!.id);
      }
    });
  }, [runLoad]);

  const load = useCallback(async (id: string) => {
    const result = await runLoad(() => autoReplyApi.hours(id));
    if (result) {
      setDraft(result.settings);
      setHolidays(result.settings.holidays.join('\n'));
      setSaved(false);
    }
  }, [runLoad]);

  useEffect(() => {
    if (channelId) {
      void load(channelId);
    }
  }, [channelId, load]);

  const slots = (draft?.weekly ?? []) as Slot[];
  const setSlots = (next: Slot[]) => draft && setDraft({ ...draft, weekly: next });
  const patchSlot = (i: number, patch: Partial<Slot>) => setSlots(slots.map((s, k) => (k === i ? { ...s, ...patch } : s)));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!draft) {
      return;
    }
    const input = {
      timeZone: draft.timeZone, weekly: slots, holidays: holidays.split(/\s+/).filter(Boolean), defaultLanguage: draft.defaultLanguage,
      outOfOffice: draft.outOfOffice, welcome: draft.welcome,
    };
    const result = await saving.run(() => autoReplyApi.saveHours(channelId, input));
    if (result) {
      setDraft(result.settings);
      setSaved(true);
    }
  }

  return (
    <>
      <PageTitle title={t('hours.title')}>
        <p>{t('hours.intro')}</p>
      </PageTitle>
      <ErrorAlert error={loading.error} />
      <div className="field">
        <label htmlFor="hours-channel">{t('hours.number')}</label>
        <select id="hours-channel" value={channelId} onChange={(event) => setChannelId(event.target.value)}>
          {channels.map((c) => <option key={c.id} value={c.id}>{`${c.name} (${c.displayNumber})`}</option>)}
        </select>
      </div>
      {draft && (
        <form className="card" onSubmit={(event) => void submit(event)} aria-labelledby="hours-schedule-title">
          <p id="hours-status" role="status" data-open={String(draft.openNow)}>
            {draft.openNow ? t('hours.openNow') : draft.nextOpening ? t('hours.closedUntil', { when: formats.dateTime(draft.nextOpening) }) : t('hours.closed')}
          </p>
          <div className="field-row">
            <FormField id="hours-zone" label={t('hours.timeZone')} error={fieldError(saving.error, 'timeZone')}>
              {(describedBy, invalid) => (
                <input id="hours-zone" list="hours-zones" required aria-describedby={describedBy} aria-invalid={invalid} value={draft.timeZone} onChange={(event) => setDraft({ ...draft, timeZone: event.target.value.trim() })} />
              )}
            </FormField>
            <datalist id="hours-zones">{timeZones().map((z) => <option key={z} value={z} />)}</datalist>
            <FormField id="hours-language" label={t('hours.defaultLanguage')} hint={t('hours.defaultLanguageHint')} error={fieldError(saving.error, 'defaultLanguage')}>
              {(describedBy, invalid) => (
                <input id="hours-language" required pattern="[a-z]{2,3}(-[A-Z]{2})?" aria-describedby={describedBy} aria-invalid={invalid} value={draft.defaultLanguage} onChange={(event) => setDraft({ ...draft, defaultLanguage: event.target.value.trim() })} />
              )}
            </FormField>
          </div>
          <h2 id="hours-schedule-title">{t('hours.schedule')}</h2>
          <p className="hint">{t('hours.scheduleHint')}</p>
          <ul className="hours-slots" id="hours-slots">
            {slots.map((slot, i) => (
              <li key={i} className="field-row" data-day={slot.day}>
                <select aria-label={t('hours.day')} value={slot.day} onChange={(event) => patchSlot(i, { day: asDay(Number(event.target.value)) })}>
                  {DAYS.map((d) => <option key={d} value={d}>{t(`hours.day.${d}`)}</option>)}
                </select>
                <input type="time" aria-label={t('hours.opens')} required value={slot.open} onChange={(event) => patchSlot(i, { open: event.target.value })} />
                <input type="time" aria-label={t('hours.closes')} required value={slot.close} onChange={(event) => patchSlot(i, { close: event.target.value })} />
                <button type="button" className="button-secondary" data-ui="hours.removeSlot" onClick={() => setSlots(slots.filter((_, k) => k !== i))}>
                  {t('hours.removeSlot')}
                </button>
              </li>
            ))}
          </ul>
          <button type="button" className="button-secondary" data-ui="hours.addSlot" onClick={() => setSlots([...slots, { day: 1, open: '09:00', close: '18:00' }])}>
            {t('hours.addSlot')}
          </button>
          <FormField id="hours-holidays" label={t('hours.holidays')} hint={t('hours.holidaysHint')} error={fieldError(saving.error, 'holidays')}>
            {(describedBy, invalid) => <textarea id="hours-holidays" rows={3} aria-describedby={describedBy} aria-invalid={invalid} value={holidays} onChange={(event) => setHolidays(event.target.value)} />}
          </FormField>
          <h2>{t('hours.outOfOffice')}</h2>
          <label className="checkbox">
            <input id="hours-ooo-enabled" type="checkbox" checked={draft.outOfOffice.enabled} onChange={(event) => setDraft({ ...draft, outOfOffice: { ...draft.outOfOffice, enabled: event.target.checked } })} />
            {t('hours.outOfOfficeEnabled')}
          </label>
          <TextsFields prefix="hours-ooo" texts={draft.outOfOffice.texts} hint={t('hours.outOfOfficeHint')} onChange={(texts) => setDraft({ ...draft, outOfOffice: { ...draft.outOfOffice, texts } })} />
          <h2>{t('hours.welcome')}</h2>
          <label className="checkbox">
            <input id="hours-welcome-enabled" type="checkbox" checked={draft.welcome.enabled} onChange={(event) => setDraft({ ...draft, welcome: { ...draft.welcome, enabled: event.target.checked } })} />
            {t('hours.welcomeEnabled')}
          </label>
          <TextsFields prefix="hours-welcome" texts={draft.welcome.texts} onChange={(texts) => setDraft({ ...draft, welcome: { ...draft.welcome, texts } })} />
          <ErrorAlert error={saving.error} />
          {saved && <p role="status" id="hours-saved">{t('hours.saved')}</p>}
          <Can I="update" a="BusinessHours">
            <button type="submit" className="button-primary" disabled={saving.busy} data-button="hours.save">
              {t('common.save')}
            </button>
          </Can>
        </form>
      )}
    </>
  );
}
