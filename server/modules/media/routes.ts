import { z } from 'zod';
import { actorOf, authOf } from '../../http/context';
import { errors, RowDenied } from '../../lib/errors';
import { streamMultipartFile } from '../../http/multipart';
import { access, type RouteTable } from '../../http/route';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { loadConversation } from '../conversations';
import { conversationOfMedia, findMedia, insertStoredMedia } from './repo';
import { isMediaMissing, mediaKey } from './store';

// Meta's limits: image 5 MB (jpeg, png), video and audio 16 MB, document 100 MB, sticker 100 KB (500 KB animated).
const MB = 1024 * 1024;
export function mediaLimitFor(mime: string): number | null {
  if (mime === 'image/webp') {
    return 500 * 1024;
  }
  if (mime === 'image/jpeg' || mime === 'image/png') {
    return 5 * MB;
  }
  if (/^(video\/(mp4|3gpp)|audio\/(aac|amr|mpeg|mp4|ogg))/.test(mime)) {
    return 16 * MB;
  }
  if (/^(application\/|text\/plain)/.test(mime)) {
    return 100 * MB;
  }
  return null;
}

// Served inline only when a browser cannot run it: no HTML, no SVG, no scripts.
const INLINE_TYPES = /^(image\/(jpeg|png|webp|gif)|audio\/|video\/)/;

const refusal = (mime: string) => `WhatsApp does not accept ${mime} files.`;

/** Media: agents upload what they send; everyone allowed to see a conversation may fetch its media. */
export function registerMediaRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'post', path: '/media', tag: 'inbox', summary: 'Upload a file to send (multipart field "file")', access: access.can('create', 'Message'),
    streamBody: true,
    handler: async (ctx) => {
      if (!ctx.is('multipart/form-data')) {
        throw errors.unsupportedMediaType();
      }
      const id = newId();
      const key = mediaKey(id);
      // Written to the store while it arrives and hashed on the way: never whole in memory.
      const upload = await streamMultipartFile(ctx, mediaLimitFor, refusal, (file) => s.media.putStream(key, file));
      const stored = upload.result;
      await s.db.transaction(async (trx) => {
        await insertStoredMedia(trx, { id, channelId: null, direction: 'out', mimeType: upload.mime, size: stored.size, sha256: stored.sha256, filename: upload.filename.slice(0, 200), storageKey: key, uploadedBy: authOf(ctx).user.id });
        await s.audit.appendIn(trx, actorOf(ctx), [{ action: 'media.uploaded', subjectType: 'Media', subjectId: id, details: { mimeType: upload.mime, size: stored.size } }]);
      });
      ctx.status = 201;
      ctx.body = { media: { id, mimeType: upload.mime, size: stored.size, filename: upload.filename, url: `/api/v1/media/${id}` } };
    },
  });
  t.add({
    method: 'get', path: '/media/:id', tag: 'inbox', summary: "A media file of a conversation you may read (or that you uploaded)",
    access: access.can('read', 'Conversation'), params: z.strictObject({ id: z.uuid() }),
    handler: async (ctx, { params }) => {
      const media = await findMedia(s.db, params.id);
      if (!media) {
        throw errors.notFound('Media');
      }
      const conversationId = await conversationOfMedia(s.db, media.id);
      if (conversationId) {
        await loadConversation(s, authOf(ctx).ability, conversationId);
      } else if ((media as { uploaded_by?: string | null }).uploaded_by !== authOf(ctx).user.id) {
        // Someone else's upload, not yet sent in a conversation.
        throw new RowDenied('Media', 'read', media.id);
      }
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
      const { stream, size } = opened;
      const inline = INLINE_TYPES.test(media.mime_type);
      ctx.set('Content-Type', inline ? media.mime_type : 'application/octet-stream');
      ctx.set('Content-Length', String(size));
      ctx.set('Content-Disposition', `${inline ? 'inline' : 'attachment'}; filename="${(media.filename ?? 'file').replace(/[^\w.-]/g, '_')}"`);
      ctx.set('Content-Security-Policy', "default-src 'none'; sandbox");
      ctx.set('Cache-Control', 'private, max-age=3600');
      ctx.body = stream;
    },
  });
}
