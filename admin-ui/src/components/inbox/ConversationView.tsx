import { inBackground } from '../../api';
import { useSession } from '../../auth';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { conversationsApi } from '../../endpoints';
import { useServerEvents } from '../../events';
import type { ServerEvent } from '../../events';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { addMessages, applyStatus, contactName, conversationSubject, isWindowOpen, withMessage, withReaction } from '../../inbox';
import type { ConversationSummary, Message } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { AssignDialog, TransferDialog } from './AssignDialogs';
import { AssignmentHistory } from './AssignmentHistory';
import { Composer } from './Composer';
import { BackButton, ConversationHeader, type StatusAction } from './ConversationHeader';
import { previewOf } from './labels';
import { MacroMenu } from './MacroMenu';
import { MessageList } from './MessageList';
import { useMarkRead } from './useMarkRead';

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

/** The open conversation: header and actions, history with live updates, composer. */
export function ConversationView({ conversationId, initial, focusOnOpen, onConversation, onRead, onIncoming, onBack }: ConversationViewProps) {
  const { t } = useI18n();
  const { ability } = useSession();
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
  const loadedOnce = useRef(false);
  const messagesRef = useRef<Message[]>([]);
  const conversationRef = useRef<ConversationSummary | null>(initial);
  const { run: runHistory } = history;
  const { run: runOlder } = older;

  // The parent's callbacks, read when needed, so their identity never triggers a reload.
  const parent = useRef({ onConversation, onIncoming });
  useEffect(() => {
    parent.current = { onConversation, onIncoming };
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

  const { scheduleRead, readWhenVisible } = useMarkRead(conversationId, onRead);

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
    void loadLatest().then(readWhenVisible);
  }, [loadLatest, readWhenVisible]);

  useEffect(() => {
    if (focusOnOpen) {
      headingRef.current?.focus({ preventScroll: true });
    }
    // On a phone the inbox is as tall as the screen: scroll the top bar away.
    if (window.matchMedia?.('(max-width: 48rem)').matches) {
      document.querySelector('.inbox')?.scrollIntoView({ block: 'start' });
    }
  }, [focusOnOpen]);

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
        update({
          ...withMessage(latest, message, previewOf(message, t), false),
          // The server reopens a resolved conversation written to (its live update confirms it).
          status: latest.status === 'resolved' ? 'open' : latest.status,
        });
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

  async function statusAction(kind: StatusAction) {
    const result = await header.run(() => conversationsApi[kind](conversationId));
    if (result) {
      update(result.conversation);
    }
  }

  async function claim() {
    const result = await header.run(() => conversationsApi.claim(conversationId));
    if (result) {
      update(result.conversation);
    }
  }

  if (!conversation) {
    return (
      <div className="conversation conversation-loading" data-conversation={conversationId}>
        <div className="conversation-header">
          <BackButton onBack={onBack} />
        </div>
        <ErrorAlert error={history.error} />
        <p role="status" className="list-status">
          {history.busy ? t('common.loading') : ''}
        </p>
      </div>
    );
  }

  const windowOpen = isWindowOpen(conversation, Date.now());
  // Those who take work from the queue (claim, not assign) reply once it is theirs: the server
  // refuses their reply to a queued conversation (claim_required) rather than assign it silently.
  const row = conversationSubject(conversation);
  const mustClaim = !conversation.assignee && ability.can('create', 'Message') && ability.can('claim', row) && !ability.can('assign', row);
  // The roving tab stop: the message last focused, else the newest.
  const current = currentId && messages.some((message) => message.id === currentId) ? currentId : (messages[messages.length - 1]?.id ?? null);

  return (
    <div className="conversation" data-conversation={conversation.id} data-status={conversation.status} data-window={windowOpen ? 'open' : 'closed'}>
      <ConversationHeader
        conversation={conversation}
        windowOpen={windowOpen}
        headingRef={headingRef}
        onBack={onBack}
        actions={{
          busy: header.busy,
          onClaim: () => void claim(),
          onAssign: () => setDialog('assign'),
          onTransfer: () => setDialog('transfer'),
          onStatus: (kind) => void statusAction(kind),
        }}
      />
      <AssignmentHistory conversationId={conversation.id} assigneeId={conversation.assignee?.id ?? null} customer={contactName(conversation)} />
      <ErrorAlert error={header.error} />
      <ErrorAlert error={reacting.error} />
      <MacroMenu conversation={conversation} onDone={(next) => (next ? update(next) : onBack())} />

      <MessageList
        scrollRef={scrollRef}
        contact={contactName(conversation)}
        messages={messages}
        current={current}
        loaded={loaded}
        hasOlder={nextBefore !== null}
        loading={history.busy}
        loadingOlder={older.busy}
        error={history.error}
        olderError={older.error}
        onScroll={onScroll}
        onLoadOlder={() => void loadOlder()}
        onFocusMessage={focusMessage}
        onReply={reply}
        onReact={react}
        onMediaLoad={onMediaLoad}
        onJump={jump}
      />

      {mustClaim ? (
        <div className="composer-claim" id="composer-claim">
          <p className="hint">{t('inbox.claimFirst')}</p>
          <Can I="claim" this={row}>
            <button type="button" className="button-primary" onClick={() => void claim()} disabled={header.busy} data-button="inbox.claimToReply">
              {t('inbox.claimToReply')}
            </button>
          </Can>
        </div>
      ) : (
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
      )}
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
