import type { Db, Trx } from '../../db/knex';

export type MediaRow = {
  id: string;
  channel_id: string | null;
  direction: 'in' | 'out';
  mime_type: string;
  size: number | null;
  sha256: string | null;
  filename: string | null;
  storage_key: string | null;
  meta_media_id: string | null;
  state: 'pending' | 'stored' | 'failed';
  error: unknown;
  /** The agent who uploaded it (outbound media), else null. */
  uploaded_by: string | null;
  created_at: Date;
};

export async function insertPendingMedia(
  db: Db | Trx,
  m: { id: string; channelId: string; mimeType: string; sha256: string | null; filename: string | null; metaMediaId: string },
): Promise<void> {
  await db('media').insert({
    id: m.id,
    channel_id: m.channelId,
    direction: 'in',
    mime_type: m.mimeType,
    sha256: m.sha256,
    filename: m.filename,
    meta_media_id: m.metaMediaId,
    state: 'pending',
  });
}

export async function insertStoredMedia(
  db: Db | Trx,
  m: { id: string; channelId: string | null; direction: 'in' | 'out'; mimeType: string; size: number; sha256: string; filename: string | null; storageKey: string; uploadedBy: string | null },
): Promise<void> {
  await db('media').insert({
    id: m.id,
    channel_id: m.channelId,
    direction: m.direction,
    mime_type: m.mimeType,
    size: m.size,
    sha256: m.sha256,
    filename: m.filename,
    storage_key: m.storageKey,
    state: 'stored',
    uploaded_by: m.uploadedBy,
  });
}

export async function findMedia(db: Db | Trx, id: string): Promise<MediaRow | undefined> {
  return db('media').where({ id }).first();
}

export async function markMediaStored(db: Db | Trx, id: string, storageKey: string, size: number, sha256: string): Promise<void> {
  await db('media').where({ id }).update({ state: 'stored', storage_key: storageKey, size, sha256, error: null });
}

export async function markMediaFailed(db: Db | Trx, id: string, error: Record<string, unknown>): Promise<void> {
  await db('media').where({ id }).update({ state: 'failed', error: JSON.stringify(error) });
}

/** Inbound media still waiting for download (crash recovery sweep). */
export async function pendingMediaOlderThan(db: Db, before: Date, limit: number): Promise<MediaRow[]> {
  return db('media').where({ state: 'pending' }).andWhere('created_at', '<', before).orderBy('created_at').limit(limit);
}

/** The conversation a media item belongs to, for authorization. */
export async function conversationOfMedia(db: Db, mediaId: string): Promise<string | null> {
  const row = (await db('messages').select('conversation_id').where({ media_id: mediaId }).first()) as { conversation_id: string } | undefined;
  return row?.conversation_id ?? null;
}

/**
 * Stored media a sender may attach in a conversation: their own upload, or a file already in that
 * conversation (forwarding it again). Anything else, someone else's upload included, is unknown.
 */
export async function findUsableMedia(db: Db | Trx, mediaId: string, conversationId: string, userId: string | null): Promise<MediaRow | undefined> {
  const media = await findMedia(db, mediaId);
  if (!media || media.state !== 'stored') {
    return undefined;
  }
  if (isOwnUpload(media, userId)) {
    return media;
  }
  const inConversation = await db('messages').where({ media_id: mediaId, conversation_id: conversationId }).first('id');
  return inConversation ? media : undefined;
}

const isOwnUpload = (media: MediaRow, userId: string | null) => media.direction === 'out' && userId !== null && media.uploaded_by === userId;

/** A stored file the user uploaded themselves (what a broadcast's media header may carry). */
export async function findOwnUpload(db: Db | Trx, mediaId: string, userId: string): Promise<MediaRow | undefined> {
  const media = await findMedia(db, mediaId);
  return media && media.state === 'stored' && isOwnUpload(media, userId) ? media : undefined;
}
