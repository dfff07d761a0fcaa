import { inBackground } from '../../api';
import { Fragment, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { KeyboardEvent } from 'react';
import { conversationsApi } from '../../endpoints';
import { useServerEvents } from '../../events';
import type { ServerEvent } from '../../events';
import { dayKey, useFormats } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { addMessages, applyStatus, contactName, formatWaId, isWindowOpen, withReaction } from '../../inbox';
import type { ConversationSummary, Message } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { AssignDialog, TransferDialog } from './AssignDialogs';
import { Composer } from './Composer';
import { CONVERSATION_STATUS_LABELS, previewOf } from './labels';
import { MessageItem } from './MessageItem';

interface ConversationViewProps {
  conversationId: string;
  /** The list's copy, shown at once while the fresh one loads. */
  initial: ConversationSummary | null;
  /** Move focus to the heading once shown (opened from the keyboard, or on a phone). */
  focusOnOpen: boolean;
  onConversation: (conversation: ConversationSummary) => void;
  onRead: (conversationId: string) => void;
  /** A new customer message arrived here (for the live region). */
  onIncoming: (conversation: ConversationSummary | null, message: Message) => void;
  onBack: () => void;
}

/** Near the bottom, new messages keep the history scrolled to the end. */
const STICKY_PX = 80;
/** Within this distance of the top, older messages are loaded. */
const TOP_PX = 120;

function isVisible(): boolean {
  return document.visibilityState === 'visible';
}

/** The open conversation: header and actions, history with live updates, composer. */
export function ConversationView({ conversationId, initial, focusOnOpen, onConversation, onRead, onIncoming, onBack }: ConversationViewProps) {
  const { t } = useI18n();
  const formats = useFormats();
  const [conversation, setConversation] = useState<ConversationSummary | null>(initial);
  const [messages, setMessages] = useState<Message[]>([]);
  const [nextBefore, setNextBefore] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [dialog, setDialog] = useState<'assign' | 'transfer' | null>(null);
  const [currentId, setCurrentId] = useState<string | null>(null);
  const [, setTick] = useState(0);
  const history = useAction();
  const older = useAction();
  const header = useAction();
  const reacting = useAction();
  const scrollRef = useRef<HTMLDivElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const stickToBottom = useRef(true);
  const restore = useRef<{ height: number; top: number } | null>(null);
  const olderEmpty = useRef(false);
  const unreadWhileHidden = useRef(false);
  const readTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const loadedOnce = useRef(false);
  const messagesRef = useRef<Message[]>([]);
  const conversationRef = useRef<ConversationSummary | null>(initial);
  const { run: runHistory } = history;
  const { run: runOlder } = older;

  // The parent's callbacks, read when needed, so their identity never triggers a reload.
  const parent = useRef({ onConversation, onRead, onIncoming });
  useEffect(() => {
    parent.current = { onConversation, onRead, onIncoming };
    messagesRef.current = messages;
  });

  // The ref is set at once, not after the next render: a callback running before React
  // re-renders (the composer's, after its request) must see a live update that came first.
  const show = useCallback((next: ConversationSummary) => {
    conversationRef.current = next;
    setConversation(next);
  }, []);

  const update = useCallback(
    (next: ConversationSummary) => {
      show(next);
      parent.current.onConversation(next);
    },
    [show],
  );

  const markRead = useCallback(() => {
    unreadWhileHidden.current = false;
    if (readTimer.current) {
      clearTimeout(readTimer.current);
      readTimer.current = null;
    }
    parent.current.onRead(conversationId);
    conversationsApi.markRead(conversationId).catch(() => undefined);
  }, [conversationId]);

  /** Marks read shortly after a burst of new messages, with one request. */
  const scheduleRead = useCallback(() => {
    if (!isVisible()) {
      unreadWhileHidden.current = true;
      return;
    }
    if (!readTimer.current) {
      // Marking read after a live message is the panel's doing, not the user's: no activity.
      readTimer.current = setTimeout(() => inBackground(markRead), 400);
    }
  }, [markRead]);

  useEffect(
    () => () => {
      if (readTimer.current) {
        clearTimeout(readTimer.current);
      }
    },
    [],
  );

  /** The newest page: on open, and again after the event stream reconnects. */
  const loadLatest = useCallback(async () => {
    const [fresh, page] = await Promise.all([
      conversationsApi.get(conversationId).catch(() => null),
      runHistory(() => conversationsApi.messages(conversationId, null)),
    ]);
    if (fresh) {
      update(fresh.conversation);
    }
    if (!page) {
      return;
    }
    const known = new Set(messagesRef.current.map((message) => message.id));
    // After a long disconnection the newest page may not reach what we hold: start over from it.
    const gap = loadedOnce.current && known.size > 0 && page.items.length > 0 && page.nextBefore !== null && !page.items.some((message) => known.has(message.id));
    if (gap) {
      stickToBottom.current = true;
      setMessages(addMessages([], page.items));
      setNextBefore(page.nextBefore);
    } else {
      setMessages((current) => addMessages(current, page.items));
      // Keep an older cursor already reached; otherwise take the page's.
      if (!loadedOnce.current) {
        setNextBefore(page.nextBefore);
      }
    }
    loadedOnce.current = true;
    setLoaded(true);
  }, [conversationId, runHistory, update]);

  useEffect(() => {
    void loadLatest().then(() => {
      if (isVisible()) {
        markRead();
      } else {
        unreadWhileHidden.current = true;
      }
    });
  }, [loadLatest, markRead]);

  useEffect(() => {
    if (focusOnOpen) {
      headingRef.current?.focus({ preventScroll: true });
    }
    // On a phone the inbox is as tall as the screen: scroll the top bar away.
    if (window.matchMedia?.('(max-width: 48rem)').matches) {
      document.querySelector('.inbox')?.scrollIntoView({ block: 'start' });
    }
  }, [focusOnOpen]);

  // Back in the tab with messages received meanwhile: they are read now.
  useEffect(() => {
    function onVisibility() {
      if (isVisible() && unreadWhileHidden.current) {
        markRead();
      }
    }
    document.addEventListener('visibilitychange', onVisibility);
    return () => document.removeEventListener('visibilitychange', onVisibility);
  }, [markRead]);

  const loadOlder = useCallback(async () => {
    if (!nextBefore || older.busy) {
      return;
    }
    const before = nextBefore;
    const page = await runOlder(() => conversationsApi.messages(conversationId, before));
    if (!page) {
      return;
    }
    const node = scrollRef.current;
    if (node) {
      restore.current = { height: node.scrollHeight, top: node.scrollTop };
    }
    olderEmpty.current = page.items.length === 0;
    setMessages((current) => addMessages(current, page.items));
    setNextBefore(page.nextBefore);
  }, [conversationId, nextBefore, older.busy, runOlder]);

  // After each change of the history: keep the reading position when older messages were
  // put above it, follow new ones when at the bottom, and fill a short history upwards.
  useLayoutEffect(() => {
    const node = scrollRef.current;
    if (!node) {
      return;
    }
    if (restore.current) {
      node.scrollTop = node.scrollHeight - restore.current.height + restore.current.top;
      restore.current = null;
    } else if (stickToBottom.current) {
      node.scrollTop = node.scrollHeight;
    }
    if (loaded && nextBefore && !older.busy && !olderEmpty.current && node.scrollTop < TOP_PX) {
      void loadOlder();
    }
  }, [messages, loaded, nextBefore, older.busy, loadOlder]);

  function onScroll() {
    const node = scrollRef.current;
    if (!node) {
      return;
    }
    stickToBottom.current = node.scrollHeight - node.scrollTop - node.clientHeight < STICKY_PX;
    if (node.scrollTop < TOP_PX && nextBefore && !older.busy) {
      olderEmpty.current = false;
      void loadOlder();
    }
  }

  const onMediaLoad = useCallback(() => {
    const node = scrollRef.current;
    if (node && stickToBottom.current) {
      node.scrollTop = node.scrollHeight;
    }
  }, []);

  // The window closes while the conversation is open: re-render at that moment.
  const expires = conversation?.windowExpiresAt ?? null;
  useEffect(() => {
    const at = expires ? Date.parse(expires) - Date.now() : NaN;
    if (!Number.isFinite(at) || at <= 0) {
      return undefined;
    }
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(at + 500, 2_000_000_000));
    return () => clearTimeout(timer);
  }, [expires]);

  useServerEvents((event: ServerEvent) => {
    switch (event.type) {
      case 'message.created':
      case 'message.updated':
        if (event.conversationId !== conversationId) {
          return;
        }
        setMessages((current) => addMessages(current, [event.message]));
        if (event.type === 'message.created' && event.message.direction === 'in') {
          parent.current.onIncoming(conversation, event.message);
          scheduleRead();
        }
        return;
      case 'message.status':
        if (event.conversationId !== conversationId) {
          return;
        }
        setMessages((current) => current.map((message) => (message.id === event.messageId ? applyStatus(message, event) : message)));
        return;
      case 'conversation.updated':
        if (event.conversation.id === conversationId) {
          show(event.conversation);
        }
        return;
      case 'reconnected':
        void inBackground(loadLatest);
        return;
    }
  });

  const sent = useCallback(
    (message: Message) => {
      stickToBottom.current = true;
      setMessages((current) => addMessages(current, [message]));
      // The latest conversation, not the one this callback was made with: the composer calls it
      // after its request, and the live update (a claim, say) may have arrived meanwhile.
      const latest = conversationRef.current;
      if (latest) {
        update({ ...latest, lastMessageAt: message.createdAt, lastMessagePreview: previewOf(message, t), lastMessageDirection: message.direction });
      }
    },
    [update, t],
  );

  const windowClosed = useCallback(() => {
    const latest = conversationRef.current;
    if (latest) {
      show({ ...latest, windowExpiresAt: null });
    }
  }, [show]);

  const reply = useCallback((message: Message) => setReplyTo(message), []);
  const { run: runReact } = reacting;
  const react = useCallback(
    async (message: Message, emoji: string) => {
      const result = await runReact(() => conversationsApi.send(conversationId, { type: 'reaction', messageId: message.id, emoji }));
      if (result) {
        setMessages((current) => current.map((item) => (item.id === message.id ? withReaction(item, emoji, 'out') : item)));
      }
    },
    [conversationId, runReact],
  );
  const focusMessage = useCallback((messageId: string) => setCurrentId(messageId), []);

  /** Arrow keys, Home and End move between messages (the roving tab stop follows). */
  function historyKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const target = event.target as HTMLElement;
    if (!target.matches('li.message') || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    const index = messages.findIndex((message) => message.id === target.dataset.messageId);
    let next: number;
    if (event.key === 'ArrowUp') {
      next = Math.max(0, index - 1);
    } else if (event.key === 'ArrowDown') {
      next = Math.min(messages.length - 1, index + 1);
    } else if (event.key === 'Home') {
      next = 0;
    } else if (event.key === 'End') {
      next = messages.length - 1;
    } else {
      return;
    }
    event.preventDefault();
    const id = messages[next]?.id;
    if (id) {
      setCurrentId(id);
      scrollRef.current?.querySelector<HTMLElement>(`li[data-message-id="${CSS.escape(id)}"]`)?.focus();
    }
    if (next === 0 && nextBefore) {
      void loadOlder();
    }
  }

  const jump = useCallback((messageId: string) => {
    const node = scrollRef.current?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
    if (node) {
      node.scrollIntoView({ block: 'center' });
      setCurrentId(messageId);
      node.focus({ preventScroll: true });
      node.classList.add('message-highlight');
      setTimeout(() => node.classList.remove('message-highlight'), 1500);
    }
  }, []);

  async function statusAction(kind: 'resolve' | 'reopen') {
    const result = await header.run(() => (kind === 'resolve' ? conversationsApi.resolve(conversationId) : conversationsApi.reopen(conversationId)));
    if (result) {
      update(result.conversation);
    }
  }

  if (!conversation) {
    return (
      <div className="conversation conversation-loading" data-conversation={conversationId}>
        <div className="conversation-header">
          <button type="button" className="button-secondary inbox-back" onClick={onBack} data-ui="inbox.back">
            <span aria-hidden="true">←</span> {t('inbox.back')}
          </button>
        </div>
        <ErrorAlert error={history.error} />
        <p role="status" className="list-status">
          {history.busy ? t('common.loading') : ''}
        </p>
      </div>
    );
  }

  const windowOpen = isWindowOpen(conversation, Date.now());
  // The roving tab stop: the message last focused, else the newest.
  const current = currentId && messages.some((message) => message.id === currentId) ? currentId : (messages[messages.length - 1]?.id ?? null);
  const name = contactName(conversation);
  const number = formatWaId(conversation.contact.waId);
  const country = formats.region(conversation.contact.country);

  return (
    <div className="conversation" data-conversation={conversation.id} data-status={conversation.status} data-window={windowOpen ? 'open' : 'closed'}>
      <header className="conversation-header">
        <button type="button" className="button-secondary inbox-back" onClick={onBack} data-ui="inbox.back">
          <span aria-hidden="true">←</span> {t('inbox.back')}
        </button>
        <div className="conversation-title">
          <h2 id="conversation-title" ref={headingRef} tabIndex={-1}>
            {name}
          </h2>
          <p className="conversation-subtitle">
            {number && name !== number && <span className="contact-number">{number}</span>}
            {country && <span className="contact-country">{country}</span>}
            <span className="conversation-channel">
              {t('inbox.via', { channel: conversation.channel.name, number: conversation.channel.displayNumber })}
            </span>
          </p>
          <p className="conversation-facts">
            <span className={`badge badge-conversation-${conversation.status}`} id="conversation-status">
              {t(CONVERSATION_STATUS_LABELS[conversation.status] ?? 'inbox.conversationStatus.open')}
            </span>
            <span className="conversation-assignee" id="conversation-assignee">
              {conversation.assignee ? t('inbox.assignedTo', { name: conversation.assignee.name }) : t('inbox.unassigned')}
            </span>
            <span className={windowOpen ? 'window window-open' : 'window window-closed'} id="conversation-window">
              {windowOpen && conversation.windowExpiresAt
                ? t('inbox.windowOpenUntil', { time: formats.timeOrDay(conversation.windowExpiresAt) })
                : t('inbox.windowClosed')}
            </span>
          </p>
        </div>
        <div className="conversation-actions">
          <Can I="assign" a="Conversation">
            <button type="button" className="button-secondary" onClick={() => setDialog('assign')} data-button="inbox.assign">
              {t('inbox.assign')}
            </button>
          </Can>
          <Can I="transfer" a="Conversation">
            <button type="button" className="button-secondary" onClick={() => setDialog('transfer')} data-button="inbox.transfer">
              {t('inbox.transfer')}
            </button>
          </Can>
          {conversation.status === 'resolved' ? (
            <Can I="resolve" a="Conversation">
              <button type="button" className="button-secondary" onClick={() => void statusAction('reopen')} disabled={header.busy} data-button="inbox.reopen">
                {t('inbox.reopen')}
              </button>
            </Can>
          ) : (
            <Can I="resolve" a="Conversation">
              <button type="button" className="button-primary" onClick={() => void statusAction('resolve')} disabled={header.busy} data-button="inbox.resolve">
                {t('inbox.resolve')}
              </button>
            </Can>
          )}
        </div>
      </header>
      <ErrorAlert error={header.error} />
      <ErrorAlert error={reacting.error} />

      <div
        className="history"
        ref={scrollRef}
        onScroll={onScroll}
        onKeyDown={historyKeyDown}
        tabIndex={messages.length === 0 ? 0 : -1}
        role="region" aria-label={t('inbox.history', { name })} aria-busy={history.busy || older.busy}>
        {nextBefore && (
          <div className="load-older">
            <Can I="read" a="Conversation">
              <button type="button" className="button-link" onClick={() => void loadOlder()} disabled={older.busy} data-button="inbox.loadOlder">
                {older.busy ? t('common.loading') : t('inbox.loadOlder')}
              </button>
            </Can>
          </div>
        )}
        <ErrorAlert error={older.error} />
        <ErrorAlert error={history.error} />
        <ol className="messages" id="message-list">
          {messages.map((message, index) => {
            const previous = index > 0 ? messages[index - 1] : undefined;
            const newDay = !previous || dayKey(previous.createdAt) !== dayKey(message.createdAt);
            return (
              <Fragment key={message.id}>
                {newDay && (
                  <li className="day-separator" data-day={dayKey(message.createdAt)}>
                    <span>{formats.day(message.createdAt)}</span>
                  </li>
                )}
                <MessageItem
                  message={message}
                  current={message.id === current}
                  onFocusMessage={focusMessage}
                  onReply={reply} onReact={react} onMediaLoad={onMediaLoad} onJump={jump} />
              </Fragment>
            );
          })}
        </ol>
        {loaded && messages.length === 0 && <p className="empty-history">{t('inbox.noMessages')}</p>}
        {!loaded && history.busy && (
          <p role="status" className="list-status">
            {t('common.loading')}
          </p>
        )}
      </div>

      <Can I="create" a="Message">
        <Composer
          conversation={conversation}
          windowOpen={windowOpen}
          replyTo={replyTo}
          onCancelReply={() => setReplyTo(null)}
          onSent={sent}
          onWindowClosed={windowClosed}
        />
      </Can>
      <Can not I="create" a="Message">
        <p className="hint composer-readonly">{t('inbox.readOnly')}</p>
      </Can>

      {dialog === 'assign' && (
        <AssignDialog
          conversation={conversation}
          onClose={() => setDialog(null)}
          onDone={(next) => {
            update(next);
            setDialog(null);
          }}
        />
      )}
      {dialog === 'transfer' && (
        <TransferDialog
          conversation={conversation}
          onClose={() => setDialog(null)}
          onDone={(next) => {
            update(next);
            setDialog(null);
          }}
        />
      )}
    </div>
  );
}
