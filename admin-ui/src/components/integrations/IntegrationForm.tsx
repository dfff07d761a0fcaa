import { useState } from 'react';
import type { FormEvent } from 'react';
import { Dialog } from '../Dialog';
import { ErrorAlert } from '../ErrorAlert';
import { FormActions } from '../FormActions';
import { FormField } from '../FormField';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { integrationsApi } from '../../integrationsApi';
import type { Integration, IntegrationInput } from '../../integrationsApi';
import { useFormErrors } from '../../useFormErrors';

type Method = Integration['method'];
/** A header row of the form. `stored`: a secret already saved, kept unless a new value is typed. */
type HeaderRow = { name: string; value: string; secret: boolean; stored: boolean };

const EXAMPLE_BODY = '{\n  "phone": "{{wa_id}}",\n  "question": "{{text}}",\n  "name": "{{contact_name}}"\n}';

/** The headers to send: a stored secret left empty is sent without a value, which keeps it. */
function headersOf(rows: HeaderRow[]): IntegrationInput['headers'] {
  return rows
    .filter((h) => h.name.trim() !== '')
    .map((h) => (h.secret && h.stored && h.value === '' ? { name: h.name.trim(), secret: true } : { name: h.name.trim(), secret: h.secret, value: h.value }));
}

/** Adds or edits an integration: where it calls, with which headers (secrets masked), and its two templates. */
export function IntegrationForm({ integration, onClose, onSaved }: { integration: Integration | null; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState(integration?.name ?? '');
  const [method, setMethod] = useState<Method>(integration?.method ?? 'POST');
  const [url, setUrl] = useState(integration?.url ?? '');
  const [body, setBody] = useState(integration?.bodyTemplate ?? EXAMPLE_BODY);
  const [answer, setAnswer] = useState(integration?.responseTemplate ?? '');
  const [timeoutMs, setTimeoutMs] = useState(String(integration?.timeoutMs ?? 2000));
  const [enabled, setEnabled] = useState(integration?.enabled ?? true);
  const [headers, setHeaders] = useState<HeaderRow[]>(
    integration?.headers.map((h) => ({ name: h.name, value: h.secret ? '' : h.value, secret: h.secret, stored: h.secret && h.set })) ?? [],
  );
  const action = useAction();
  const errors = useFormErrors(action.error, {
    name: t('integrations.name'), method: t('integrations.method'), url: t('integrations.url'), bodyTemplate: t('integrations.bodyTemplate'),
    responseTemplate: t('integrations.responseTemplate'), timeoutMs: t('integrations.timeout'), headers: t('integrations.headers'),
  });
  const setHeader = (index: number, change: Partial<HeaderRow>) => setHeaders((rows) => rows.map((h, i) => (i === index ? { ...h, ...change } : h)));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const input: IntegrationInput = {
      name: name.trim(), method, url: url.trim(), headers: headersOf(headers), bodyTemplate: method === 'POST' ? body : null,
      responseTemplate: answer, enabled, timeoutMs: Number(timeoutMs),
    };
    const result = await action.run(() => (integration ? integrationsApi.update(integration.id, input) : integrationsApi.create(input)));
    if (result) {
      onSaved();
    }
  }

  return (
    <Dialog title={integration ? t('integrations.editTitle', { name: integration.name }) : t('integrations.create')} onClose={onClose} id="integration-dialog" wide>
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <FormField id="integration-name" label={t('integrations.name')} error={errors.field('name')}>
          {(describedBy, invalid) => (
            <input id="integration-name" name="name" required maxLength={80} autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(e) => setName(e.target.value)} />
          )}
        </FormField>
        <FormField id="integration-method" label={t('integrations.method')} error={errors.field('method')}>
          {(describedBy, invalid) => (
            <select id="integration-method" name="method" aria-describedby={describedBy} aria-invalid={invalid} value={method} onChange={(e) => setMethod(e.target.value === 'GET' ? 'GET' : 'POST')}>
              <option value="POST">POST</option>
              <option value="GET">GET</option>
            </select>
          )}
        </FormField>
        <FormField id="integration-url" label={t('integrations.url')} hint={t('integrations.urlHint')} error={errors.field('url')}>
          {(describedBy, invalid) => (
            <input id="integration-url" name="url" type="text" inputMode="url" required maxLength={2000} autoComplete="off" spellCheck={false} placeholder="https://erp.example.com/orders/{{wa_id}}" aria-describedby={describedBy} aria-invalid={invalid} value={url} onChange={(e) => setUrl(e.target.value)} />
          )}
        </FormField>
        <fieldset className="field">
          <legend>{t('integrations.headers')}</legend>
          <p className="hint">{t('integrations.headersHint')}</p>
          {headers.map((h, i) => (
            <div className="header-row" key={i} data-header-row={i}>
              <FormField id={`integration-header-name-${i}`} label={t('integrations.headerName')} error={errors.field(`headers.${i}.name`)}>
                {(describedBy, invalid) => (
                  <input id={`integration-header-name-${i}`} autoComplete="off" spellCheck={false} maxLength={100} aria-describedby={describedBy} aria-invalid={invalid} value={h.name} onChange={(e) => setHeader(i, { name: e.target.value })} />
                )}
              </FormField>
              <FormField id={`integration-header-value-${i}`} label={t('integrations.headerValue')} error={errors.field(`headers.${i}.value`)}>
                {(describedBy, invalid) => (
                  <input
                    id={`integration-header-value-${i}`} type={h.secret ? 'password' : 'text'} autoComplete="off" spellCheck={false} maxLength={2000}
                    placeholder={h.stored ? t('integrations.secretStored') : undefined} aria-describedby={describedBy} aria-invalid={invalid}
                    value={h.value} onChange={(e) => setHeader(i, { value: e.target.value })}
                  />
                )}
              </FormField>
              <label className="checkbox">
                <input id={`integration-header-secret-${i}`} type="checkbox" checked={h.secret} onChange={(e) => setHeader(i, { secret: e.target.checked, stored: false })} />
                {t('integrations.secret')}
              </label>
              <button type="button" className="button-secondary" data-ui="integrations.removeHeader" onClick={() => setHeaders((rows) => rows.filter((_, j) => j !== i))}>
                {t('integrations.removeHeader')}
              </button>
            </div>
          ))}
          {errors.field('headers') && <p className="field-error">{errors.field('headers')}</p>}
          <button type="button" className="button-secondary" data-ui="integrations.addHeader" onClick={() => setHeaders((rows) => [...rows, { name: '', value: '', secret: false, stored: false }])}>
            {t('integrations.addHeader')}
          </button>
        </fieldset>
        {method === 'POST' && (
          <FormField id="integration-body" label={t('integrations.bodyTemplate')} hint={t('integrations.bodyHint')} error={errors.field('bodyTemplate')}>
            {(describedBy, invalid) => (
              <textarea id="integration-body" name="bodyTemplate" rows={6} className="mono" spellCheck={false} aria-describedby={describedBy} aria-invalid={invalid} value={body} onChange={(e) => setBody(e.target.value)} />
            )}
          </FormField>
        )}
        <FormField id="integration-answer" label={t('integrations.responseTemplate')} hint={t('integrations.answerHint')} error={errors.field('responseTemplate')}>
          {(describedBy, invalid) => (
            <textarea id="integration-answer" name="responseTemplate" rows={3} required maxLength={4096} placeholder={t('integrations.answerPlaceholder')} aria-describedby={describedBy} aria-invalid={invalid} value={answer} onChange={(e) => setAnswer(e.target.value)} />
          )}
        </FormField>
        <FormField id="integration-timeout" label={t('integrations.timeout')} hint={t('integrations.timeoutHint')} error={errors.field('timeoutMs')}>
          {(describedBy, invalid) => (
            <input id="integration-timeout" name="timeoutMs" type="number" min={100} max={2000} step={100} required aria-describedby={describedBy} aria-invalid={invalid} value={timeoutMs} onChange={(e) => setTimeoutMs(e.target.value)} />
          )}
        </FormField>
        <label className="checkbox">
          <input id="integration-enabled" type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          {t('integrations.enabled')}
        </label>
        <ErrorAlert error={action.error} form={errors} />
        <FormActions
          onCancel={onClose}
          disabled={action.busy}
          can={integration ? ['update', 'Integration'] : ['create', 'Integration']}
          button={integration ? 'integrations.submitEdit' : 'integrations.submitCreate'}
          label={integration ? t('common.save') : t('integrations.create')}
        />
      </form>
    </Dialog>
  );
}
