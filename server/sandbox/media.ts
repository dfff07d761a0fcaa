import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { metaError } from './errors';
import { newNumericId } from './ids';

const MB = 1024 * 1024;
const KB = 1024;

/** Meta's supported media types and size limits, by message type. */
export const MEDIA_RULES: Record<string, { types: string[]; maxBytes: number }> = {
  image: { types: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  video: { types: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
  audio: { types: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'], maxBytes: 16 * MB },
  document: {
    types: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.ms-excel',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
  // Stickers: WebP only, 100 KB static and 500 KB animated.
  sticker: { types: ['image/webp'], maxBytes: 500 * KB },
};
const STATIC_STICKER_MAX = 100 * KB;
/** The largest upload accepted at all (documents); bigger bodies are refused before being read. */
export const MAX_UPLOAD_BYTES = 100 * MB + 64 * KB;
/** Uploaded media is kept 30 days; media received in webhooks 7 days. */
const UPLOAD_RETENTION_MS = 30 * 86_400_000;
const INBOUND_RETENTION_MS = 7 * 86_400_000;

export type StoredMedia = {
  id: string;
  phoneNumberId: string;
  mimeType: string;
  bytes: Buffer;
  /** Hex, as GET /{media-id} answers; webhooks carry the base64 form (see Meta's examples). */
  sha256Hex: string;
  sha256Base64: string;
  filename?: string;
  animated: boolean;
  expiresAt: number;
};

/** The message type a MIME type belongs to, or undefined when Meta does not accept it. */
export function mediaKindOf(mimeType: string): string | undefined {
  const base = mimeType.split(';')[0]!.trim().toLowerCase();
  return Object.keys(MEDIA_RULES).find((kind) => MEDIA_RULES[kind]!.types.includes(base));
}

/** WebP with the VP8X animation flag set: an animated sticker (500 KB allowed instead of 100 KB). */
export function isAnimatedWebp(bytes: Uint8Array): boolean {
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString('ascii');
  return bytes.length > 21 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP' && ascii(12, 16) === 'VP8X' && (bytes[20]! & 0x02) !== 0;
}

/** In-memory media with short-lived, signed download URLs. */
export class MediaStore {
  private readonly items = new Map<string, StoredMedia>();
  /** Signs download URLs so they cannot be forged or extended. */
  private readonly urlKey = randomBytes(32);

  constructor(private readonly urlTtlMs: number) {}

  /**
   * Checks Meta's type and size rules (webp is a sticker) and stores the bytes; `inbound` marks a
   * customer's file, `as` its message type. Customers' files are held to the same type list as
   * business uploads: the sandbox serves them back, and an HTML page or a script must never be among them.
   */
  put(input: { phoneNumberId: string; mimeType: string; bytes: Buffer; filename?: string; inbound?: boolean; as?: string }): StoredMedia {
    const mimeType = input.mimeType.split(';')[0]!.trim().toLowerCase();
    const listed = mediaKindOf(mimeType);
    // Any listed file may travel as a document (a photo sent "as a file"), with the document's size limit.
    const kind = listed && input.inbound && input.as === 'document' ? 'document' : listed;
    if (!kind) {
      const allowed = Object.values(MEDIA_RULES).flatMap((r) => r.types).join(', ');
      throw metaError(100, `Param file must be a file with one of the following types: ${allowed}. Received file of type '${mimeType}'.`);
    }
    const animated = kind === 'sticker' && isAnimatedWebp(input.bytes);
    const max = kind === 'sticker' && !animated ? STATIC_STICKER_MAX : MEDIA_RULES[kind]!.maxBytes;
    if (input.bytes.length > max) {
      throw metaError(131053, `The ${kind} file is ${input.bytes.length} bytes; ${mimeType} allows at most ${max} bytes.`);
    }
    if (input.bytes.length === 0) {
      throw metaError(131053, 'The uploaded file is empty.');
    }
    let id = newNumericId();
    while (this.items.has(id)) {
      id = newNumericId();
    }
    const digest = createHash('sha256').update(input.bytes).digest();
    const media: StoredMedia = {
      id,
      phoneNumberId: input.phoneNumberId,
      mimeType,
      bytes: input.bytes,
      sha256Hex: digest.toString('hex'),
      sha256Base64: digest.toString('base64'),
      filename: input.filename,
      animated,
      expiresAt: Date.now() + (input.inbound ? INBOUND_RETENTION_MS : UPLOAD_RETENTION_MS),
    };
    this.items.set(id, media);
    return media;
  }

  /** A media item that still exists. */
  get(id: string): StoredMedia | undefined {
    const media = this.items.get(id);
    if (media && media.expiresAt <= Date.now()) {
      this.items.delete(id);
      return undefined;
    }
    return media;
  }

  delete(id: string): boolean {
    return this.items.delete(id);
  }

  /** A download URL valid for the configured TTL, shaped like Meta's lookaside URLs (mid, ext, hash). */
  downloadUrl(base: string, media: StoredMedia, now = Date.now()): string {
    // Whole seconds like Meta's `ext`, rounded up so a URL never expires before its TTL.
    const ext = String(Math.ceil((now + this.urlTtlMs) / 1000));
    return `${base}/media-download/?mid=${media.id}&ext=${ext}&hash=${this.sign(media.id, ext)}`;
  }

  /** The media a download URL names, or why it cannot be served. */
  resolveDownload(query: { mid?: string; ext?: string; hash?: string }, now = Date.now()): StoredMedia | 'expired' | 'invalid' {
    const { mid, ext, hash } = query;
    if (!mid || !ext || !hash || !/^\d+$/.test(ext)) {
      return 'invalid';
    }
    const expected = Buffer.from(this.sign(mid, ext));
    const given = Buffer.from(hash);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return 'invalid';
    }
    if (Number(ext) * 1000 <= now) {
      return 'expired';
    }
    return this.get(mid) ?? 'invalid';
  }

  private sign(mid: string, ext: string): string {
    return createHmac('sha256', this.urlKey).update(`${mid}:${ext}`).digest('base64url');
  }
}
