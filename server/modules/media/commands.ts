import type { Actor } from '../../lib/actor';
import type { Services } from '../../services';
import { insertStoredMedia } from './repo';

/** Records a file an agent uploaded (already in the store); audited. */
export async function recordUpload(
  s: Services,
  actor: Actor,
  file: { id: string; mimeType: string; size: number; sha256: string; filename: string; storageKey: string; uploadedBy: string },
): Promise<void> {
  await s.db.transaction(async (trx) => {
    await insertStoredMedia(trx, { id: file.id, channelId: null, direction: 'out', mimeType: file.mimeType, size: file.size, sha256: file.sha256, filename: file.filename.slice(0, 200), storageKey: file.storageKey, uploadedBy: file.uploadedBy });
    await s.audit.appendIn(trx, actor, [{ action: 'media.uploaded', subjectType: 'Media', subjectId: file.id, details: { mimeType: file.mimeType, size: file.size } }]);
  });
}
