import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { retentionApi } from '../endpoints';
import { fieldError } from '../errors';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { DataClass, RetentionPolicies, RetentionPolicy, RetentionPreview, RetentionRun } from '../types';
import { CLASS_LABEL, RetentionActivity } from './RetentionActivity';


type Open = { kind: 'edit'; policy: RetentionPolicy } | { kind: 'add' } | { kind: 'lock'; policy: RetentionPolicy } | { kind: 'run' } | null;

/** `#/retention`: periods per class and number (with lock), what the next run would delete, and the last runs. */
export function RetentionPage() {
  const { t } = useI18n();
  const [data, setData] = useState<RetentionPolicies | null>(null);
  const [preview, setPreview] = useState<RetentionPreview | null>(null);
  const [runs, setRuns] = useState<RetentionRun[]>([]);
  const [open, setOpen] = useState<Open>(null);
  const [removing, setRemoving] = useState<RetentionPolicy | null>(null);
  const list = useAction();
  const { run: runList } = list;
  const action = useAction();

  const load = useCallback(async () => {
    const loaded = await runList(() => Promise.all([retentionApi.policies(), retentionApi.preview(), retentionApi.runs()]));
    if (loaded) {
      setData(loaded[0]);
      setPreview(loaded[1]);
      setRuns(loaded[2].items);
    }
  }, [runList]);

  useEffect(() => {
    void load();
  }, [load]);

  const numberName = (channelId: string | null) =>
    channelId === null ? t('retention.allNumbers') : (data?.numbers.find((n) => n.id === channelId)?.name ?? t('retention.unknownNumber'));

  async function lock(policy: RetentionPolicy) {
    if (await action.run(() => retentionApi.lock(policy.id))) {
      setOpen(null);
      await load();
    }
  }

  async function runNow() {
    if (await action.run(() => retentionApi.runNow())) {
      setOpen(null);
      await load();
    }
  }

  function close() {
    action.setError(null);
    setOpen(null);
  }

  return (
    <ListPage<RetentionPolicy>
      title={t('retention.title')}
      intro={<p>{t('retention.intro')}</p>}
      actions={
        <>
          <Can I="update" a="RetentionPolicy">
            <button type="button" className="button-secondary" onClick={() => setOpen({ kind: 'add' })} data-button="retention.addNumber">
              {t('retention.addNumber')}
            </button>
          </Can>
          <Can I="run" a="RetentionPolicy">
            <button type="button" className="button-primary" onClick={() => setOpen({ kind: 'run' })} data-button="retention.runNow">
              {t('retention.runNow')}
            </button>
          </Can>
        </>
      }
      tableId="retention-policies"
      caption={t('retention.periods')}
      columns={[
        { key: 'class', header: t('retention.class'), cell: (p) => t(CLASS_LABEL[p.dataClass]) },
        { key: 'number', header: t('retention.number'), cell: (p) => numberName(p.channelId) },
        { key: 'period', header: t('retention.period'), cell: (p) => <Period days={p.days} /> },
        {
          key: 'lock', header: t('retention.lockState'),
          cell: (p) => (p.locked ? <span className="badge badge-locked" title={t('retention.lockedHint')}>{t('retention.locked')}</span> : '—'),
        },
      ]}
      rows={data?.items ?? []}
      rowKey={(p) => p.id}
      rowAttributes={(p) => ({ 'data-class': p.dataClass, 'data-channel': p.channelId ?? 'all', 'data-locked': String(p.locked) })}
      rowActions={(p) => (
        <>
          <RowAction can={['update', 'RetentionPolicy']} button="retention.edit" label={t('retention.edit')} name={t(CLASS_LABEL[p.dataClass])} onClick={() => setOpen({ kind: 'edit', policy: p })} />
          {!p.locked && (
            <RowAction can={['lock', 'RetentionPolicy']} button="retention.lock" label={t('retention.lock')} name={t(CLASS_LABEL[p.dataClass])} onClick={() => setOpen({ kind: 'lock', policy: p })} />
          )}
          {!p.locked && p.channelId !== null && (
            <RowAction can={['update', 'RetentionPolicy']} button="retention.remove" label={t('retention.remove')} name={t(CLASS_LABEL[p.dataClass])} onClick={() => setRemoving(p)} danger />
          )}
        </>
      )}
      loaded={data !== null}
      busy={list.busy}
      error={list.error}
      deletion={{
        can: ['update', 'RetentionPolicy'],
        button: 'retention.confirmRemove',
        title: t('retention.removeTitle'),
        text: (p) => <p>{t('retention.removeText', { class: t(CLASS_LABEL[p.dataClass]), number: numberName(p.channelId) })}</p>,
        remove: (p) => retentionApi.remove(p.id),
        onRemoved: () => void load(),
        target: removing,
        setTarget: setRemoving,
      }}
      footer={<RetentionActivity preview={preview} runs={runs} numberName={numberName} />}
    >
      {data && (open?.kind === 'edit' || open?.kind === 'add') && (
        <PolicyForm data={data} policy={open.kind === 'edit' ? open.policy : null} numberName={numberName} onClose={close} onSaved={() => { setOpen(null); void load(); }} />
      )}
      {open?.kind === 'lock' && (
        <ConfirmDialog
          title={t('retention.lockTitle')} confirmLabel={t('retention.lock')} can={['lock', 'RetentionPolicy']} button="retention.confirmLock" danger
          busy={action.busy} error={action.error} onConfirm={() => void lock(open.policy)} onClose={close}
        >
          <p>{t('retention.lockText', { class: t(CLASS_LABEL[open.policy.dataClass]), number: numberName(open.policy.channelId), days: open.policy.days })}</p>
        </ConfirmDialog>
      )}
      {open?.kind === 'run' && (
        <ConfirmDialog
          title={t('retention.runNowTitle')} confirmLabel={t('retention.runNow')} can={['run', 'RetentionPolicy']} button="retention.confirmRunNow" danger
          busy={action.busy} error={action.error} onConfirm={() => void runNow()} onClose={close}
        >
          <p>{t('retention.runNowText')}</p>
        </ConfirmDialog>
      )}
    </ListPage>
  );
}

