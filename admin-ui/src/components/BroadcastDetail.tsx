import { useCallback, useEffect, useState } from 'react';
import { broadcastsApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { Broadcast } from '../types';
import { Can } from './Can';
import { Dialog } from './Dialog';
import { ErrorAlert } from './ErrorAlert';

const POLL_MS = 2000;
// Once every message is sent, delivery and read statuses keep arriving (reads for hours): re-read less often.
const SETTLED_POLL_MS = 10_000;

/** How far a broadcast got: the recipients past the outbox (sent, delivered, read, failed, cancelled) out of those included. */
export function ProgressBar({ broadcast }: { broadcast: Broadcast }) {
  const { t } = useI18n();
  const p = broadcast.progress;
  const included = p.total - p.excluded.opted_out - p.excluded.no_marketing_opt_in - p.excluded.restricted - p.excluded.lexicon_blocked;
  const done = p.sent + p.delivered + p.read + p.failed + p.cancelled;
  return (
    <div className="broadcast-progress">
      <progress max={Math.max(1, included)} value={done} aria-label={t('broadcasts.progress')} />
      <span className="hint">{t('broadcasts.progressCount', { done, total: included })}</span>
    </div>
  );
}

/** A broadcast's live progress (re-read every 2 s while it moves, every 10 s once it is done), with Pause, Resume and Cancel. */
export function BroadcastDetail({ id, onClose, onChanged }: { id: string; onClose: () => void; onChanged: (b: Broadcast) => void }) {
  const { t } = useI18n();
  const [b, setB] = useState<Broadcast | null>(null);
  const load = useAction();
  const act = useAction();
  const { run } = load;

  const reload = useCallback(async () => {
    const res = await run(() => broadcastsApi.get(id));
    if (res) {
      setB(res.broadcast);
    }
  }, [id, run]);
  useEffect(() => {
    void reload();
  }, [reload]);
  const loaded = b !== null;
  const moving = loaded && b.status !== 'completed' && b.status !== 'cancelled';
  useEffect(() => {
    if (!loaded) {
      return undefined;
    }
    const timer = setInterval(() => void reload(), moving ? POLL_MS : SETTLED_POLL_MS);
    return () => clearInterval(timer);
  }, [loaded, moving, reload]);
  useEffect(() => {
    if (b) {
      onChanged(b);
    }
  }, [b, onChanged]);

  async function move(m: 'pause' | 'resume' | 'cancel') {
    const res = await act.run(() => broadcastsApi.move(id, m));
    if (res) {
      setB(res.broadcast);
    }
  }

  const p = b?.progress;
  type Counter = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'cancelled' | 'optedOut' | 'noOptIn' | 'restricted' | 'lexiconBlocked';
  const counters: Array<[Counter, number]> = p
    ? [['queued', p.pending + p.queued], ['sent', p.sent], ['delivered', p.delivered], ['read', p.read], ['failed', p.failed], ['cancelled', p.cancelled],
      ['optedOut', p.excluded.opted_out], ['noOptIn', p.excluded.no_marketing_opt_in], ['restricted', p.excluded.restricted], ['lexiconBlocked', p.excluded.lexicon_blocked]]
    : [];
  return (
    <Dialog title={b ? b.name : t('common.loading')} onClose={onClose} id="broadcast-detail" wide>
      <ErrorAlert error={load.error ?? act.error} />
      {b && p && (
        <div className="broadcast-detail" data-status={b.status}>
          <p>
            <span className={`badge broadcast-${b.status}`} data-ui="broadcast.status">{t(`broadcasts.status.${b.status}`)}</span>{' '}
            {b.templateName} · {b.segmentName}
          </p>
          <ProgressBar broadcast={b} />
          <dl className="broadcast-counters">
            {counters.map(([key, n]) => (
              <div key={key} data-counter={key}>
                <dt>{t(`broadcasts.count.${key}`)}</dt>
                <dd>{n}</dd>
              </div>
            ))}
          </dl>
          {p.failedByCode.length > 0 && (
            <p data-ui="broadcast.failures">
              {t('broadcasts.failedByCode')}: {p.failedByCode.map((c) => `${c.code} × ${c.count}`).join(', ')}
            </p>
          )}
          <div className="form-actions">
            <Can I="control" a="Broadcast">
              {(b.status === 'running' || b.status === 'scheduled') && (
                <button type="button" className="button-secondary" data-button="broadcasts.pause" disabled={act.busy} onClick={() => void move('pause')}>{t('broadcasts.pause')}</button>
              )}
              {b.status === 'paused' && (
                <button type="button" className="button-primary" data-button="broadcasts.resume" disabled={act.busy} onClick={() => void move('resume')}>{t('broadcasts.resume')}</button>
              )}
              {moving && (
                <button type="button" className="button-danger" data-button="broadcasts.cancel" disabled={act.busy} onClick={() => void move('cancel')}>{t('broadcasts.cancel')}</button>
              )}
            </Can>
          </div>
        </div>
      )}
    </Dialog>
  );
}
