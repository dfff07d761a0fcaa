import { actorOf, authOf } from '../../http/context';
import { errors, RowDenied } from '../../lib/errors';
import { streamMultipartFile } from '../../http/multipart';
import { access, type RouteTable } from '../../http/route';
import { newId } from '../../lib/ids';
import type { Services } from '../../services';
import { loadConversation } from '../conversations';
import { recordUpload } from './commands';
import { mediaLimitFor } from './limits';
import { presentUpload } from './present';
import { conversationOfMedia, findMedia } from './repo';
import { mediaIdParams, uploadResponse } from './schema';
import { mediaKey } from './store';
import { openMediaDownload } from './download';

const refusal = (mime: string) => `WhatsApp does not accept ${mime} files.`;

/** Media: agents upload what they send; everyone allowed to see a conversation may fetch its media. */
export function registerMediaRoutes(t: RouteTable, s: Services): void {
  t.add({
    method: 'post', path: '/media', tag: 'inbox', summary: 'Upload a file to send (multipart field "file")', access: access.can('create', 'Message'),
    streamBody: true,
    responses: {
      201: { description: 'Stored; send it with its id', schema: uploadResponse },
      400: { description: 'No file, or a type WhatsApp does not accept' },
      413: { description: 'Larger than WhatsApp allows for its type' },
      415: { description: 'Not multipart/form-data' },
    },
    handler: async (ctx) => {
      if (!ctx.is('multipart/form-data')) {
        throw errors.unsupportedMediaType();
      }
      const id = newId();
      const key = mediaKey(id);
      // Written to the store while it arrives and hashed on the way: never whole in memory.
      const upload = await streamMultipartFile(ctx, mediaLimitFor, refusal, (file) => s.media.putStream(key, file));
      const stored = upload.result;
      await recordUpload(s, actorOf(ctx), { id, mimeType: upload.mime, size: stored.size, sha256: stored.sha256, filename: upload.filename, storageKey: key, uploadedBy: authOf(ctx).user.id });
      ctx.status = 201;
      ctx.body = { media: presentUpload(id, upload.mime, stored.size, upload.filename) };
    },
  });
  t.add({
    method: 'get', path: '/media/:id', tag: 'inbox', summary: "A media file of a conversation you may read (or that you uploaded)",
    access: access.can('read', 'Conversation'), params: mediaIdParams,
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
      const download = await openMediaDownload(s, media);
      ctx.set(download.headers);
      ctx.body = download.stream;
    },
  });
}
