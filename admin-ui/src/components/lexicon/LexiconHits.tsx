import { useCallback, useEffect, useState } from 'react';
import { lexiconApi } from '../../endpoints';
import { useServerEvents } from '../../events';
import type { ServerEvent } from '../../events';
import { useFormats } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import type { LexiconHit } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { EmptyRow, ListStatus } from '../ListParts';

/** The hits to review, newest first, refreshed live when a flagged message comes in. */
export function LexiconHits() {
  const { t } = useI18n();
  const formats = useFormats();
  const [items, setItems] = useState<LexiconHit[]>([]);
  const [loaded, setLoaded] = useState(false);
  const [showReviewed, setShowReviewed] = useState(false);
  const [live, setLive] = useState<string | null>(null);
  const list = useAction();
  const review = useAction();
  const { run: runList } = list;

  const load = useCallback(async () => {
    const page = await runList(() => lexiconApi.hits(!showReviewed));
    if (page) {
      setItems(page.items);
      setLoaded(true);
    }
    return page?.items ?? [];
  }, [runList, showReviewed]);

  useEffect(() => {
    void load();
  }, [load]);

  useServerEvents((event: ServerEvent) => {
    if (event.type === 'lexicon.flagged' || event.type === 'reconnected') {
      void load().then((hits) => {
        const fresh = event.type === 'lexicon.flagged' ? hits.find((h) => event.hitIds.includes(h.id)) : undefined;
        if (fresh) {
          setLive(t('lexicon.hitsLive', { term: fresh.term }));
        }
      });
    }
  });

  async function markReviewed(hit: LexiconHit) {
    const result = await review.run(() => lexiconApi.review(hit.id));
    if (result) {
      setItems((previous) => (showReviewed ? previous.map((h) => (h.id === hit.id ? result.hit : h)) : previous.filter((h) => h.id !== hit.id)));
    }
  }

  return (
    <section className="lexicon-section" aria-labelledby="lexicon-hits-title">
      <div className="lexicon-section-header">
        <h2 id="lexicon-hits-title">{t('lexicon.hitsTitle')}</h2>
        <label className="checkbox">
          <input type="checkbox" id="lexicon-hits-reviewed" checked={showReviewed} onChange={(event) => setShowReviewed(event.target.checked)} />
          {t('lexicon.hitsShowReviewed')}
        </label>
        <button type="button" className="button-secondary" onClick={() => void load()} data-button="lexicon.hits">
          {t('lexicon.hitsRefresh')}
        </button>
      </div>
      <p role="status" id="lexicon-hits-live" className="hint">
        {live ?? ''}
      </p>
      <ErrorAlert error={list.error ?? review.error} />
      <div className="table-wrap">
        <table className="table" id="lexicon-hits">
          <caption className="visually-hidden">{t('lexicon.hitsTitle')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('lexicon.hitWhen')}</th>
              <th scope="col">{t('lexicon.term')}</th>
              <th scope="col">{t('lexicon.action')}</th>
              <th scope="col">{t('lexicon.hitDirection')}</th>
              <th scope="col">{t('lexicon.hitConversation')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((hit) => (
              <tr key={hit.id} data-id={hit.id} data-term={hit.term}>
                <td>{formats.dateTime(hit.at)}</td>
                <td>{hit.term}</td>
                <td>
                  <span className={`lexicon-action lexicon-action-${hit.action}`}>{t(`lexicon.action.${hit.action}`)}</span>
                </td>
                <td>{t(`lexicon.direction.${hit.direction}`)}</td>
                <td>
                  <code title={hit.conversationId}>{hit.conversationId.slice(-8)}</code>
                </td>
                <td className="row-actions">
                  {hit.reviewedAt ? (
                    <span className="hint">{t('lexicon.hitReviewed')}</span>
                  ) : (
                    <Can I="review" a="LexiconHit">
                      <button type="button" className="button-link" disabled={review.busy} onClick={() => void markReviewed(hit)} data-button="lexicon.review">
                        {t('lexicon.review')}
                        <span className="visually-hidden"> {hit.term}</span>
                      </button>
                    </Can>
                  )}
                </td>
              </tr>
            ))}
            {loaded && items.length === 0 && <EmptyRow colSpan={6}>{t('lexicon.hitsEmpty')}</EmptyRow>}
          </tbody>
        </table>
      </div>
      <ListStatus busy={list.busy} />
    </section>
  );
}
