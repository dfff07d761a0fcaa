import { useEffect, useRef, useState } from 'react';
import type { ChangeEvent, FormEvent, KeyboardEvent } from 'react';
import { ApiError } from '../../api';
import { conversationsApi, mediaApi } from '../../endpoints';
import { useFormats } from '../../format';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { isSafeImage } from '../../inbox';
import type { ConversationSummary, Message, UploadedMedia } from '../../types';
import { Can } from '../Can';
import { ErrorAlert } from '../ErrorAlert';
import { PaperclipIcon } from './icons';
import { useCannedShortcut } from './CannedPicker';
import { blockedTerms, LexiconBlocked } from './LexiconBlocked';
import { TemplatePicker } from './TemplatePicker';

/** Unsent text per conversation, kept while switching between conversations. */
const drafts = new Map<string, string>();

interface Attachment {
  file: File;
  /** A `blob:` URL for an image preview (the CSP allows blob: images). */
  preview: string | null;
  media: UploadedMedia | null;
}

interface ComposerProps {
  conversation: ConversationSummary;
  windowOpen: boolean;
  replyTo: Message | null;
  onCancelReply: () => void;
  onSent: (message: Message) => void;
  /** The server said the 24-hour window is closed (409 window_closed). */
  onWindowClosed: () => void;
}

