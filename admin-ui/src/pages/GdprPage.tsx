import { useCallback, useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { ApiError } from '../api';
import { Can } from '../components/Can';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Dialog } from '../components/Dialog';
import { ErrorAlert } from '../components/ErrorAlert';
import { FormActions } from '../components/FormActions';
import { FormField } from '../components/FormField';
import { ListPage, RowAction } from '../components/ListPage';
import { gdprApi } from '../endpoints';
import { fieldError } from '../errors';
import { useFormats } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { GdprContactChoice, GdprRequest } from '../types';

/** `#/gdpr`: GDPR requests by time left (overdue first); log one, extend it, build the access archive, erase. */
export function GdprPage() {
  const { t } = useI18n();
  const f = useFormats();
  const [items, setItems] = useState<GdprRequest[]>([]);
  const [state, setState] = useState<'open' | 'all'>('open');
  const [loaded, setLoaded] = useState(false);
  const [creating, setCreating] = useState(false);
  const [extending, setExtending] = useState<GdprRequest | null>(null);
  const [erasing, setErasing] = useState<GdprRequest | null>(null);
  const [reapplying, setReapplying] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useAction();
  const { run: runList } = list;
  const rowAction = useAction();

  const load = useCallback(async () => {
    const page = await runList(() => gdprApi.list(state));
    if (page) {
      setItems(page.items);
      setLoaded(true);
    }
  }, [runList, state]);

  useEffect(() => {
    void load();
  }, [load]);

  const subjectOf = (r: GdprRequest) =>
    r.subject.contactId ? `${r.subject.name ?? ''} ${r.subject.phone ?? ''}`.trim() : t('gdpr.erasedSubject', { hash: r.subject.hash });

  async function exportArchive(r: GdprRequest) {
    const result = await rowAction.run(() => gdprApi.exportArchive(r.id));
    if (result) {
      setNotice(t('gdpr.exported'));
      await load();
    }
  }

  return (
    <ListPage<GdprRequest>
      title={t('gdpr.title')}
      intro={<p>{t('gdpr.intro')}</p>}
      create={{ can: ['create', 'GdprRequest'], button: 'gdpr.create', label: t('gdpr.create'), onClick: () => setCreating(true) }}
      actions={
        <Can I="reapplyLedger" a="GdprRequest">
          <button type="button" className="button-secondary" data-button="gdpr.reapplyLedger" onClick={() => setReapplying(true)}>
            {t('gdpr.reapplyLedger')}
          </button>
        </Can>
      }
      toolbar={
        <div className="toolbar">
          <label>
            {t('gdpr.show')}{' '}
            <select id="gdpr-state" value={state} onChange={(e) => setState(e.target.value === 'all' ? 'all' : 'open')}>
              <option value="open">{t('gdpr.showOpen')}</option>
              <option value="all">{t('gdpr.showAll')}</option>
            </select>
          </label>
          {notice && <p role="status">{notice}</p>}
          <ErrorAlert error={rowAction.error} />
        </div>
      }
      tableId="gdpr-table"
      columns={[
        { key: 'type', header: t('gdpr.type'), cell: (r) => <strong>{t(r.type === 'access' ? 'gdpr.type.access' : 'gdpr.type.erasure')}</strong> },
        { key: 'subject', header: t('gdpr.subject'), cell: (r) => <>{subjectOf(r)}{r.subject.restricted && <> <span className="badge badge-locked">{t('gdpr.restricted')}</span></>}</> },
        { key: 'received', header: t('gdpr.received'), cell: (r) => f.dateTimeZone(r.receivedAt) },
        {
          key: 'due', header: t('gdpr.due'),
          cell: (r) => (
            <>
              {f.dateTimeZone(r.effectiveDueAt)}
              {r.extendedDueAt && <div className="hint">{t('gdpr.extendedBecause', { reason: r.extensionReason ?? '' })}</div>}
            </>
          ),
        },
        {
          key: 'left', header: t('gdpr.timeLeft'),
          cell: (r) =>
            r.state !== 'open' ? '—' : r.overdue ? <span className="badge badge-locked">{t('gdpr.overdue', { days: -r.daysLeft })}</span> : t('gdpr.daysLeft', { days: r.daysLeft }),
        },
        {
          key: 'state', header: t('gdpr.state'),
          cell: (r) => (
            <>
              <span className="badge">{t(r.state === 'open' ? 'gdpr.state.open' : r.state === 'completed' ? 'gdpr.state.completed' : 'gdpr.state.refused')}</span>
              {r.refusalReason && <div className="hint">{t(r.refusalReason === 'legal_hold' ? 'gdpr.refusal.legal_hold' : 'gdpr.refusal.retention_locked', { caseRefs: caseRefsOf(r.outcome.caseRefs) })}</div>}
            </>
          ),
        },
      ]}
      rows={items}
      rowKey={(r) => r.id}
      rowAttributes={(r) => ({ 'data-id': r.id, 'data-type': r.type, 'data-state': r.state })}
      rowActions={(r) => (
        <>
          {r.state === 'open' && !r.extendedDueAt && (
            <RowAction can={['update', 'GdprRequest']} button="gdpr.extend" label={t('gdpr.extend')} name={subjectOf(r)} onClick={() => setExtending(r)} />
          )}
          {r.state === 'open' && r.type === 'access' && (
            <RowAction can={['export', 'GdprRequest']} button="gdpr.export" label={t('gdpr.export')} name={subjectOf(r)} disabled={rowAction.busy} onClick={() => void exportArchive(r)} />
          )}
          {r.archive && (
            <RowAction can={['export', 'GdprRequest']} button="gdpr.download" label={t('gdpr.download')} name={subjectOf(r)} onClick={() => download(r.archive!.url)} />
          )}
          {r.state === 'open' && r.type === 'erasure' && (
            <RowAction can={['erase', 'GdprRequest']} button="gdpr.erase" label={t('gdpr.erase')} name={subjectOf(r)} danger onClick={() => setErasing(r)} />
          )}
        </>
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('gdpr.empty')}
    >
      {creating && <CreateDialog onClose={() => setCreating(false)} onSaved={() => { setCreating(false); void load(); }} />}
      {extending && <ExtendDialog request={extending} onClose={() => setExtending(null)} onSaved={() => { setExtending(null); void load(); }} />}
      {erasing && <EraseDialog request={erasing} subject={subjectOf(erasing)} onClose={() => { setErasing(null); void load(); }} />}
      {reapplying && <ReapplyDialog onClose={() => setReapplying(false)} onDone={(text) => { setReapplying(false); setNotice(text); void load(); }} />}
    </ListPage>
  );
}

const caseRefsOf = (value: unknown) => (Array.isArray(value) ? value.map(String).join(', ') : '');

/** The archive is an attachment: the browser downloads it with the session cookie. */
function download(url: string) {
  const link = document.createElement('a');
  link.href = url;
  link.download = '';
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/** Logs a request: its type and its subject, found by phone number. */
function CreateDialog({ onClose, onSaved }: { onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [type, setType] = useState<'access' | 'erasure'>('access');
  const [phone, setPhone] = useState('');
  const [choices, setChoices] = useState<GdprContactChoice[] | null>(null);
  const [contactId, setContactId] = useState('');
  const search = useAction();
  const action = useAction();

  async function find() {
    const found = await search.run(() => gdprApi.contacts(phone.trim()));
    if (found) {
      setChoices(found.items);
      setContactId(found.items.length === 1 ? found.items[0]!.id : '');
    }
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (await action.run(() => gdprApi.create({ type, contactId }))) {
      onSaved();
    }
  }

  return (
    <Dialog title={t('gdpr.createTitle')} onClose={onClose} id="gdpr-create-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <FormField id="gdpr-type" label={t('gdpr.type')} error={fieldError(action.error, 'type')}>
          {(describedBy) => (
            <select id="gdpr-type" name="type" aria-describedby={describedBy} value={type} onChange={(e) => setType(e.target.value === 'erasure' ? 'erasure' : 'access')}>
              <option value="access">{t('gdpr.type.access')}</option>
              <option value="erasure">{t('gdpr.type.erasure')}</option>
            </select>
          )}
        </FormField>
        <FormField id="gdpr-phone" label={t('gdpr.phone')} error={fieldError(search.error, 'phone')}>
          {(describedBy, invalid) => (
            <div className="toolbar">
              <input id="gdpr-phone" name="phone" inputMode="tel" aria-describedby={describedBy} aria-invalid={invalid} value={phone} onChange={(e) => setPhone(e.target.value)} />
              <button type="button" className="button-secondary" data-button="gdpr.searchContact" disabled={search.busy || phone.trim().length < 3} onClick={() => void find()}>
                {t('gdpr.searchContact')}
              </button>
            </div>
          )}
        </FormField>
        {choices && choices.length === 0 && <p>{t('gdpr.noContact')}</p>}
        {choices && choices.length > 0 && (
          <fieldset>
            <legend>{t('gdpr.subject')}</legend>
            {choices.map((c) => (
              <label key={c.id} className="choice">
                <input type="radio" name="contactId" value={c.id} checked={contactId === c.id} onChange={() => setContactId(c.id)} /> {c.label}
              </label>
            ))}
          </fieldset>
        )}
        <ErrorAlert error={action.error} />
        <FormActions onCancel={onClose} disabled={action.busy || contactId === ''} can={['create', 'GdprRequest']} button="gdpr.submitCreate" label={t('gdpr.create')} />
      </form>
    </Dialog>
  );
}

/** Extends the deadline by one or two further months; the subject must be told why. */
function ExtendDialog({ request, onClose, onSaved }: { request: GdprRequest; onClose: () => void; onSaved: () => void }) {
  const { t } = useI18n();
  const [months, setMonths] = useState<1 | 2>(2);
  const [reason, setReason] = useState('');
  const action = useAction();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (await action.run(() => gdprApi.extend(request.id, months, reason.trim()))) {
      onSaved();
    }
  }

  return (
    <Dialog title={t('gdpr.extendTitle')} onClose={onClose} id="gdpr-extend-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <FormField id="gdpr-months" label={t('gdpr.months')} error={fieldError(action.error, 'months')}>
          {(describedBy) => (
            <select id="gdpr-months" name="months" aria-describedby={describedBy} value={months} onChange={(e) => setMonths(e.target.value === '1' ? 1 : 2)}>
              <option value="1">{t('gdpr.oneMonth')}</option>
              <option value="2">{t('gdpr.twoMonths')}</option>
            </select>
          )}
        </FormField>
        <FormField id="gdpr-reason" label={t('gdpr.reason')} error={fieldError(action.error, 'reason')}>
          {(describedBy, invalid) => (
            <textarea id="gdpr-reason" name="reason" rows={3} required aria-describedby={describedBy} aria-invalid={invalid} value={reason} onChange={(e) => setReason(e.target.value)} />
          )}
        </FormField>
        <ErrorAlert error={action.error} />
        <FormActions onCancel={onClose} disabled={action.busy} can={['update', 'GdprRequest']} button="gdpr.submitExtend" label={t('gdpr.extend')} />
      </form>
    </Dialog>
  );
}

/** Erasure asks first; a refusal (legal hold, locked retention) is shown with its reason. */
function EraseDialog({ request, subject, onClose }: { request: GdprRequest; subject: string; onClose: () => void }) {
  const { t } = useI18n();
  const action = useAction();
  const [done, setDone] = useState(false);
  const refused = action.error instanceof ApiError && action.error.id === 'erasure_refused' ? action.error.details : null;

  async function confirm() {
    if (await action.run(() => gdprApi.erase(request.id))) {
      setDone(true);
    }
  }

  if (done || refused) {
    return (
      <Dialog title={t('gdpr.eraseTitle', { subject })} onClose={onClose} id="gdpr-erase-result">
        <p role="status" data-outcome={done ? 'erased' : 'refused'}>
          {done
            ? t('gdpr.erased')
            : t(refused?.reason === 'legal_hold' ? 'gdpr.refusal.legal_hold' : 'gdpr.refusal.retention_locked', { caseRefs: caseRefsOf(refused?.caseRefs) })}
        </p>
        <div className="form-actions">
          <button type="button" className="button-primary" data-ui="dialog.cancel" onClick={onClose}>{t('gdpr.close')}</button>
        </div>
      </Dialog>
    );
  }
  return (
    <ConfirmDialog
      title={t('gdpr.eraseTitle', { subject })}
      confirmLabel={t('gdpr.erase')}
      can={['erase', 'GdprRequest']}
      button="gdpr.confirmErase"
      danger
      busy={action.busy}
      error={action.error}
      onConfirm={() => void confirm()}
      onClose={onClose}
    >
      {t('gdpr.eraseText')}
    </ConfirmDialog>
  );
}

/** Re-applies the erasure ledger (after a restore) and says what it erased again. */
function ReapplyDialog({ onClose, onDone }: { onClose: () => void; onDone: (text: string) => void }) {
  const { t } = useI18n();
  const action = useAction();
  async function confirm() {
    const result = await action.run(() => gdprApi.reapplyLedger());
    if (result) {
      onDone(t('gdpr.reapplied', { contacts: result.contacts, messages: result.messages, subjects: result.subjects }));
    }
  }
  return (
    <ConfirmDialog
      title={t('gdpr.reapplyLedger')}
      confirmLabel={t('gdpr.reapplyLedger')}
      can={['reapplyLedger', 'GdprRequest']}
      button="gdpr.confirmReapplyLedger"
      busy={action.busy}
      error={action.error}
      onConfirm={() => void confirm()}
      onClose={onClose}
    >
      {t('gdpr.reapplyText')}
    </ConfirmDialog>
  );
}
