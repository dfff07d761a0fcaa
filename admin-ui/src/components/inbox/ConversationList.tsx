import { memo, useEffect, useRef } from 'react';
import type { KeyboardEvent, RefObject } from 'react';
import { useCurrentUser } from '../../auth';
import { useFormats } from '../../format';
import { useI18n } from '../../i18n';
import { contactName } from '../../inbox';
import type { ConversationSummary } from '../../types';

interface ConversationListProps {
  items: ConversationSummary[];
  selectedId: string | null;
  activeId: string | null;
  listRef: RefObject<HTMLUListElement | null>;
  hasMore: boolean;
  loading: boolean;
  onActivate: (id: string) => void;
  /** Opens a conversation; `keyboard` when chosen with Enter/Space. */
  onOpen: (id: string, keyboard: boolean) => void;
  onLoadMore: () => void;
}

export function optionId(conversationId: string): string {
  return `conversation-${conversationId}`;
}

/**
 * The conversations as a listbox: Tab reaches it once, then j/k or the arrow keys move the
 * active row, Home/End jump, Enter (or Space) opens. A click opens too.
 */
export function ConversationList({ items, selectedId, activeId, listRef, hasMore, loading, onActivate, onOpen, onLoadMore }: ConversationListProps) {
  const { t } = useI18n();
  const scrollRef = useRef<HTMLDivElement>(null);
  const sentinelRef = useRef<HTMLDivElement>(null);

  // Load the next page when the end of the list scrolls into view.
  useEffect(() => {
    const sentinel = sentinelRef.current;
    if (!sentinel || !hasMore || typeof IntersectionObserver === 'undefined') {
      return undefined;
    }
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((entry) => entry.isIntersecting)) {
          onLoadMore();
        }
      },
      { root: scrollRef.current, rootMargin: '200px' },
    );
    observer.observe(sentinel);
    return () => observer.disconnect();
  }, [hasMore, onLoadMore, items.length]);

  useEffect(() => {
    if (activeId) {
      document.getElementById(optionId(activeId))?.scrollIntoView({ block: 'nearest' });
    }
  }, [activeId]);

  function move(delta: number | 'first' | 'last') {
    if (items.length === 0) {
      return;
    }
    const current = items.findIndex((item) => item.id === (activeId ?? selectedId));
    let next: number;
    if (delta === 'first') {
      next = 0;
    } else if (delta === 'last') {
      next = items.length - 1;
    } else {
      next = current < 0 ? 0 : Math.min(items.length - 1, Math.max(0, current + delta));
    }
    const target = items[next];
    if (target) {
      onActivate(target.id);
    }
    if (delta !== 'first' && next >= items.length - 3 && hasMore) {
      onLoadMore();
    }
  }

  function keyDown(event: KeyboardEvent<HTMLUListElement>) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    switch (event.key) {
      case 'ArrowDown':
      case 'j':
        move(1);
        break;
      case 'ArrowUp':
      case 'k':
        move(-1);
        break;
      case 'Home':
        move('first');
        break;
      case 'End':
        move('last');
        break;
      case 'Enter':
      case ' ': {
        const id = activeId ?? selectedId ?? items[0]?.id;
        if (id) {
          onOpen(id, true);
        }
        break;
      }
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
  }

  return (
    <div className="conversation-list-scroll" ref={scrollRef}>
      <ul
        id="inbox-list"
        ref={listRef}
        role="listbox"
        tabIndex={0}
        aria-label={t('inbox.conversations')}
        aria-activedescendant={activeId && items.some((item) => item.id === activeId) ? optionId(activeId) : undefined}
        aria-describedby="inbox-keys"
        aria-busy={loading}
        className="conversation-list"
        onKeyDown={keyDown}
        onFocus={() => {
          if (!activeId && items[0]) {
            onActivate(selectedId && items.some((item) => item.id === selectedId) ? selectedId : items[0].id);
          }
        }}
      >
        {items.map((conversation) => (
          <ConversationRow
            key={conversation.id}
            conversation={conversation}
            selected={conversation.id === selectedId}
            active={conversation.id === activeId}
            onOpen={onOpen}
          />
        ))}
      </ul>
      <p id="inbox-keys" className="visually-hidden">
        {t('inbox.keysHint')}
      </p>
      <div ref={sentinelRef} className="list-sentinel" />
      {hasMore && (
        <button type="button" className="button-link load-more" onClick={onLoadMore} disabled={loading} data-ui="inbox.loadMore">
          {loading ? t('common.loading') : t('common.loadMore')}
        </button>
      )}
    </div>
  );
}

interface RowProps {
  conversation: ConversationSummary;
  selected: boolean;
  active: boolean;
  onOpen: (id: string, keyboard: boolean) => void;
}

/**
 * Who wrote the last message, as the preview names it: "You:" for your own, the agent's name for
 * a colleague's, nothing for the customer's (the row already names them) or an unnamed sender.
 */
function previewAuthor(conversation: ConversationSummary, meId: string): { you: boolean; name: string } | null {
  const author = conversation.lastMessageAuthor;
  if (conversation.lastMessageDirection !== 'out' || !author) {
    return null;
  }
  if (author.id === meId) {
    return { you: true, name: '' };
  }
  return author.name ? { you: false, name: author.name } : null;
}

/** One conversation; memoised so a live update re-renders only its own row. */
const ConversationRow = memo(function ConversationRow({ conversation, selected, active, onOpen }: RowProps) {
  const { t } = useI18n();
  const formats = useFormats();
  const meId = useCurrentUser().id;
  const name = contactName(conversation);
  const unread = conversation.unreadCount;
  const author = previewAuthor(conversation, meId);
  return (
    <li
      id={optionId(conversation.id)}
      role="option"
      aria-selected={selected}
      className={`conversation-item${active ? ' active' : ''}${selected ? ' selected' : ''}${unread > 0 ? ' unread' : ''}`}
      data-conversation-id={conversation.id}
      data-status={conversation.status}
      data-unread={unread}
      onClick={() => onOpen(conversation.id, false)}
    >
      <div className="conversation-item-top">
        <span className="conversation-name">{name}</span>
        {conversation.lastMessageAt && (
          <time className="conversation-time" dateTime={conversation.lastMessageAt} title={formats.dateTime(conversation.lastMessageAt)}>
            {formats.compact(conversation.lastMessageAt)}
          </time>
        )}
      </div>
      <div className="conversation-item-middle">
        <span className="conversation-preview">
          {author && <span className={author.you ? 'preview-you' : 'preview-author'}>{author.you ? t('inbox.you') : t('inbox.authorPrefix', { name: author.name })} </span>}
          {conversation.lastMessagePreview ?? ''}
        </span>
        {unread > 0 && (
          <span className="unread-badge" data-count={unread}>
            {unread > 99 ? '99+' : unread}
            <span className="visually-hidden"> {t('inbox.unread', { count: unread })}</span>
          </span>
        )}
      </div>
      <div className="conversation-item-bottom">
        <span className="conversation-assignee">{conversation.assignee ? conversation.assignee.name : t('inbox.unassigned')}</span>
        <span className="conversation-channel-name">{conversation.channel.name}</span>
        {conversation.status !== 'open' && (
          <span className={`badge badge-conversation-${conversation.status}`}>{t(`inbox.conversationStatus.${conversation.status}`)}</span>
        )}
      </div>
    </li>
  );
});
