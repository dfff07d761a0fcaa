import type { ChangeEvent } from 'react';
import { mediaApi } from '../endpoints';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n';
import type { UploadedMedia } from '../types';
import { ErrorAlert } from './ErrorAlert';

// The files each media header takes, as WhatsApp accepts them.
const MEDIA_ACCEPT: Record<string, string> = {
  IMAGE: 'image/jpeg,image/png',
  VIDEO: 'video/mp4,video/3gpp',
  DOCUMENT: '*/*',
};

/** The media header format of a template header (IMAGE, VIDEO, DOCUMENT), or null for a text header or none. */
export const mediaHeaderFormat = (header: { format: string } | null | undefined): string | null =>
  header && MEDIA_ACCEPT[header.format] ? header.format : null;

/**
 * The file of a template's image, video or document header: uploaded as soon as it is chosen
 * (the inbox's template picker and a broadcast send the upload's id). `onChange` gets null while
 * a file uploads or when none is chosen, so the form cannot send without one.
 */
export function HeaderFileField({ id, format, file, onChange, describedBy }: { id: string; format: string; file: UploadedMedia | null; onChange: (file: UploadedMedia | null) => void; describedBy?: string }) {
  const { t } = useI18n();
  const uploading = useAction();

  async function choose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    onChange(null);
    if (!chosen) {
      return;
    }
    const result = await uploading.run(() => mediaApi.upload(chosen));
    if (result) {
      onChange(result.media);
    }
  }

  return (
    <div className="field">
      <label htmlFor={id}>{t(`inbox.templates.headerFile.${format}` as MessageKey)}</label>
      <input id={id} name="headerFile" type="file" accept={MEDIA_ACCEPT[format]} aria-describedby={describedBy} onChange={(event) => void choose(event)} />
      {file && (
        <p className="hint" role="status" id={`${id}-ready`}>
          {t('inbox.templates.headerFileReady', { name: file.filename ?? '' })}
        </p>
      )}
      <ErrorAlert error={uploading.error} />
    </div>
  );
}
