import type { Readable } from 'node:stream';
import { errors } from '../../lib/errors';
import type { Services } from '../../services';
import type { MediaRow } from './repo';
import { isMediaMissing } from './store';

// Served inline only when a browser cannot run it: no HTML, no SVG, no scripts.
const INLINE_TYPES = /^(image\/(jpeg|png|webp|gif)|audio\/|video\/)/;

/** A stored file opened for download, with the headers that keep it inert in a browser. */
export type MediaDownload = { stream: Readable; headers: Record<string, string> };

/**
 * Opens a stored media file for whoever the caller has already authorized (the inbox's reader, a
 * compliance reviewer): 409 while it is not stored, 410 media_missing when the store lost it.
 */
export async function openMediaDownload(s: Pick<Services, 'media' | 'log'>, media: MediaRow): Promise<MediaDownload> {
  if (media.state !== 'stored' || !media.storage_key) {
    throw errors.conflict(media.state === 'pending' ? 'The file is still being downloaded.' : 'The file could not be downloaded from WhatsApp.');
  }
  let opened;
  try {
    opened = await s.media.open(media.storage_key);
  } catch (err) {
    if (!isMediaMissing(err)) {
      throw err;
    }
    // The database knows the file but the store lost it: an operator must hear of it.
    s.log.error({ mediaId: media.id, storageKey: media.storage_key }, 'media missing from the media store');
    throw errors.mediaMissing();
  }
  const inline = INLINE_TYPES.test(media.mime_type);
  return {
    stream: opened.stream,
    headers: {
      'Content-Type': inline ? media.mime_type : 'application/octet-stream',
      'Content-Length': String(opened.size),
      'Content-Disposition': `${inline ? 'inline' : 'attachment'}; filename="${(media.filename ?? 'file').replace(/[^\w.-]/g, '_')}"`,
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cache-Control': 'private, max-age=3600',
    },
  };
}
