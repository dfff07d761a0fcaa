import { Fragment, useCallback, useEffect, useRef, useState } from 'react';
import { auditSentence, type AuditNames } from '../auditSentence';
import { AuditFilters, EMPTY_FILTERS, toQuery } from '../components/audit/AuditFilters';
import { Can } from '../components/Can';
import { ErrorAlert } from '../components/ErrorAlert';
import { ListPage } from '../components/ListPage';
import { auditApi } from '../endpoints';
import type { AuditQuery } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { AuditAnchor, AuditEvent, AuditVerifyResult } from '../types';

/** `#/audit`: the hash-chained audit trail told as sentences, filterable and exportable, with chain verification. */
export function AuditPage() {
  const { t, tMaybe, formatDateTime } = useI18n();
  const [query, setQuery] = useState<AuditQuery>(toQuery(EMPTY_FILTERS));
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [names, setNames] = useState<AuditNames>({});
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
      setNames((previous) => (beforeSeq === null ? page.names : { ...previous, ...page.names }));
      setNextBeforeSeq(page.nextBeforeSeq);
      setLoaded(true);
    },
    [runList],
  );

  useEffect(() => {
    void load(query, null);
  }, [query, load]);

  function apply(next: AuditQuery) {
    setExpanded(new Set());
    setQuery(next);
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

          <AuditFilters onApply={apply} />
          <Can I="export" a="AuditEvent">
            <p className="audit-export">
              <a className="button-secondary" href={auditApi.exportUrl(query, 'csv')} download data-button="audit.exportCsv">
                {t('audit.exportCsv')}
              </a>{' '}
              <a className="button-secondary" href={auditApi.exportUrl(query, 'jsonl')} download data-button="audit.exportJsonl">
                {t('audit.exportJsonl')}
              </a>{' '}
              <span className="hint">{t('audit.exportHint')}</span>
            </p>
          </Can>
        </>
      }
      tableId="audit-table"
      columns={[
        { key: 'seq', header: t('audit.seq'), numeric: true },
        { key: 'at', header: t('audit.at') },
        { key: 'event', header: t('audit.event') },
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
              <td className="audit-sentence" title={event.action}>{auditSentence(event, names, tMaybe)}</td>
              <td>{event.ip ?? '—'}</td>
              <td className="row-actions">
                <Can I="read" a="AuditEvent">
                  <button type="button" className="button-link" aria-expanded={isOpen} aria-controls={isOpen ? detailsId : undefined} onClick={() => toggleRow(event.seq)} data-button="audit.details">
                    {isOpen ? t('audit.hideRaw') : t('audit.raw')}
                    <span className="visually-hidden"> {event.seq}</span>
                  </button>
                </Can>
              </td>
            </tr>
            {isOpen && (
              <tr className="details-row" id={detailsId}>
                <td colSpan={5}>
                  <pre className="json" data-ui="audit.rawRecord">{JSON.stringify(event, null, 2)}</pre>
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
