import { Fragment } from 'react';
import type { KeyboardEvent, RefObject } from 'react';
import { dayKey, useFormats } from '../../format';
import { useI18n } from '../../i18n';
import type { Message } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { MessageItem } from './MessageItem';

interface MessageListProps {
  /** The scrolling region; the conversation keeps the reading position through it. */
  scrollRef: RefObject<HTMLDivElement | null>;
  /** For the region's accessible name. */
  contact: string;
  messages: Message[];
  /** The message holding the roving tab stop. */
  current: string | null;
  loaded: boolean;
  /** Whether older messages remain to load. */
  hasOlder: boolean;
  loading: boolean;
  loadingOlder: boolean;
  /** The newest page's and the older pages' load errors. */
  error: unknown;
  olderError: unknown;
  onScroll: () => void;
  onLoadOlder: () => void;
  onFocusMessage: (messageId: string) => void;
  onReply: (message: Message) => void;
  onReact: (message: Message, emoji: string) => void;
  onMediaLoad: () => void;
  onJump: (messageId: string) => void;
}

/** The conversation's history: older-messages button, messages by day, empty and loading states. */
export function MessageList(props: MessageListProps) {
  const { t } = useI18n();
  const formats = useFormats();
  const { messages, scrollRef } = props;

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
      props.onFocusMessage(id);
      scrollRef.current?.querySelector<HTMLElement>(`li[data-message-id="${CSS.escape(id)}"]`)?.focus();
    }
    if (next === 0 && props.hasOlder) {
      props.onLoadOlder();
    }
  }

  return (
    <div
      className="history"
      ref={scrollRef}
      onScroll={props.onScroll}
      onKeyDown={historyKeyDown}
      tabIndex={messages.length === 0 ? 0 : -1}
      role="region" aria-label={t('inbox.history', { name: props.contact })} aria-busy={props.loading || props.loadingOlder}>
      {props.hasOlder && (
        <div className="load-older">
          <Can I="read" a="Conversation">
            <button type="button" className="button-link" onClick={props.onLoadOlder} disabled={props.loadingOlder} data-button="inbox.loadOlder">
              {props.loadingOlder ? t('common.loading') : t('inbox.loadOlder')}
            </button>
          </Can>
        </div>
      )}
      <ErrorAlert error={props.olderError} />
      <ErrorAlert error={props.error} />
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
                current={message.id === props.current}
                onFocusMessage={props.onFocusMessage}
                onReply={props.onReply} onReact={props.onReact} onMediaLoad={props.onMediaLoad} onJump={props.onJump} />
            </Fragment>
          );
        })}
      </ol>
      {props.loaded && messages.length === 0 && <p className="empty-history">{t('inbox.noMessages')}</p>}
      {!props.loaded && props.loading && (
        <p role="status" className="list-status">
          {t('common.loading')}
        </p>
      )}
    </div>
  );
}