/** `1826 days (≈ 5 years)`. */
function Period({ days }: { days: number }) {
  const { t } = useI18n();
  const years = days / 365.25;
  return <>{years >= 1 ? t('retention.daysYears', { days, years: Math.round(years * 10) / 10 }) : t('retention.days', { days })}</>;
}

function PolicyForm(props: { data: RetentionPolicies; policy: RetentionPolicy | null; numberName: (id: string | null) => string; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const { data, policy } = props;
  const [dataClass, setDataClass] = useState<DataClass>(policy?.dataClass ?? data.perNumberClasses[0] ?? 'messages');
  const [channelId, setChannelId] = useState<string | null>(policy ? policy.channelId : (data.numbers[0]?.id ?? null));
  const [days, setDays] = useState(String(policy?.days ?? 365));
  const action = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (await action.run(() => retentionApi.set({ dataClass, channelId, days: Number(days) }))) {
      props.onSaved();
    }
  }

  const title = policy ? t('retention.editTitle', { class: t(CLASS_LABEL[policy.dataClass]), number: props.numberName(policy.channelId) }) : t('retention.addNumberTitle');
  return (
    <Dialog title={title} onClose={props.onClose} id="retention-dialog">
      <form onSubmit={(event) => void submit(event)}>
        {!policy && (
          <>
            <FormField id="retention-class" label={t('retention.class')}>
              {() => (
                <select id="retention-class" value={dataClass} onChange={(e) => setDataClass(e.target.value as DataClass)}>
                  {data.perNumberClasses.map((c) => <option key={c} value={c}>{t(CLASS_LABEL[c])}</option>)}
                </select>
              )}
            </FormField>
            <FormField id="retention-number" label={t('retention.number')} hint={data.numbers.length === 0 ? t('retention.noNumbers') : undefined} error={fieldError(action.error, 'channelId')}>
              {(describedBy, invalid) => (
                <select id="retention-number" value={channelId ?? ''} aria-describedby={describedBy} aria-invalid={invalid} onChange={(e) => setChannelId(e.target.value || null)}>
                  {data.numbers.map((n) => <option key={n.id} value={n.id}>{`${n.name} (${n.displayNumber})`}</option>)}
                </select>
              )}
            </FormField>
          </>
        )}
        <FormField
          id="retention-days" label={t('retention.daysLabel', { min: data.limits.minDays, max: data.limits.maxDays })}
          hint={policy?.locked ? t('retention.lockedHint') : t('retention.longestWins')} error={fieldError(action.error, 'days')}
        >
          {(describedBy, invalid) => (
            <input
              id="retention-days" name="days" type="number" required min={policy?.locked ? policy.days : data.limits.minDays} max={data.limits.maxDays}
              aria-describedby={describedBy} aria-invalid={invalid} value={days} onChange={(e) => setDays(e.target.value)}
            />
          )}
        </FormField>
        <ErrorAlert error={action.error} />
        <FormActions onCancel={props.onClose} disabled={action.busy || (!policy && channelId === null)} can={['update', 'RetentionPolicy']} button="retention.submitEdit" label={t('common.save')} />
      </form>
    </Dialog>
  );
}
