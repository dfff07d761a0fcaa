import { useFormats } from '../../format';
import { useI18n } from '../../i18n';
import type { Message } from '../../types';

// Only these are shown as pictures; any other file is a download link (the server sends it as an attachment).
const SAFE_IMAGES = /^image\/(jpeg|png|webp|gif)$/;

/** One message of a reviewed transcript: who wrote it, when, its text and its file. Nothing to act on. */
export function ReviewMessage({ message, contactName }: { message: Message; contactName: string }) {
  const { t, tMaybe } = useI18n();
  const f = useFormats();
  const author =
    message.author.type === 'customer' ? contactName : message.author.name ?? tMaybe(`inbox.author.${message.author.type}`) ?? message.author.type;
  return (
    <li className={`review-message review-message-${message.direction}`} data-message-id={message.id} data-direction={message.direction}>
      <p className="review-message-head">
        <strong>{author}</strong> · <time dateTime={message.createdAt}>{f.dateTimeZone(message.createdAt)}</time>
      </p>
      {message.media && <ReviewMedia message={message} />}
      {message.text && <p className="review-message-text">{message.text}</p>}
      {!message.text && !message.media && <p className="muted">{tMaybe(`inbox.type.${message.type}`) ?? message.type}</p>}
      {message.reactions.length > 0 && <p className="review-message-reactions">{message.reactions.map((r) => r.emoji).join(' ')}</p>}
      {message.error && <p className="muted">{message.error.title} ({message.error.code})</p>}
      <span className="visually-hidden">{t('review.readOnly')}</span>
    </li>
  );
}

function ReviewMedia({ message }: { message: Message }) {
  const { t, tMaybe } = useI18n();
  const media = message.media!;
  if (media.state !== 'stored') {
    return (
      <p className="muted">
        {tMaybe(`inbox.type.${message.type}`) ?? message.type} · {media.state === 'pending' ? t('inbox.mediaPending') : t('inbox.mediaFailed')}
      </p>
    );
  }
  // The review's own route (the server names it); never another origin.
  const url = media.url.startsWith('/api/v1/review/') ? media.url : null;
  if (!url) {
    return null;
  }
  const name = media.filename ?? t('review.file');
  return SAFE_IMAGES.test(media.mimeType) ? (
    <a href={url} target="_blank" rel="noopener" data-ui="review.openFile" className="media-link">
      <img src={url} alt={t('review.openFile', { name })} className="media-image" loading="lazy" />
    </a>
  ) : (
    <a href={url} download={media.filename ?? undefined} data-ui="review.openFile">
      {t('review.openFile', { name })}
    </a>
  );
}
