import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormField } from '../components/FormField';
import { PageTitle } from '../components/PageTitle';
import { importsApi, segmentsApi } from '../endpoints';
import { fieldError } from '../errors';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { ContactImport, ContactImportOptions, ContactImportUpload, ImportDecision, SegmentOptions } from '../types';

// How often the page re-reads a running import's counters.
const POLL_MS = 1000;
const FIELDS = ['ignore', 'phone', 'name', 'country', 'language', 'labels'] as const;
type Column = ContactImportOptions['columns'][number];

/** A first guess at each column's field from its header (the user corrects it). */
function guess(header: string, attributeKeys: string[]): Column {
  const h = header.trim().toLowerCase();
  if (/phone|mobile|t[ée]l|number|num[ée]ro|wa_?id/.test(h)) {
    return 'phone';
  }
  if (/name|nom/.test(h)) {
    return 'name';
  }
  if (/country|pays/.test(h)) {
    return 'country';
  }
  if (/lang/.test(h)) {
    return 'language';
  }
  if (/label|tag|[ée]tiquette/.test(h)) {
    return 'labels';
  }
  const key = attributeKeys.find((k) => h === k || h === `attribute:${k}`);
  return key ? `attribute:${key}` : 'ignore';
}

/** `#/contact-imports`: upload a CSV, map its columns, dry run, import, watch progress, download the error report. */
export function ImportsPage() {
  const { t } = useI18n();
  const [file, setFile] = useState<File | null>(null);
  const [upload, setUpload] = useState<ContactImportUpload | null>(null);
  const [current, setCurrent] = useState<ContactImport | null>(null);
  const [options, setOptions] = useState<ContactImportOptions | null>(null);
  const [catalogue, setCatalogue] = useState<SegmentOptions | null>(null);
  const [decisions, setDecisions] = useState<ImportDecision[]>([]);
  const sending = useAction();
  const polling = useAction();
  const { run: runPoll } = polling;

  useEffect(() => {
    // The attribute definitions name the mapping's attribute targets; without Segment:read there are none to offer.
    void segmentsApi.options().then(setCatalogue, () => setCatalogue({ labels: [], attributes: [], channels: [] }));
  }, []);

  const active = current?.status === 'queued' || current?.status === 'running';
  const refresh = useCallback(async (id: string) => {
    const res = await runPoll(() => importsApi.get(id));
    if (res) {
      setCurrent(res.import);
      if (res.import.status === 'done' || res.import.status === 'failed') {
        const rows = await runPoll(() => importsApi.rows(id));
        setDecisions(rows?.items ?? []);
      }
    }
  }, [runPoll]);

  useEffect(() => {
    if (!active || !current) {
      return undefined;
    }
    const timer = setTimeout(() => void refresh(current.id), POLL_MS);
    return () => clearTimeout(timer);
  }, [active, current, refresh]);

  async function submitUpload(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) {
      return;
    }
    const res = await sending.run(() => importsApi.upload(file));
    if (res) {
      const keys = catalogue?.attributes.map((a) => a.key) ?? [];
      setUpload(res);
      setCurrent(res.import);
      setDecisions([]);
      setOptions({ columns: res.import.header.map((h) => guess(h, keys)), defaultCountry: 'FR', existing: 'skip', createLabels: false, labelSeparator: ';' });
    }
  }

  async function start(dryRun: boolean) {
    if (!current || !options) {
      return;
    }
    const res = await sending.run(() => importsApi.start(current.id, options, dryRun));
    if (res) {
      setDecisions([]);
      setCurrent(res.import);
    }
  }

  const set = (part: Partial<ContactImportOptions>) => setOptions((previous) => (previous ? { ...previous, ...part } : previous));
  const p = current?.progress;

  return (
    <>
      <PageTitle title={t('imports.title')}>
        <p>{t('imports.intro')}</p>
      </PageTitle>
      <Can I="create" a="ContactImport">
        <form className="card" onSubmit={(e) => void submitUpload(e)}>
          <FormField id="import-file" label={t('imports.file')} hint={t('imports.fileHint')} error={fieldError(sending.error, 'file')}>
            {(describedBy, invalid) => (
              <input id="import-file" type="file" accept=".csv,text/csv" required aria-describedby={describedBy} aria-invalid={invalid}
                onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
            )}
          </FormField>
          <button type="submit" className="button-primary" disabled={sending.busy || !file} data-button="imports.upload">{t('imports.upload')}</button>
        </form>
      </Can>
      <ErrorAlert error={sending.error} />
      {upload && current && options && (
        <section className="card" aria-labelledby="import-mapping-title">
          <h2 id="import-mapping-title">{t('imports.mapping')}</h2>
          {upload.encodingWarning && <p className="field-error" role="alert">{t('imports.encodingWarning')}</p>}
          <div className="table-wrap">
            <table className="table" id="import-mapping">
              <thead>
                <tr>{current.header.map((h, i) => <th key={i} scope="col">{h}</th>)}</tr>
                <tr>
                  {current.header.map((h, i) => (
                    <td key={i}>
                      <select aria-label={t('imports.columnField', { column: h })} data-column={i} value={options.columns[i]}
                        onChange={(e) => set({ columns: options.columns.map((c, j) => (j === i ? (e.target.value as Column) : c)) })}>
                        {FIELDS.map((f) => <option key={f} value={f}>{t(`imports.field.${f}`)}</option>)}
                        {catalogue?.attributes.map((a) => <option key={a.key} value={`attribute:${a.key}`}>{a.name}</option>)}
                      </select>
                    </td>
                  ))}
                </tr>
              </thead>
              <tbody>
                {upload.sample.map((row, r) => <tr key={r}>{row.map((cell, i) => <td key={i}>{cell}</td>)}</tr>)}
              </tbody>
            </table>
          </div>
          <div className="field-row">
            <FormField id="import-country" label={t('imports.defaultCountry')} error={fieldError(sending.error, 'options.defaultCountry')}>
              {(describedBy, invalid) => (
                <input id="import-country" maxLength={2} aria-describedby={describedBy} aria-invalid={invalid} value={options.defaultCountry}
                  onChange={(e) => set({ defaultCountry: e.target.value.toUpperCase() })} />
              )}
            </FormField>
            <FormField id="import-existing" label={t('imports.existing')}>
              {(describedBy) => (
                <select id="import-existing" aria-describedby={describedBy} value={options.existing} onChange={(e) => set({ existing: e.target.value === 'update' ? 'update' : 'skip' })}>
                  <option value="skip">{t('imports.existing.skip')}</option>
                  <option value="update">{t('imports.existing.update')}</option>
                </select>
              )}
            </FormField>
            <FormField id="import-separator" label={t('imports.separator')}>
              {(describedBy) => (
                <input id="import-separator" maxLength={1} aria-describedby={describedBy} value={options.labelSeparator} onChange={(e) => set({ labelSeparator: e.target.value || ';' })} />
              )}
            </FormField>
            <label className="checkbox">
              <input type="checkbox" id="import-create-labels" checked={options.createLabels} onChange={(e) => set({ createLabels: e.target.checked })} />
              {t('imports.createLabels')}
            </label>
          </div>
          <Can I="create" a="ContactImport">
            <div className="form-actions">
              <button type="button" className="button-secondary" disabled={sending.busy || active} data-button="imports.dryRun" onClick={() => void start(true)}>{t('imports.dryRun')}</button>
              <button type="button" className="button-primary" disabled={sending.busy || active} data-button="imports.run" onClick={() => void start(false)}>{t('imports.run')}</button>
            </div>
          </Can>
        </section>
      )}
      {current && p && current.status !== 'uploaded' && (
        <section className="card" aria-labelledby="import-progress-title" id="import-progress" data-status={current.status} data-dry-run={String(current.dryRun)}>
          <h2 id="import-progress-title">{t(current.dryRun ? 'imports.dryRunTitle' : 'imports.runTitle')}</h2>
          <progress aria-label={t('imports.progress')} {...(current.status === 'done' || current.status === 'failed' ? { value: 1, max: 1 } : {})} />
          <p role="status" aria-live="polite">
            {t(`imports.status.${current.status}`)}{' · '}
            {t('imports.counts', { read: p.rowsRead, created: p.created, updated: p.updated, skipped: p.skipped, rejected: p.rejected })}
          </p>
          {current.error && <p className="field-error">{current.error}</p>}
          <ErrorAlert error={polling.error} />
          {(current.status === 'done' || current.status === 'failed') && (
            <>
              <p>
                <a className="button-secondary" href={importsApi.reportUrl(current.id, 'rejected')} download data-button="imports.report">{t('imports.errorReport')}</a>{' '}
                {current.dryRun && <a className="button-secondary" href={importsApi.reportUrl(current.id, 'all')} download data-button="imports.report">{t('imports.fullReport')}</a>}
              </p>
              {decisions.length > 0 && (
                <div className="table-wrap">
                  <table className="table" id="import-decisions">
                    <thead>
                      <tr>
                        <th scope="col">{t('imports.row')}</th>
                        <th scope="col">{t('imports.decision')}</th>
                        <th scope="col">{t('imports.reason')}</th>
                        <th scope="col">{t('imports.line')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {decisions.map((d) => (
                        <tr key={d.row} data-row={d.row} data-decision={d.decision}>
                          <td>{d.row}</td>
                          <td>{t(`imports.decision.${d.decision}`)}</td>
                          <td>{d.reason ? `${t(`imports.reason.${d.reason}`)}${d.detail ? ` (${d.detail})` : ''}` : ''}</td>
                          <td><code>{d.line}</code></td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </>
          )}
        </section>
      )}
    </>
  );
}
