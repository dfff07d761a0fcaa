import { useCallback, useEffect, useState } from 'react';
import { discoveryApi } from '../../endpoints';
import { useFormats } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { DiscoveryExport } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';

// While an export is queued or running the list is read again this often (progress bars).
const POLL_MS = 1000;

/** The exports, newest first: progress while they are written, a download once done. `version` reloads it. */
export function ExportList({ version }: { version: number }) {
  const { t } = useI18n();
  const f = useFormats();
  const [items, setItems] = useState<DiscoveryExport[] | null>(null);
  const list = useAction();
  const { run } = list;

  const load = useCallback(async () => {
    const page = await run(() => discoveryApi.exports());
    if (page) {
      setItems(page.items);
    }
  }, [run]);

  useEffect(() => {
    void load();
  }, [load, version]);

  const working = (items ?? []).some((e) => e.state === 'queued' || e.state === 'running');
  useEffect(() => {
    if (!working) {
      return undefined;
    }
    const timer = window.setTimeout(() => void load(), POLL_MS);
    return () => window.clearTimeout(timer);
  }, [working, items, load]);

  return (
    <section id="discovery-exports" aria-labelledby="discovery-exports-title">
      <h2 id="discovery-exports-title">{t('discovery.exportsTitle')}</h2>
      <ErrorAlert error={list.error} />
      {items && items.length === 0 && <p>{t('discovery.exportsEmpty')}</p>}
      <ul className="discovery-exports">
        {(items ?? []).map((e) => {
          const total = e.totalMessages ?? 0;
          return (
            <li key={e.id} data-id={e.id} data-state={e.state} className="discovery-export">
              <div>
                <strong>{t(`discovery.state.${e.state}`)}</strong>{' '}
                <span className="hint">{t('discovery.requested', { at: f.dateTimeZone(e.createdAt), by: e.createdBy ?? '—' })}</span>
              </div>
              {(e.state === 'queued' || e.state === 'running') && (
                <progress max={Math.max(total, 1)} value={e.doneMessages} aria-label={t('discovery.progress', { done: e.doneMessages, total })}>
                  {e.doneMessages}
                </progress>
              )}
              <div className="hint">
                {t('discovery.progress', { done: e.doneMessages, total })}
                {e.state === 'done' && ` · ${t('discovery.mediaFiles', { n: e.mediaFiles })} · ${f.size(e.size)}`}
                {e.state !== 'expired' && ` · ${t('discovery.expires', { at: f.dateTimeZone(e.expiresAt) })}`}
              </div>
              {e.state === 'done' && (
                <>
                  <div className="hint discovery-sha">SHA-256 {e.sha256}</div>
                  <Can I="download" a="DiscoveryExport">
                    <a className="button-secondary" href={discoveryApi.downloadUrl(e.id)} download data-button="discovery.download">
                      {t('discovery.download')}
                    </a>
                  </Can>
                </>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
