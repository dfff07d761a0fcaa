import { useState } from 'react';
import type { FormEvent } from 'react';
import { lexiconApi } from '../../endpoints';
import { fieldError } from '../../errors';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { LexiconAction, LexiconImportReport } from '../../types';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';
import { FormActions } from '../FormActions';
import { FormField } from '../FormField';

const ACTIONS: LexiconAction[] = ['block', 'flag'];

/** Language and action pickers shared by both dialogs. */
function LocaleAndAction(props: { prefix: string; locale: string; action: LexiconAction; onLocale: (v: string) => void; onAction: (v: LexiconAction) => void; error: unknown }) {
  const { t } = useI18n();
  return (
    <div className="field-row">
      <FormField id={`${props.prefix}-locale`} label={t('lexicon.locale')} error={fieldError(props.error, 'locale')}>
        {(describedBy, invalid) => (
          <input id={`${props.prefix}-locale`} name="locale" list="lexicon-dialog-locales" required pattern="[a-z]{2,3}(-[A-Z]{2})?" aria-describedby={describedBy} aria-invalid={invalid} value={props.locale} onChange={(event) => props.onLocale(event.target.value.trim())} />
        )}
      </FormField>
      <datalist id="lexicon-dialog-locales">
        <option value="en" />
        <option value="fr" />
      </datalist>
      <FormField id={`${props.prefix}-action`} label={t('lexicon.action')}>
        {(describedBy) => (
          <select id={`${props.prefix}-action`} name="action" aria-describedby={describedBy} value={props.action} onChange={(event) => props.onAction(event.target.value === 'flag' ? 'flag' : 'block')}>
            {ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`lexicon.action.${a}`)}
              </option>
            ))}
          </select>
        )}
      </FormField>
    </div>
  );
}

/** Adds one term or phrase. */
export function AddTermDialog({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const { t, lang } = useI18n();
  const [term, setTerm] = useState('');
  const [locale, setLocale] = useState<string>(lang);
  const [action, setAction] = useState<LexiconAction>('block');
  const saving = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (await saving.run(() => lexiconApi.create({ term: term.trim(), locale, action }))) {
      onAdded();
    }
  }

  return (
    <Dialog title={t('lexicon.addTitle')} onClose={onClose} id="lexicon-add-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <FormField id="lexicon-term" label={t('lexicon.term')} hint={t('lexicon.termHint')} error={fieldError(saving.error, 'term')}>
          {(describedBy, invalid) => (
            <input id="lexicon-term" name="term" required maxLength={200} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={term} onChange={(event) => setTerm(event.target.value)} />
          )}
        </FormField>
        <LocaleAndAction prefix="lexicon-term" locale={locale} action={action} onLocale={setLocale} onAction={setAction} error={saving.error} />
        <ErrorAlert error={saving.error} />
        <FormActions onCancel={onClose} disabled={saving.busy} can={['create', 'Lexicon']} button="lexicon.submitAdd" label={t('lexicon.add')} />
      </form>
    </Dialog>
  );
}

/** Imports a term list and shows the report: how many were added, and each rejected row. */
export function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: () => void }) {
  const { t, lang } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [locale, setLocale] = useState<string>(lang);
  const [action, setAction] = useState<LexiconAction>('block');
  const [report, setReport] = useState<LexiconImportReport | null>(null);
  const importing = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) {
      return;
    }
    const result = await importing.run(() => lexiconApi.importFile(file, { locale, action }));
    if (result) {
      setReport(result);
      onImported();
    }
  }

  return (
    <Dialog title={t('lexicon.importTitle')} onClose={onClose} id="lexicon-import-dialog" wide>
      <form onSubmit={(event) => void submit(event)}>
        <FormField id="lexicon-import-file" label={t('lexicon.importFile')}>
          {(describedBy) => (
            <input id="lexicon-import-file" name="file" type="file" required accept=".txt,.csv,text/plain,text/csv" aria-describedby={describedBy} onChange={(event) => setFile(event.target.files?.[0] ?? null)} />
          )}
        </FormField>
        <p className="hint">{t('lexicon.importDefaults')}</p>
        <LocaleAndAction prefix="lexicon-import" locale={locale} action={action} onLocale={setLocale} onAction={setAction} error={importing.error} />
        <ErrorAlert error={importing.error} />
        {report && (
          <div id="lexicon-import-report" role="status" className="lexicon-report">
            <p>{t('lexicon.importDone', { imported: report.imported, rejected: report.rejectedCount })}</p>
            {report.rejected.length > 0 && (
              <ul>
                {report.rejected.map((row) => (
                  <li key={row.line} data-line={row.line} data-reason={row.reason}>
                    {t('lexicon.importLine', { line: row.line })}: <code>{row.text}</code> — {t(`lexicon.reject.${row.reason}`)}
                  </li>
                ))}
              </ul>
            )}
            {report.rejectedCount > report.rejected.length && <p className="hint">{t('lexicon.importRejectedMore', { shown: report.rejected.length })}</p>}
          </div>
        )}
        <FormActions onCancel={onClose} disabled={importing.busy || !file} can={['import', 'Lexicon']} button="lexicon.submitImport" label={t('lexicon.importSubmit')} />
      </form>
    </Dialog>
  );
}
