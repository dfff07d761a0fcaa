import { memo, useId, useState } from 'react';
import type { KeyboardEvent, ReactNode } from 'react';
import { useFormats } from '../../format';
import { useI18n } from '../../i18n';
import { isMime, isSafeImage, pick, REACTIONS } from '../../inbox';
import type { MediaRef, Message } from '../../types';
import { Can } from '../Can';
import { AlertIcon, CheckIcon, ClockIcon, DoubleCheckIcon } from './icons';
import { authorLabel, STATUS_LABELS, typeLabel } from './labels';

interface MessageItemProps {
  message: Message;
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
export const MessageItem = memo(function MessageItem({ message, onReply, onReact, onMediaLoad, onJump }: MessageItemProps) {
  const { t } = useI18n();
  const formats = useFormats();
  const [picking, setPicking] = useState(false);
  const pickerId = useId();
  const outbound = message.direction === 'out';
  const system = message.author.type === 'system';
  const mine = message.reactions.find((reaction) => reaction.direction === 'out')?.emoji ?? '';
  const author = outbound ? authorLabel(message, t) : null;

  function closeOnEscape(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'Escape') {
      event.stopPropagation();
      event.preventDefault();
      setPicking(false);
    }
  }

  return (
    <li
      className={`message message-${message.direction}${system ? ' message-system' : ''}${message.status === 'failed' ? ' message-failed' : ''}`}
      data-message-id={message.id}
      data-direction={message.direction}
      data-status={outbound ? message.status : undefined}
      data-type={message.type}
    >
      <div className="bubble">
        {author && <p className="message-author">{author}</p>}
        {message.replyTo && (
          <button type="button" className="quote" onClick={() => onJump(message.replyTo?.id ?? '')} data-ui="inbox.jumpToQuoted">
            <span className="visually-hidden">{t('inbox.inReplyTo')} </span>
            {message.replyTo.text || t('inbox.quotedMedia')}
          </button>
        )}
        <MessageBody message={message} onMediaLoad={onMediaLoad} />
        <p className="message-meta">
          <time dateTime={message.createdAt} title={formats.dateTime(message.createdAt)}>
            {formats.time(message.createdAt)}
          </time>
          {outbound && <StatusTicks message={message} />}
        </p>
      </div>
      {message.reactions.length > 0 && (
        <ul className="reactions" aria-label={t('inbox.reactions')}>
          {message.reactions.map((reaction) => (
            <li key={`${reaction.direction}-${reaction.emoji}`} data-direction={reaction.direction} title={reaction.direction === 'in' ? t('inbox.reactionByCustomer') : t('inbox.reactionByUs')}>
              {reaction.emoji}
              <span className="visually-hidden"> {reaction.direction === 'in' ? t('inbox.reactionByCustomer') : t('inbox.reactionByUs')}</span>
            </li>
          ))}
        </ul>
      )}
      {!system && (
        <Can I="create" a="Message">
          <div className="message-actions">
            <button type="button" className="button-chip" onClick={() => onReply(message)} data-button="inbox.reply">
              {t('inbox.reply')}
              <span className="visually-hidden"> {t('inbox.toMessageAt', { time: formats.time(message.createdAt) })}</span>
            </button>
            <button
              type="button"
              className="button-chip"
              aria-expanded={picking}
              aria-controls={picking ? pickerId : undefined}
              onClick={() => setPicking((open) => !open)}
              data-button="inbox.react"
            >
              {t('inbox.react')}
              <span className="visually-hidden"> {t('inbox.toMessageAt', { time: formats.time(message.createdAt) })}</span>
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
  );
});

function StatusTicks({ message }: { message: Message }) {
  const { t } = useI18n();
  const formats = useFormats();
  const tipId = useId();
  const label = t(STATUS_LABELS[message.status] ?? 'inbox.status.queued');
  const when = message.statusTimes[message.status as keyof Message['statusTimes']];
  const title = when ? `${label} · ${formats.dateTime(when)}` : label;
  if (message.status === 'failed') {
    const error = message.error;
    const detail = error ? `${error.title}${error.code ? ` (${error.code})` : ''}` : t('inbox.status.failed');
    return (
      <span className="ticks ticks-failed">
        <button type="button" className="tick-button" aria-describedby={tipId} title={detail} data-ui="inbox.failedDetails">
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

function MediaView({ message, onMediaLoad }: { message: Message; onMediaLoad: () => void }) {
  const { t } = useI18n();
  const formats = useFormats();
  const media = message.media;
  if (!media) {
    return <p className="message-placeholder">{typeLabel(message.type, t)}</p>;
  }
  const url = mediaUrl(media);
  const pictureType = message.type === 'image' || message.type === 'sticker' || media.mimeType.startsWith('image/');
  if (pictureType && isSafeImage(media.mimeType)) {
    return (
      <a href={url} className="media-link" target="_blank" rel="noopener" data-ui="inbox.openImage">
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
      <audio controls preload="none" src={url} className="media-audio">
        <a href={url} download={media.filename ?? ''}>
          {t('inbox.download')}
        </a>
      </audio>
    );
  }
  if (isMime(media.mimeType, 'video')) {
    return (
      <video controls preload="metadata" src={url} className="media-video" onLoadedMetadata={onMediaLoad}>
        <a href={url} download={media.filename ?? ''}>
          {t('inbox.download')}
        </a>
      </video>
    );
  }
  // Documents (and SVG, HTML or anything unknown) are downloaded, never rendered here.
  return (
    <a href={url} download={media.filename ?? ''} className="document-link" type={media.mimeType} data-ui="inbox.download">
      <span aria-hidden="true" className="document-icon">
        📄
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
