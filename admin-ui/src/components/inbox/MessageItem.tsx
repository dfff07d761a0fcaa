import { createContext, memo, useContext, useEffect, useId, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { useFormats } from '../../format';
import { useI18n } from '../../i18n';
import { isMime, isSafeImage, pick, REACTIONS } from '../../inbox';
import type { MediaRef, Message } from '../../types';
import { Can } from '../Can';
import { AlertIcon, CheckIcon, ClockIcon, DocumentIcon, DoubleCheckIcon } from './icons';
import { authorLabel, STATUS_LABELS, typeLabel } from './labels';

/**
 * Roving tab stop: only the current message and its controls are in the Tab order, so Tab
 * goes from the header to the history to the composer; arrow keys move between messages.
 */
const TabStop = createContext(-1);

interface MessageItemProps {
  message: Message;
  /** The history's current message (the one Tab reaches). */
  current: boolean;
  onFocusMessage: (messageId: string) => void;
  onReply: (message: Message) => void;
  onReact: (message: Message, emoji: string) => void;
  /** A picture or video got its size: the history may need to stay scrolled to the bottom. */
  onMediaLoad: () => void;
  onJump: (messageId: string) => void;
}

/**
 * Media come from our own API only (`/api/v1/media/:id`). Anything else (another origin,
 * `javascript:`) is replaced by that URL, so a stored value can never point elsewhere.
 */
function mediaUrl(media: MediaRef): string {
  return media.url.startsWith('/') && !media.url.startsWith('//') ? media.url : `/api/v1/media/${encodeURIComponent(media.id)}`;
}

/** One message of the history: bubble, media, quote, reactions, time, ticks and actions. */
export const MessageItem = memo(function MessageItem({ message, current, onFocusMessage, onReply, onReact, onMediaLoad, onJump }: MessageItemProps) {
  const { t } = useI18n();
  const formats = useFormats();
  const [picking, setPicking] = useState(false);
  const pickerId = useId();
  const outbound = message.direction === 'out';
  const system = message.author.type === 'system';
  const mine = message.reactions.find((reaction) => reaction.direction === 'out')?.emoji ?? '';
  const author = outbound ? authorLabel(message, t) : null;
  const tabIndex = current ? 0 : -1;
  // A customer's message shows the customer's time of sending (WhatsApp's timestamp), which can
  // be long before it reached us; the time it was received is in the tooltip.
  const shownAt = !outbound && message.sentAt ? message.sentAt : message.createdAt;
  const timeTitle =
    shownAt === message.createdAt
      ? formats.dateTime(message.createdAt)
      : t('inbox.sentReceived', { sent: formats.dateTime(shownAt), received: formats.dateTime(message.createdAt) });

  function closeOnEscape(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      event.preventDefault();
      setPicking(false);
    }
  }

  return (
    <TabStop.Provider value={tabIndex}>
    <li
      tabIndex={tabIndex}
      onFocus={() => onFocusMessage(message.id)}
      className={`message message-${message.direction}${system ? ' message-system' : ''}${message.status === 'failed' ? ' message-failed' : ''}`}
      data-message-id={message.id}
      data-direction={message.direction}
      data-status={outbound ? message.status : undefined}
      data-type={message.type}
    >
      <div className="bubble">
        {author && <p className="message-author">{author}</p>}
        {!outbound && <span className="visually-hidden">{t('inbox.customer')}: </span>}
        {message.replyTo && (
          <button type="button" className="quote" tabIndex={tabIndex} onClick={() => onJump(message.replyTo?.id ?? '')} data-ui="inbox.jumpToQuoted">
            <span className="visually-hidden">{t('inbox.inReplyTo')} </span>
            {message.replyTo.text || t('inbox.quotedMedia')}
          </button>
        )}
        <MessageBody message={message} onMediaLoad={onMediaLoad} />
        <p className="message-meta">
          <time dateTime={shownAt} title={timeTitle} data-received-at={message.createdAt}>
            {formats.time(shownAt)}
          </time>
          {outbound && <StatusTicks message={message} />}
        </p>
      </div>
      {message.reactions.length > 0 && (
        <ul className="reactions" aria-label={t('inbox.reactions')}>
          {message.reactions.map((reaction) => (
            <li key={`${reaction.direction}-${reaction.emoji}`} data-reaction-by={reaction.direction} title={reaction.direction === 'in' ? t('inbox.reactionByCustomer') : t('inbox.reactionByUs')}>
              {reaction.emoji}
              <span className="visually-hidden"> {reaction.direction === 'in' ? t('inbox.reactionByCustomer') : t('inbox.reactionByUs')}</span>
            </li>
          ))}
        </ul>
      )}
      {!system && (
        <Can I="create" a="Message">
          <div className="message-actions">
            <button type="button" className="button-chip" tabIndex={tabIndex} onClick={() => onReply(message)} data-button="inbox.reply">
              {t('inbox.reply')}
              <span className="visually-hidden"> {t('inbox.toMessageAt', { time: formats.time(shownAt) })}</span>
            </button>
            <button
              type="button"
              className="button-chip"
              tabIndex={tabIndex}
              aria-expanded={picking}
              aria-controls={picking ? pickerId : undefined}
              onClick={() => setPicking((open) => !open)}
              data-button="inbox.react"
            >
              {t('inbox.react')}
              <span className="visually-hidden"> {t('inbox.toMessageAt', { time: formats.time(shownAt) })}</span>
            </button>
            {picking && (
              <div className="reaction-picker" id={pickerId} role="group" aria-label={t('inbox.chooseReaction')} onKeyDown={closeOnEscape}>
                {REACTIONS.map((emoji) => (
                  <button
                    type="button"
                    key={emoji}
                    className="button-emoji"
                    aria-pressed={mine === emoji}
                    onClick={() => {
                      setPicking(false);
                      // Choosing our current reaction again removes it.
                      onReact(message, mine === emoji ? '' : emoji);
                    }}
                    data-ui="inbox.reactEmoji"
                    data-emoji={emoji}
                  >
                    {emoji}
                  </button>
                ))}
              </div>
            )}
          </div>
        </Can>
      )}
    </li>
    </TabStop.Provider>
  );
});

