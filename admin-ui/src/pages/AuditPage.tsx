import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { Can } from '../components/Can';
import { ErrorAlert } from '../components/ErrorAlert';
import { ListPage } from '../components/ListPage';
import { auditApi } from '../endpoints';
import type { AuditQuery } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { AuditAnchor, AuditEvent, AuditVerifyResult } from '../types';

interface FilterForm {
  action: string;
  actorId: string;
  subjectType: string;
  subjectId: string;
  from: string;
  to: string;
}

const EMPTY: FilterForm = { action: '', actorId: '', subjectType: '', subjectId: '', from: '', to: '' };

/** `datetime-local` gives local wall time; the API wants an ISO instant. */
function toIso(local: string): string | undefined {
  if (!local) {
    return undefined;
  }
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toQuery(form: FilterForm): AuditQuery {
  const query: AuditQuery = {
    action: form.action.trim(),
    actorId: form.actorId.trim(),
    subjectType: form.subjectType.trim(),
    subjectId: form.subjectId.trim(),
  };
  const from = toIso(form.from);
  const to = toIso(form.to);
  if (from) {
    query.from = from;
  }
  if (to) {
    query.to = to;
  }
  return query;
}

const TEXT_FILTERS = [
  { field: 'action', id: 'audit-action', label: 'audit.action' },
  { field: 'actorId', id: 'audit-actor', label: 'audit.actorId' },
  { field: 'subjectType', id: 'audit-subject-type', label: 'audit.subjectType' },
  { field: 'subjectId', id: 'audit-subject-id', label: 'audit.subjectId' },
] as const;

/** `#/audit`: the hash-chained audit trail, filterable, with chain verification. */
export function AuditPage() {
  const { t, tMaybe, formatDateTime } = useI18n();
  const [form, setForm] = useState<FilterForm>(EMPTY);
  const [query, setQuery] = useState<AuditQuery>(toQuery(EMPTY));
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [nextBeforeSeq, setNextBeforeSeq] = useState<number | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [expanded, setExpanded] = useState<Set<number>>(new Set());
  const [verify, setVerify] = useState<AuditVerifyResult | null>(null);
  const list = useAction();
  const verifying = useAction();
  const anchoring = useAction();
  const [anchored, setAnchored] = useState<AuditAnchor | null>(null);
  const latest = useRef(0);
  const { run: runList } = list;

  const load = useCallback(
    async (current: AuditQuery, beforeSeq: number | null) => {
      const mine = ++latest.current;
      const page = await runList(() => auditApi.list({ ...current, beforeSeq }));
      if (!page || mine !== latest.current) {
        return;
      }
      setItems((previous) => (beforeSeq === null ? page.items : [...previous, ...page.items]));
      setNextBeforeSeq(page.nextBeforeSeq);
      setLoaded(true);
    },
    [runList],
  );

  useEffect(() => {
    void load(query, null);
  }, [query, load]);

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setExpanded(new Set());
    setQuery(toQuery(form));
  }

  function reset() {
    setForm(EMPTY);
    setExpanded(new Set());
    setQuery(toQuery(EMPTY));
  }

  function toggleRow(seq: number) {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (!next.delete(seq)) {
        next.add(seq);
      }
      return next;
    });
  }

  async function runVerify() {
    setVerify(null);
    const result = await verifying.run(() => auditApi.verify());
    if (result) {
      setVerify(result);
    }
  }

  async function runAnchor() {
    setAnchored(null);
    const result = await anchoring.run(() => auditApi.anchor());
    if (result) {
      setAnchored(result);
    }
  }

  return (
    <ListPage<AuditEvent>
      title={t('audit.title')}
      actions={
          <>
            <Can I="anchor" a="AuditEvent">
              <button type="button" className="button-secondary" onClick={() => void runAnchor()} disabled={anchoring.busy} data-button="audit.anchor">
                {anchoring.busy ? t('audit.anchoring') : t('audit.anchor')}
              </button>
            </Can>
            <Can I="verify" a="AuditEvent">
              <a className="button-secondary" href={auditApi.latestAnchorUrl} download data-button="audit.downloadAnchor">
                {t('audit.downloadAnchor')}
              </a>
              <a className="button-secondary" href={auditApi.publicKeyUrl} download data-button="audit.downloadPublicKey">
                {t('audit.downloadPublicKey')}
              </a>
              <button type="button" className="button-primary" onClick={() => void runVerify()} disabled={verifying.busy} data-button="audit.verify">
                {verifying.busy ? t('audit.verifying') : t('audit.verify')}
              </button>
            </Can>
          </>
      }
      toolbar={
        <>
          <div id="audit-anchor-result" role="status">
            {anchored && <p className="alert alert-success">{t('audit.anchored', { seq: anchored.seq, fingerprint: anchored.fingerprint })}</p>}
          </div>
          <ErrorAlert error={anchoring.error} />
          <div id="audit-verify-result" role="status" data-ok={verify ? String(verify.ok) : undefined}>
            {verify && (
              <p className={verify.ok ? 'alert alert-success' : 'alert alert-error'}>
                {verify.ok
                  ? t('audit.verifyOk', { checked: verify.checked })
                  : t('audit.verifyBroken', { seq: verify.firstBrokenSeq ?? '?', checked: verify.checked })}
                {!verify.ok && verify.reason && <> {tMaybe(`audit.reason.${verify.reason}`) ?? verify.reason}</>}{' '}
                {verify.anchor
                  ? t('audit.againstAnchor', { seq: verify.anchor.seq, at: formatDateTime(verify.anchor.at) })
                  : t('audit.noAnchor')}
              </p>
            )}
          </div>
          <ErrorAlert error={verifying.error} />

          <form className="filters" onSubmit={apply} aria-label={t('audit.filters')}>
            {TEXT_FILTERS.map((filter) => (
              <div className="field" key={filter.id}>
                <label htmlFor={filter.id}>{t(filter.label)}</label>
                <input
                  id={filter.id}
                  name={filter.field}
                  autoComplete="off"
                  value={form[filter.field]}
                  onChange={(event) => setForm({ ...form, [filter.field]: event.target.value })}
                />
              </div>
            ))}
            <div className="field">
              <label htmlFor="audit-from">{t('audit.from')}</label>
              <input id="audit-from" name="from" type="datetime-local" value={form.from} onChange={(event) => setForm({ ...form, from: event.target.value })} />
            </div>
            <div className="field">
              <label htmlFor="audit-to">{t('audit.to')}</label>
              <input id="audit-to" name="to" type="datetime-local" value={form.to} onChange={(event) => setForm({ ...form, to: event.target.value })} />
            </div>
            <div className="filters-actions">
              <Can I="read" a="AuditEvent">
                <button type="submit" className="button-secondary" data-button="audit.filter">
                  {t('audit.apply')}
                </button>
              </Can>
              <button type="button" className="button-link" onClick={reset} data-ui="audit.resetFilters">
                {t('audit.reset')}
              </button>
            </div>
          </form>
        </>
      }
      tableId="audit-table"
      columns={[
        { key: 'seq', header: t('audit.seq'), numeric: true },
        { key: 'at', header: t('audit.at') },
        { key: 'actor', header: t('audit.actor') },
        { key: 'action', header: t('audit.action') },
        { key: 'subject', header: t('audit.subject') },
        { key: 'ip', header: t('audit.ip') },
        { key: 'details', header: <span className="visually-hidden">{t('audit.details')}</span> },
      ]}
      rows={items}
      rowKey={(event) => String(event.seq)}
      renderRow={(event) => {
        const isOpen = expanded.has(event.seq);
        const detailsId = `audit-details-${event.seq}`;
        return (
          <Fragment key={event.seq}>
            <tr data-seq={event.seq}>
              <td className="numeric">{event.seq}</td>
              <td>{formatDateTime(event.at)}</td>
              <td title={event.actorId ?? undefined}>{event.actorEmail ?? event.actorId ?? event.actorType ?? t('audit.system')}</td>
              <td><code>{event.action}</code></td>
              <td>
                {event.subjectType ?? '—'}
                {event.subjectId && <span className="muted"> {event.subjectId}</span>}
              </td>
              <td>{event.ip ?? '—'}</td>
              <td className="row-actions">
                <Can I="read" a="AuditEvent">
                  <button type="button" className="button-link" aria-expanded={isOpen} aria-controls={isOpen ? detailsId : undefined} onClick={() => toggleRow(event.seq)} data-button="audit.details">
                    {isOpen ? t('audit.hideDetails') : t('audit.showDetails')}
                    <span className="visually-hidden"> {event.seq}</span>
                  </button>
                </Can>
              </td>
            </tr>
            {isOpen && (
              <tr className="details-row" id={detailsId}>
                <td colSpan={7}>
                  <pre className="json">{JSON.stringify(event.details, null, 2)}</pre>
                  <p className="hint">
                    {t('audit.hash')} <code className="hash">{event.hash}</code>
                  </p>
                </td>
              </tr>
            )}
          </Fragment>
        );
      }}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('audit.empty')}
      footer={
        nextBeforeSeq !== null && (
          <Can I="read" a="AuditEvent">
            <button type="button" className="button-secondary" disabled={list.busy} onClick={() => void load(query, nextBeforeSeq)} data-button="audit.loadMore">
              {t('common.loadMore')}
            </button>
          </Can>
        )
      }
    />
  );
}
