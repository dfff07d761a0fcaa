import { useCallback, useEffect, useRef, useState } from 'react';
import { ListPage, RowAction } from '../components/ListPage';
import { ReviewConversationView } from '../components/review/ReviewConversationView';
import { defaultReviewForm, ReviewFilters, toReviewQuery } from '../components/review/ReviewFilters';
import type { ReviewForm } from '../components/review/ReviewFilters';
import { useSession } from '../auth';
import { Can } from '../components/Can';
import { reviewApi } from '../endpoints';
import { useFormats } from '../format';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { hrefWithArg, navigate, useRouteArg } from '../router';
import type { ReviewConversation } from '../types';

// The search survives opening a conversation and coming back (the list is a route of its own),
// for the same user only: it may name a customer, which the next person at this browser must not see.
let lastSearch: { userId: string; form: ReviewForm } | null = null;

/**
 * `#/review`: find any conversation of any date (the last 30 days by default);
 * `#/review/<id>`: read it, read-only, with its assignment and audit history.
 */
export function ReviewPage() {
  const conversationId = useRouteArg();
  return conversationId ? <ReviewConversationView conversationId={conversationId} onBack={() => navigate('review')} /> : <ReviewList />;
}

function ReviewList() {
  const { t } = useI18n();
  const f = useFormats();
  const { state } = useSession();
  const userId = state.status === 'authenticated' ? state.user.id : '';
  const [form, setForm] = useState<ReviewForm>(() => (lastSearch?.userId === userId ? lastSearch.form : defaultReviewForm()));
  const [items, setItems] = useState<ReviewConversation[]>([]);
  const [range, setRange] = useState<{ from: string; to: string | null } | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const list = useAction();
  const { run: runList } = list;
  const latest = useRef(0);

  const load = useCallback(
    async (current: ReviewForm, cursor: string | null) => {
      const mine = ++latest.current;
      const page = await runList(() => reviewApi.list({ ...toReviewQuery(current), cursor: cursor ?? undefined }));
      if (!page || mine !== latest.current) {
        return;
      }
      setItems((previous) => (cursor === null ? page.items : [...previous, ...page.items]));
      setNextCursor(page.nextCursor);
      setRange(page.range);
      setLoaded(true);
    },
    [runList],
  );

  useEffect(() => {
    lastSearch = { userId, form };
    void load(form, null);
  }, [form, load, userId]);

  const name = (c: ReviewConversation) => c.contact.profileName || `+${c.contact.waId}`;

  return (
    <ListPage<ReviewConversation>
      title={t('review.title')}
      intro={<p>{t('review.intro')}</p>}
      toolbar={
        <>
          <ReviewFilters initial={form} onApply={setForm} />
          {range && (
            <p className="hint" id="review-range">
              {t('review.range', { from: f.dateTimeZone(range.from), to: range.to ? f.dateTimeZone(range.to) : t('review.rangeOpen') })}
            </p>
          )}
        </>
      }
      tableId="review-table"
      columns={[
        { key: 'started', header: t('review.started'), cell: (c) => f.dateTime(c.createdAt) },
        {
          key: 'customer', header: t('review.customer'),
          // The name opens the conversation too: on a phone the row's actions fold into a menu.
          cell: (c) => <><a href={hrefWithArg('review', c.id)} data-ui="review.openByName"><strong>{name(c)}</strong></a><br /><span className="muted">+{c.contact.waId}</span></>,
        },
        { key: 'number', header: t('review.number'), cell: (c) => c.channel.name },
        { key: 'assignee', header: t('review.assignee'), cell: (c) => c.assignee?.name ?? t('inbox.unassigned') },
        { key: 'status', header: t('review.status'), cell: (c) => <span className="badge">{t(`inbox.conversationStatus.${c.status}`)}</span> },
        { key: 'last', header: t('review.lastMessage'), cell: (c) => f.dateTime(c.lastMessageAt) },
      ]}
      rows={items}
      rowKey={(c) => c.id}
      rowName={name}
      rowAttributes={(c) => ({ 'data-id': c.id })}
      rowActions={(c) => (
        <RowAction can={['read', 'ConversationReview']} button="review.open" label={t('review.open')} name={name(c)} onClick={() => navigate('review', { arg: c.id })} />
      )}
      loaded={loaded}
      busy={list.busy}
      error={list.error}
      empty={t('review.empty')}
      footer={
        nextCursor && (
          <Can I="read" a="ConversationReview">
            <button type="button" className="button-secondary" data-button="review.loadMore" disabled={list.busy} onClick={() => void load(form, nextCursor)}>
              {t('review.loadMore')}
            </button>
          </Can>
        )
      }
    />
  );
}