function StatusTicks({ message }: { message: Message }) {
  const { t } = useI18n();
  const formats = useFormats();
  const tipId = useId();
  const tabIndex = useContext(TabStop);
  const label = t(STATUS_LABELS[message.status] ?? 'inbox.status.queued');
  const when = message.statusTimes[message.status as keyof Message['statusTimes']];
  const title = when ? `${label} · ${formats.dateTime(when)}` : label;
  if (message.status === 'failed') {
    const error = message.error;
    const detail = error ? `${error.title}${error.code ? ` (${error.code})` : ''}` : t('inbox.status.failed');
    return (
      <span className="ticks ticks-failed">
        <button type="button" className="tick-button" tabIndex={tabIndex} aria-describedby={tipId} title={detail} data-ui="inbox.failedDetails">
          <AlertIcon />
          <span className="ticks-text">{label}</span>
        </button>
        <span role="tooltip" id={tipId} className="tooltip" data-error-code={error?.code}>
          {detail}
          {error?.details && <span className="tooltip-details">{error.details}</span>}
        </span>
      </span>
    );
  }
  const icon = message.status === 'queued' ? <ClockIcon /> : message.status === 'sent' ? <CheckIcon /> : <DoubleCheckIcon />;
  return (
    <span className={`ticks ticks-${message.status}`} role="img" aria-label={label} title={title}>
      {icon}
    </span>
  );
}

const PENDING_POLL_MS = 3_000;
const PENDING_POLLS = 40;

/**
 * Whether a media file can be shown. An inbound file is `pending` while the server fetches
 * it from WhatsApp (its URL answers 409 meanwhile): poll with HEAD until it is there.
 */
function useMediaState(media: MediaRef | null): 'stored' | 'pending' | 'failed' {
  const initial = media?.state ?? 'stored';
  const [state, setState] = useState(initial);
  const url = media ? mediaUrl(media) : null;
  useEffect(() => setState(initial), [initial]);
  useEffect(() => {
    if (state !== 'pending' || !url) {
      return undefined;
    }
    let polls = 0;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let live = true;
    const poll = () => {
      polls += 1;
      fetch(url, { method: 'HEAD', credentials: 'same-origin' }).then(
        (res) => {
          if (!live) {
            return;
          }
          if (res.ok) {
            setState('stored');
          } else if (res.status === 409 && polls < PENDING_POLLS) {
            timer = setTimeout(poll, PENDING_POLL_MS);
          }
        },
        () => {
          if (live && polls < PENDING_POLLS) {
            timer = setTimeout(poll, PENDING_POLL_MS);
          }
        },
      );
    };
    timer = setTimeout(poll, PENDING_POLL_MS);
    return () => {
      live = false;
      if (timer) {
        clearTimeout(timer);
      }
    };
  }, [state, url]);
  return state;
}

