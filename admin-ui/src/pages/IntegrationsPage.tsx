import { useState } from 'react';
import type { FormEvent } from 'react';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { IntegrationForm } from '../components/integrations/IntegrationForm';
import { ListPage, RowAction } from '../components/ListPage';
import { useFormats } from '../format';
import { useAction, useListLoad } from '../hooks';
import { useI18n } from '../i18n';
import { integrationsApi } from '../integrationsApi';
import type { Integration, IntegrationTestResult } from '../integrationsApi';
import { useFormErrors } from '../useFormErrors';

type Open = { kind: 'create' } | { kind: 'edit'; integration: Integration } | { kind: 'test'; integration: Integration } | null;

/** `#/integrations`: the HTTPS endpoints bot lookups call; add, change, delete, and try one with sample values. */
export function IntegrationsPage() {
  const { t } = useI18n();
  const f = useFormats();
  const { items, setItems, loaded, list, load } = useListLoad(() => integrationsApi.list());
  const [open, setOpen] = useState<Open>(null);

  return (
    <ListPage<Integration>
      title={t('integrations.title')}
      intro={<p className="hint">{t('integrations.intro')}</p>}
      create={{ can: ['create', 'Integration'], button: 'integrations.create', label: t('integrations.create'), onClick: () => setOpen({ kind: 'create' }) }}
      tableId="integrations-table"
      columns={[
        { key: 'name', header: t('integrations.name'), cell: (i) => <strong>{i.name}</strong> },
        { key: 'url', header: t('integrations.url'), cell: (i) => <code className="integration-url">{`${i.method} ${i.url}`}</code> },
        {
          key: 'headers', header: t('integrations.headers'),
          cell: (i) => (i.headers.length === 0 ? '—' : (
            <ul className="plain-list">
              {i.headers.map((h) => <li key={h.name} data-header={h.name}>{h.secret ? `${h.name}: ${h.value} (${t(h.set ? 'integrations.secretSet' : 'integrations.secretNotSet')})` : `${h.name}: ${h.value}`}</li>)}
            </ul>
          )),
        },
        { key: 'state', header: t('integrations.state'), cell: (i) => <span className="badge">{t(i.enabled ? 'integrations.on' : 'integrations.off')}</span> },
        { key: 'updated', header: t('integrations.updated'), cell: (i) => f.dateTimeZone(i.updatedAt) },
      ]}
      rows={items}
      rowKey={(i) => i.id}
      rowAttributes={(i) => ({ 'data-id': i.id, 'data-name': i.name, 'data-enabled': String(i.enabled) })}
      rowName={(i) => i.name}
      rowActions={(i, { askDelete }) => (
        <>
          <RowAction can={['test', 'Integration']} button="integrations.test" label={t('integrations.test')} name={i.name} onClick={() => setOpen({ kind: 'test', integration: i })} />
          <RowAction can={['update', 'Integration']} button="integrations.edit" label={t('common.edit')} name={i.name} onClick={() => setOpen({ kind: 'edit', integration: i })} />
          <RowAction can={['delete', 'Integration']} button="integrations.delete" label={t('common.delete')} name={i.name} onClick={askDelete} danger />
        </>
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('integrations.empty')}
      deletion={{
        can: ['delete', 'Integration'],
        button: 'integrations.confirmDelete',
        title: t('integrations.deleteTitle'),
        text: (i) => <p>{t('integrations.deleteText', { name: i.name })}</p>,
        remove: (i) => integrationsApi.remove(i.id),
        onRemoved: (i) => setItems((previous) => previous.filter((item) => item.id !== i.id)),
      }}
    >
      {open?.kind === 'create' || open?.kind === 'edit' ? (
        <IntegrationForm
          integration={open.kind === 'edit' ? open.integration : null}
          onClose={() => setOpen(null)}
          onSaved={() => {
            setOpen(null);
            void load();
          }}
        />
      ) : null}
      {open?.kind === 'test' && <TestDialog integration={open.integration} onClose={() => setOpen(null)} />}
    </ListPage>
  );
}

/** Calls the integration with sample values (nothing of a real customer) and shows the answer a customer would get, or why there is none. */
function TestDialog({ integration, onClose }: { integration: Integration; onClose: () => void }) {
  const { t } = useI18n();
  const [waId, setWaId] = useState('33612345678');
  const [text, setText] = useState(t('integrations.sampleText'));
  const [contactName, setContactName] = useState('');
  const [result, setResult] = useState<IntegrationTestResult | null>(null);
  const action = useAction();
  const errors = useFormErrors(action.error, { waId: t('integrations.sampleNumber'), text: t('integrations.sampleMessage'), contactName: t('integrations.sampleName') });

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setResult(null);
    const answer = await action.run(() => integrationsApi.test(integration.id, { waId: waId.trim(), text, contactName: contactName.trim() || null }));
    if (answer) {
      setResult(answer);
    }
  }

  return (
    <Dialog title={t('integrations.testTitle', { name: integration.name })} onClose={onClose} id="integration-test-dialog">
      <form ref={errors.formRef} onSubmit={(event) => void submit(event)}>
        <p className="hint">{t('integrations.testIntro')}</p>
        <FormField id="integration-test-waid" label={t('integrations.sampleNumber')} error={errors.field('waId')}>
          {(describedBy, invalid) => (
            <input id="integration-test-waid" inputMode="numeric" required autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={waId} onChange={(e) => setWaId(e.target.value)} />
          )}
        </FormField>
        <FormField id="integration-test-text" label={t('integrations.sampleMessage')} error={errors.field('text')}>
          {(describedBy, invalid) => (
            <input id="integration-test-text" autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={text} onChange={(e) => setText(e.target.value)} />
          )}
        </FormField>
        <FormField id="integration-test-name" label={t('integrations.sampleName')} error={errors.field('contactName')}>
          {(describedBy, invalid) => (
            <input id="integration-test-name" autoComplete="off" aria-describedby={describedBy} aria-invalid={invalid} value={contactName} onChange={(e) => setContactName(e.target.value)} />
          )}
        </FormField>
        <ErrorAlert error={action.error} form={errors} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['test', 'Integration']} button="integrations.runTest" label={t('integrations.runTest')} />
      </form>
      {result && (
        <div id="integration-test-result" className="test-result" role="status" data-ok={String(result.ok)} data-reason={result.reason ?? undefined}>
          {result.ok ? (
            <>
              <p>{t('integrations.testOk')}</p>
              <blockquote id="integration-test-answer">{result.text}</blockquote>
            </>
          ) : (
            <>
              <p>{t(`integrations.reason.${result.reason ?? 'http_error'}`)}</p>
              {result.detail && <p className="hint" id="integration-test-detail">{result.detail}</p>}
            </>
          )}
        </div>
      )}
    </Dialog>
  );
}
