import { inBackground } from '../api';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useCurrentUser, useSession } from '../auth';
import { ErrorAlert } from '../components/ErrorAlert';
import { ConversationList } from '../components/inbox/ConversationList';
import { ConversationView } from '../components/inbox/ConversationView';
import { InboxFilters, useChannelOptions } from '../components/inbox/InboxFilters';
import { NewCustomerAlerts } from '../components/inbox/NewCustomerAlerts';
import { useInboxKeys } from '../components/inbox/useInboxKeys';
import { previewOf } from '../components/inbox/labels';
import { PageTitle } from '../components/PageTitle';
import { conversationsApi } from '../endpoints';
import { useServerEvents } from '../events';
import type { ServerEvent } from '../events';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { contactName, matchesFilters, readsBeyondQueue, upsertConversation, withMessage } from '../inbox';
import type { InboxFilters as Filters } from '../inbox';
import { navigate, useRouteArg } from '../router';
import type { ConversationSummary, InboxView, Message } from '../types';

const SEARCH_DEBOUNCE_MS = 300;
const PHONE_QUERY = '(max-width: 48rem)';

function isPhone(): boolean {
  return window.matchMedia?.(PHONE_QUERY).matches ?? false;
}

/** Whether the history entry before the open conversation is the list (so Back returns to it). */
let openedFromList = false;

/**
 * `#/inbox` and `#/inbox/<conversation id>`: the conversation list (filters, live updates,
 * keyboard) beside the open conversation; one pane at a time on a phone.
 */