function MediaView({ message, onMediaLoad }: { message: Message; onMediaLoad: () => void }) {
  const { t } = useI18n();
  const formats = useFormats();
  const tabIndex = useContext(TabStop);
  const media = message.media;
  const state = useMediaState(media);
  if (!media) {
    return <p className="message-placeholder">{typeLabel(message.type, t)}</p>;
  }
  if (state !== 'stored') {
    return (
      <p className="message-placeholder media-state" data-media-state={state}>
        {typeLabel(message.type, t)} · {state === 'pending' ? t('inbox.mediaPending') : t('inbox.mediaFailed')}
      </p>
    );
  }
  const url = mediaUrl(media);
  const pictureType = message.type === 'image' || message.type === 'sticker' || media.mimeType.startsWith('image/');
  if (pictureType && isSafeImage(media.mimeType)) {
    return (
      <a href={url} className="media-link" tabIndex={tabIndex} target="_blank" rel="noopener" data-ui="inbox.openImage">
        <img
          src={url}
          alt={message.text || typeLabel(message.type, t)}
          className={message.type === 'sticker' ? 'media-sticker' : 'media-image'}
          loading="lazy"
          decoding="async"
          onLoad={onMediaLoad}
        />
      </a>
    );
  }
  if (isMime(media.mimeType, 'audio')) {
    return (
      <audio controls preload="none" src={url} className="media-audio" tabIndex={tabIndex}>
        <a href={url} download={media.filename ?? ''}>
          {t('inbox.download')}
        </a>
      </audio>
    );
  }
  if (isMime(media.mimeType, 'video')) {
    return (
      <video controls preload="metadata" src={url} className="media-video" tabIndex={tabIndex} onLoadedMetadata={onMediaLoad}>
        <a href={url} download={media.filename ?? ''}>
          {t('inbox.download')}
        </a>
      </video>
    );
  }
  // Documents (and SVG, HTML or anything unknown) are downloaded, never rendered here.
  return (
     <a href={url} download={media.filename ?? ''} tabIndex={tabIndex} className="document-link" type={media.mimeType} data-ui="inbox.download">
      <span className="document-icon">
        <DocumentIcon />
      </span>
      <span className="document-name">{media.filename || typeLabel(message.type, t)}</span>
      <span className="document-meta">
        {[media.mimeType, formats.size(media.size)].filter(Boolean).join(' · ')}
        <span className="visually-hidden"> {t('inbox.download')}</span>
      </span>
    </a>
  );
}

function Text({ children }: { children: ReactNode }) {
  return <p className="message-text">{children}</p>;
}

/** The content of a message by type; text is always rendered as text, never as HTML. */
function MessageBody({ message, onMediaLoad }: { message: Message; onMediaLoad: () => void }) {
  const { t } = useI18n();
  const { content, text } = message;
  switch (message.type) {
    case 'text':
      return <Text>{text ?? ''}</Text>;
    case 'image':
    case 'sticker':
    case 'audio':
    case 'video':
    case 'document':
    case 'media':
      return (
        <>
          <MediaView message={message} onMediaLoad={onMediaLoad} />
          {text && message.type !== 'sticker' && <Text>{text}</Text>}
        </>
      );
    case 'location': {
      const latitude = pick(content, 'latitude') ?? pick(content, 'location', 'latitude');
      const longitude = pick(content, 'longitude') ?? pick(content, 'location', 'longitude');
      const name = pick(content, 'name') ?? pick(content, 'location', 'name');
      const address = pick(content, 'address') ?? pick(content, 'location', 'address');
      return (
        <div className="message-location">
          <p className="message-text">
            <span aria-hidden="true">📍 </span>
            {[name, address].filter(Boolean).join(', ') || t('inbox.type.location')}
          </p>
          {latitude && longitude && <p className="coordinates">{t('inbox.coordinates', { lat: latitude, lng: longitude })}</p>}
        </div>
      );
    }
    case 'contacts': {
      const list = Array.isArray(content.contacts) ? (content.contacts as unknown[]) : [];
      return (
        <div className="message-contacts">
          <p className="message-placeholder">{t('inbox.type.contacts')}</p>
          <ul>
            {list.map((contact, index) => {
              const phones = Array.isArray((contact as { phones?: unknown }).phones) ? ((contact as { phones: unknown[] }).phones) : [];
              const name = pick(contact, 'name', 'formatted_name') ?? pick(contact, 'name') ?? '—';
              return (
                <li key={index}>
                  {name}
                  {phones.length > 0 && <> · {phones.map((phone) => pick(phone, 'phone') ?? '').filter(Boolean).join(', ')}</>}
                </li>
              );
            })}
          </ul>
          {text && <Text>{text}</Text>}
        </div>
      );
    }
    case 'interactive': {
      const value =
        text ??
        pick(content, 'button_reply', 'title') ??
        pick(content, 'list_reply', 'title') ??
        pick(content, 'interactive', 'button_reply', 'title') ??
        pick(content, 'interactive', 'list_reply', 'title') ??
        pick(content, 'body', 'text') ??
        pick(content, 'interactive', 'body', 'text');
      return <Text>{value ?? t('inbox.type.interactive')}</Text>;
    }
    case 'button':
      return <Text>{text ?? pick(content, 'button', 'text') ?? pick(content, 'text') ?? t('inbox.type.button')}</Text>;
    case 'template': {
      const name = pick(content, 'name') ?? pick(content, 'template', 'name') ?? pick(content, 'templateName');
      return (
        <>
          {name && <p className="message-placeholder">{t('inbox.templateNamed', { name })}</p>}
          <Text>{text ?? t('inbox.type.template')}</Text>
        </>
      );
    }
    case 'reaction':
      return <p className="message-placeholder">{t('inbox.reactedWith', { emoji: pick(content, 'emoji') ?? pick(content, 'reaction', 'emoji') ?? text ?? '' })}</p>;
    default:
      if (message.media) {
        return (
          <>
            <MediaView message={message} onMediaLoad={onMediaLoad} />
            {text && <Text>{text}</Text>}
          </>
        );
      }
      return text ? <Text>{text}</Text> : <p className="message-placeholder">{t('inbox.type.unsupported')}</p>;
  }
}
