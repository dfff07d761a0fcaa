import type { Services } from '../../services';
import { clientFor } from '../channels/credentials';
import { MediaUrlRefusedError } from '../channels/egress';
import { MediaTooLargeError } from '../../whatsapp/errors';
import { findMedia, markMediaFailed, markMediaStored, pendingMediaOlderThan } from './repo';
import { mediaLimitFor } from './limits';
import { mediaKey } from './store';
import { messageOfMedia } from '../conversations';
import { publishNotice } from '../inbox';

/** Meta gives the sha256 in hex (GET /{media-id}) or base64 (webhooks). */
function sameSha256(expected: string, hex: string): boolean {
  return expected.toLowerCase() === hex || Buffer.from(expected, 'base64').toString('hex') === hex;
}

/** Asking again would fail the same way: a refused URL, a mismatched or oversized file. */
function isPermanent(err: unknown): boolean {
  return (err as { permanent?: unknown }).permanent === true || err instanceof MediaTooLargeError || err instanceof MediaUrlRefusedError;
}

/**
 * Downloads inbound media into the store right after the webhook commits (media ids from
 * webhooks expire), checks Meta's sha256 and the size limits, and sweeps anything a crash left pending.
 */
export class MediaDownloader {
  private active = 0;
  private queue: string[] = [];
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly s: Services,
    private readonly concurrency = 4,
  ) {}

  start(): void {
    this.sweepTimer = setInterval(() => void this.sweep().catch(() => undefined), 60_000);
    this.sweepTimer.unref();
  }

  enqueue(ids: string[]): void {
    this.queue.push(...ids);
    this.pump();
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.active += 1;
      void this.download(id)
        .catch((err: Error) => this.s.log.warn({ err: err.message, mediaId: id }, 'media download failed'))
        .finally(() => {
          this.active -= 1;
          this.pump();
        });
    }
  }

  /** Fetches one pending media item; idempotent (a stored item is left alone). */
  async download(id: string): Promise<void> {
    const media = await findMedia(this.s.db, id);
    if (!media || media.state !== 'pending' || !media.meta_media_id || !media.channel_id) {
      return;
    }
    const creds = await this.s.channels.get(media.channel_id);
    if (!creds) {
      return;
    }
    const client = clientFor(creds, 30_000);
    try {
      const refusal = this.s.egress.graphBaseUrlRefusal(creds.graphBaseUrl);
      if (refusal) {
        throw new MediaUrlRefusedError(`the number's Graph API base URL ${refusal}`);
      }
      const info = await client.getMedia(media.meta_media_id);
      const limit = mediaLimitFor(info.mimeType ?? media.mime_type) ?? 100 * 1024 * 1024;
      if (info.fileSize && info.fileSize > limit) {
        throw Object.assign(new Error(`file of ${info.fileSize} bytes is over the ${limit}-byte limit`), { permanent: true });
      }
      // Streamed into the store while hashed: a 100 MB document never sits in memory whole.
      const body = await client.openMedia(info.url, limit, (url) => this.s.egress.mediaDispatcher(url));
      const expected = info.sha256 ?? media.sha256 ?? '';
      const key = mediaKey(id, media.created_at);
      const stored = await this.s.media.putStream(key, body, ({ sha256 }) => {
        if (expected && !sameSha256(expected, sha256)) {
          throw Object.assign(new Error('checksum mismatch'), { permanent: true });
        }
      });
      await markMediaStored(this.s.db, id, key, stored.size, stored.sha256);
    } catch (err) {
      const permanent = isPermanent(err) || Date.now() - media.created_at.getTime() > 6 * 24 * 3600_000;
      if (!permanent) {
        throw err;
      }
      this.s.log.warn({ mediaId: id, err: (err as Error).message }, 'media download failed for good');
      await markMediaFailed(this.s.db, id, { message: (err as Error).message });
    }
    const msg = await messageOfMedia(this.s.db, id);
    if (msg) {
      await publishNotice(this.s.db, { type: 'message.updated', conversationId: msg.conversation_id, messageId: msg.id, createdAt: msg.created_at });
    }
  }

  private async sweep(): Promise<void> {
    const rows = await pendingMediaOlderThan(this.s.db, new Date(Date.now() - 30_000), 100);
    this.enqueue(rows.map((r) => r.id));
  }

  stop(): void {
    if (this.sweepTimer) {
      clearInterval(this.sweepTimer);
    }
    this.queue = [];
  }
}