/** Reply box: text (Enter sends, Shift+Enter new line), attachment, reply quote, templates. */
export function Composer({ conversation, windowOpen, replyTo, onCancelReply, onSent, onWindowClosed }: ComposerProps) {
  const { t } = useI18n();
  const formats = useFormats();
  const conversationId = conversation.id;
  const [text, setText] = useState(() => drafts.get(conversationId) ?? '');
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [templatesOpen, setTemplatesOpen] = useState(false);
  const sending = useAction();
  const uploading = useAction();
  const fileRef = useRef<HTMLInputElement>(null);
  const textRef = useRef<HTMLTextAreaElement>(null);
  const previewUrl = attachment?.preview ?? null;
  const canned = useCannedShortcut({ conversationId, text, setText, textRef });

  useEffect(() => {
    drafts.set(conversationId, text);
  }, [conversationId, text]);

  useEffect(
    () => () => {
      if (previewUrl) {
        URL.revokeObjectURL(previewUrl);
      }
    },
    [previewUrl],
  );

  // Replying starts typing.
  useEffect(() => {
    if (replyTo && windowOpen) {
      textRef.current?.focus();
    }
  }, [replyTo, windowOpen]);

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) {
      return;
    }
    const preview = isSafeImage(file.type) ? URL.createObjectURL(file) : null;
    setAttachment({ file, preview, media: null });
    const result = await uploading.run(() => mediaApi.upload(file));
    if (result) {
      setAttachment((current) => (current?.file === file ? { ...current, media: result.media } : current));
    }
  }

  function removeAttachment() {
    setAttachment(null);
    uploading.setError(null);
  }

  const ready = attachment ? Boolean(attachment.media) : text.trim() !== '';
  const canSend = windowOpen && ready && !sending.busy && !uploading.busy;

  async function send() {
    if (!canSend) {
      return;
    }
    const reply = replyTo ? { replyToMessageId: replyTo.id } : {};
    const caption = text.trim();
    const media = attachment?.media;
    const result = await sending.run(() =>
      conversationsApi.send(
        conversationId,
        media ? { type: 'media', mediaId: media.id, ...(caption ? { caption } : {}), ...reply } : { type: 'text', text: text.replace(/\s+$/, ''), ...reply },
      ),
    );
    if (result) {
      setText('');
      setAttachment(null);
      onCancelReply();
      // Null only for a reaction, which the composer does not send.
      if (result.message) {
        onSent(result.message);
      }
      textRef.current?.focus();
    }
  }

  // Answered after the request: if the window closed meanwhile, switch to templates.
  const { error: sendError } = sending;
  useEffect(() => {
    if (sendError instanceof ApiError && sendError.id === 'window_closed') {
      onWindowClosed();
    }
  }, [sendError, onWindowClosed]);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void send();
  }

  function keyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (canned.keyDown(event)) {
      return;
    }
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape' && replyTo) {
      event.preventDefault();
      event.stopPropagation();
      onCancelReply();
    }
  }

  const uploadError = uploading.error;
  const blocked = blockedTerms(sendError);
  const tooLarge = uploadError instanceof ApiError && uploadError.id === 'payload_too_large';
  const rows = Math.min(6, Math.max(2, text.split('\n').length));

  return (
    <div className="composer-area">
      {(!windowOpen || templatesOpen) && (
        <TemplatePicker
          conversation={conversation}
          onSent={(message) => {
            setTemplatesOpen(false);
            onSent(message);
          }}
          onClose={windowOpen ? () => setTemplatesOpen(false) : undefined}
        />
      )}
      <form className="composer" id="composer" onSubmit={submit} aria-label={t('inbox.composer')}>
        {!windowOpen && (
          <p className="composer-closed" id="composer-window-closed" role="note">
            {t('inbox.windowClosedExplain')}
          </p>
        )}
        {replyTo && (
          <div className="composer-reply" id="composer-reply" data-reply-to={replyTo.id}>
            <div>
              <span className="composer-reply-label">{t('inbox.replyingTo')}</span>
              <p className="composer-reply-text">{replyTo.text || t('inbox.quotedMedia')}</p>
            </div>
            <button type="button" className="button-icon" onClick={onCancelReply} data-ui="inbox.cancelReply">
              <span aria-hidden="true">×</span>
              <span className="visually-hidden">{t('inbox.cancelReply')}</span>
            </button>
          </div>
        )}
        {attachment && (
          <div className="composer-attachment" id="composer-attachment" data-state={attachment.media ? 'ready' : uploading.busy ? 'uploading' : 'error'}>
            {attachment.preview && <img src={attachment.preview} alt="" className="attachment-preview" />}
            <div className="attachment-info">
              <span className="attachment-name">{attachment.file.name}</span>
              <span className="hint">
                {formats.size(attachment.file.size)}
                {uploading.busy && ` · ${t('inbox.uploading')}`}
                {attachment.media && ` · ${t('inbox.uploaded')}`}
              </span>
            </div>
            <button type="button" className="button-icon" onClick={removeAttachment} data-ui="inbox.removeAttachment">
              <span aria-hidden="true">×</span>
              <span className="visually-hidden">{t('inbox.removeAttachment', { name: attachment.file.name })}</span>
            </button>
          </div>
        )}
        {tooLarge ? (
          <div role="alert" className="alert alert-error">
            <p>
              {t('inbox.fileTooLarge')} {uploadError.message !== 'payload_too_large' ? uploadError.message : ''}
            </p>
          </div>
        ) : (
          <ErrorAlert error={uploadError} />
        )}
        {blocked ? <LexiconBlocked terms={blocked} /> : <ErrorAlert error={sending.error} />}
        {windowOpen && canned.picker}
        <div className="composer-row">
          <Can I="create" a="Message">
            <button
              type="button"
              className="button-secondary composer-attach"
              onClick={() => fileRef.current?.click()}
              disabled={!windowOpen || uploading.busy}
              aria-describedby={windowOpen ? undefined : 'composer-window-closed'}
              data-button="inbox.attach"
            >
              <PaperclipIcon />
              <span className="visually-hidden">{t('inbox.attach')}</span>
            </button>
            <input
              ref={fileRef}
              id="composer-file"
              name="file"
              type="file"
              // Not rendered at all (the paperclip button opens it): a merely visually hidden
              // input still takes the inputs' full width and widened the page on phones.
              hidden
              accept="image/jpeg,image/png,image/webp,audio/*,video/mp4,video/3gpp,application/pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.txt,.csv,.zip"
              onChange={(event) => void choose(event)}
            />
          </Can>
          <label htmlFor="composer-text" className="visually-hidden">
            {attachment ? t('inbox.caption') : t('inbox.message')}
          </label>
          <textarea
            ref={textRef}
            id="composer-text"
            name="text"
            rows={rows}
            disabled={!windowOpen}
            aria-describedby={windowOpen ? 'composer-hint' : 'composer-window-closed'}
            placeholder={windowOpen ? (attachment ? t('inbox.captionPlaceholder') : t('inbox.messagePlaceholder')) : t('inbox.windowClosedShort')}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              canned.onCaret(event.target.selectionStart);
            }}
            onSelect={(event) => canned.onCaret(event.currentTarget.selectionStart)}
            onKeyDown={keyDown}
            {...canned.inputProps}
          />
          <div className="composer-buttons">
            {windowOpen && (
              <Can I="read" a="Template">
                <button
                  type="button"
                  className="button-secondary"
                  aria-expanded={templatesOpen}
                  aria-controls={templatesOpen ? 'template-picker' : undefined}
                  onClick={() => setTemplatesOpen((open) => !open)}
                  data-ui="inbox.templates"
                >
                  {t('inbox.templates.menu')}
                </button>
              </Can>
            )}
            <Can I="create" a="Message">
              <button type="submit" className="button-primary" disabled={!canSend} data-button="inbox.send">
                {sending.busy ? t('inbox.sending') : t('inbox.send')}
              </button>
            </Can>
          </div>
        </div>
        <p id="composer-hint" className="hint composer-hint">
          {t('inbox.composerHint')}
        </p>
      </form>
    </div>
  );
}
