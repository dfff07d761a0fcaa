import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api';
import type { ApiResponse } from '../../types';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useFormErrors } from '../../useFormErrors';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { FormField } from '../FormField';

type Settings = ApiResponse<'/api/v1/settings', 'get'>;

/** The words that opt a customer out when sent alone (the setting `optOutKeywords`). */
export function OptOutWords() {
  const { t } = useI18n();
  const [words, setWords] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const load = useAction();
  const save = useAction();
  const { run } = load;
  const errors = useFormErrors(save.error, { optOutKeywords: t('contactFields.optOutWords') });

  useEffect(() => {
    void run(() => api.get<Settings>('/settings')).then((s) => s && setWords(s.optOutKeywords.join('\n')));
  }, [run]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSaved(false);
    const optOutKeywords = (words ?? '').split('\n').map((w) => w.trim()).filter(Boolean);
    const result = await save.run(() => api.patch<Settings>('/settings', { optOutKeywords }));
    if (result) {
      setWords(result.optOutKeywords.join('\n'));
      setSaved(true);
    }
  }

  return (
    <section className="card" aria-labelledby="opt-out-words-title">
      <h2 id="opt-out-words-title">{t('contactFields.optOutWords')}</h2>
      <ErrorAlert error={load.error} />
      {words !== null && (
        <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
          <FormField id="opt-out-words" label={t('contactFields.optOutWords')} hint={t('contactFields.optOutWordsHint')} error={errors.field('optOutKeywords')}>
            {(describedBy, invalid) => (
              <textarea id="opt-out-words" rows={5} aria-describedby={describedBy} aria-invalid={invalid} value={words} onChange={(event) => setWords(event.target.value)} />
            )}
          </FormField>
          <ErrorAlert error={save.error} form={errors} />
          {saved && <p role="status">{t('contactFields.optOutWordsSaved')}</p>}
          <Can I="update" a="Setting">
            <div className="form-actions">
              <button type="submit" className="button-primary" disabled={save.busy} data-button="settings.saveOptOutWords">{t('common.save')}</button>
            </div>
          </Can>
        </form>
      )}
    </section>
  );
}