export function InboxPage() {
  const { t } = useI18n();
  const { ability } = useSession();
  const me = useCurrentUser();
  const selectedId = useRouteArg();
  // "All" follows what the role may read (every conversation, a team's...), not whether it may assign.
  const canSeeAll = readsBeyondQueue(ability, me.id);
  const canReadChannels = ability.can('read', 'Channel');
  const views = useMemo<InboxView[]>(() => {
    const list: InboxView[] = ['mine'];
    if (ability.can('read', 'Conversation')) {
      list.push('unassigned');
    }
    if (canSeeAll) {
      list.push('all');
    }
    return list;
  }, [ability, canSeeAll]);

  const [filters, setFilters] = useState<Filters>(() => ({ view: canSeeAll ? 'all' : 'mine', channelId: '', status: '', q: '' }));
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<ConversationSummary[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [activeId, setActiveId] = useState<string | null>(selectedId);
  const [focusOnOpen, setFocusOnOpen] = useState(false);
  const [announcement, setAnnouncement] = useState('');
  const list = useAction();
  const { run: runList } = list;
  const latest = useRef(0);
  const listRef = useRef<HTMLUListElement>(null);
  const itemsRef = useRef(items);
  const state = useRef({ filters, selectedId, meId: me.id });
  const keyState = useRef({ items, selectedId });
  useEffect(() => {
    itemsRef.current = items;
    state.current = { filters, selectedId, meId: me.id };
    keyState.current = { items, selectedId };
  });

  // A view the role does not allow (e.g. after a role change) falls back to "mine".
  useEffect(() => {
    if (!views.includes(filters.view)) {
      setFilters((current) => ({ ...current, view: 'mine' }));
    }
  }, [views, filters.view]);

  useEffect(() => {
    const timer = setTimeout(() => {
      setFilters((current) => (current.q === search.trim() ? current : { ...current, q: search.trim() }));
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [search]);

  const load = useCallback(
    async (current: Filters, cursor: string | null) => {
      const mine = ++latest.current;
      const page = await runList(() =>
        conversationsApi.list({ view: current.view, channelId: current.channelId, status: current.status, q: current.q, cursor }),
      );
      if (!page || mine !== latest.current) {
        return;
      }
      setItems((previous) => {
        if (!cursor) {
          return page.items;
        }
        const seen = new Set(previous.map((item) => item.id));
        return [...previous, ...page.items.filter((item) => !seen.has(item.id))];
      });
      setNextCursor(page.nextCursor);
      setLoaded(true);
    },
    [runList],
  );

  useEffect(() => {
    void load(filters, null);
  }, [filters, load]);

  const loadMore = useCallback(() => {
    if (nextCursor && !list.busy) {
      void load(filters, nextCursor);
    }
  }, [filters, list.busy, load, nextCursor]);

  const channelOptions = useChannelOptions(canReadChannels, items);

  const announce = useCallback((text: string) => {
    // Cleared first, so the same words twice are announced twice.
    setAnnouncement('');
    setTimeout(() => setAnnouncement(text), 50);
  }, []);

  const put = useCallback((update: ConversationSummary) => {
    const { filters: current, meId, selectedId: keepId } = state.current;
    // The open conversation is being read: it has no unread messages while the tab is visible.
    const conversation = update.id === keepId && document.visibilityState === 'visible' ? { ...update, unreadCount: 0 } : update;
    setItems((previous) => upsertConversation(previous, conversation, { filters: current, meId, keepId }));
  }, []);

  useServerEvents((event: ServerEvent) => {
    const { filters: current, selectedId: openId, meId } = state.current;
    switch (event.type) {
      case 'message.created': {
        const { conversationId, message } = event;
        const known = itemsRef.current.find((item) => item.id === conversationId);
        const isOpen = conversationId === openId;
        const countUnread = message.direction === 'in' && !(isOpen && document.visibilityState === 'visible');
        if (known) {
          put(withMessage(known, message, previewOf(message, t), countUnread));
          if (message.direction === 'in' && !isOpen) {
            announce(t('inbox.newMessageFrom', { name: contactName(known) }));
          }
        } else {
          // Not in the list yet: fetch it, and add it if it belongs under the filters.
          inBackground(() => conversationsApi.get(conversationId)).then(
            ({ conversation }) => {
              if (matchesFilters(conversation, current, meId)) {
                put(conversation);
                if (message.direction === 'in' && conversationId !== state.current.selectedId) {
                  announce(t('inbox.newMessageFrom', { name: contactName(conversation) }));
                }
              }
            },
            () => undefined,
          );
        }
        return;
      }
      case 'conversation.updated':
        put(event.conversation);
        return;
      case 'reconnected':
        void inBackground(() => load(current, null));
        return;
      default:
        return;
    }
  });

  // Focus the list again after closing a conversation (the list is the only pane on a phone).
  const previousSelected = useRef(selectedId);
  useEffect(() => {
    const closed = previousSelected.current;
    previousSelected.current = selectedId;
    if (selectedId) {
      setActiveId(selectedId);
    } else if (closed) {
      setActiveId(closed);
      listRef.current?.focus();
    }
  }, [selectedId]);

  const open = useCallback((id: string, keyboard: boolean) => {
    setActiveId(id);
    setFocusOnOpen(keyboard || isPhone());
    const current = state.current.selectedId;
    if (id === current) {
      if (keyboard || isPhone()) {
        document.getElementById('conversation-title')?.focus();
      }
      return;
    }
    openedFromList = !current;
    navigate('inbox', { arg: id, replace: Boolean(current) });
  }, []);

  const back = useCallback(() => {
    if (!state.current.selectedId) {
      return;
    }
    if (openedFromList) {
      openedFromList = false;
      window.history.back();
    } else {
      navigate('inbox', { replace: true });
    }
  }, []);

  useInboxKeys({ state: keyState, setActiveId, listRef, isPhone, back });

  const onConversation = useCallback((conversation: ConversationSummary) => put(conversation), [put]);
  const onRead = useCallback((conversationId: string) => {
    setItems((previous) => previous.map((item) => (item.id === conversationId && item.unreadCount !== 0 ? { ...item, unreadCount: 0 } : item)));
  }, []);
  const onIncoming = useCallback(
    (conversation: ConversationSummary | null, message: Message) => {
      const name = conversation ? contactName(conversation) : '';
      const preview = previewOf(message, t);
      announce(t('inbox.newMessageIn', { name, preview }));
    },
    [announce, t],
  );

  const selected = selectedId ? (items.find((item) => item.id === selectedId) ?? null) : null;

  return (
    <section className="inbox-page" data-open={selectedId ? 'true' : 'false'}>
      <PageTitle title={t('inbox.title')} />
      <div id="inbox-live" className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      <div className="inbox">
        <div className="inbox-list-pane">
          <NewCustomerAlerts />
          <InboxFilters filters={filters} views={views} channels={channelOptions} search={search} onSearch={setSearch} onChange={setFilters} />
          <ErrorAlert error={list.error} />
          <ConversationList
            items={items}
            selectedId={selectedId}
            activeId={activeId}
            listRef={listRef}
            hasMore={Boolean(nextCursor)}
            loading={list.busy}
            onActivate={setActiveId}
            onOpen={open}
            onLoadMore={loadMore}
          />
          <p role="status" className="list-status inbox-list-status">
            {list.busy ? t('common.loading') : loaded && items.length === 0 ? t('inbox.empty') : ''}
          </p>
        </div>
        <div className="inbox-conversation-pane">
          {selectedId ? (
            <ConversationView
              key={selectedId}
              conversationId={selectedId}
              initial={selected}
              focusOnOpen={focusOnOpen}
              onConversation={onConversation}
              onRead={onRead}
              onIncoming={onIncoming}
              onBack={back}
            />
          ) : (
            <div className="conversation-placeholder">
              <p>{items.length > 0 ? t('inbox.choose') : ''}</p>
              <p className="hint">{t('inbox.keysHint')}</p>
            </div>
          )}
        </div>
      </div>
    </section>
  );
}

