import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Settings } from '../../config';
import { assertSafeMediaKey, MediaMissingError, type MediaStore } from './store';

// Connecting is quick or broken; an idle socket mid-download is a stalled transfer. No total
// request timeout: a 100 MB document streamed to a slow browser may rightly take minutes.
const CONNECTION_TIMEOUT_MS = 5_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;

/** The SDK's error shape, read without `instanceof` (it breaks across SDK versions, aws-sdk-js-v3#7507). */
function isNoSuchKey(err: unknown): boolean {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  // Some S3-compatible servers answer a bare 404 without an error code.
  return e?.name === 'NoSuchKey' || (e?.$metadata?.httpStatusCode === 404 && e.name !== 'NoSuchBucket');
}

/**
 * Media kept as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, R2, ...), so web
 * and worker pods share it without a ReadWriteMany volume. Keys are the directory store's keys
 * under an optional prefix.
 */
export class S3MediaStore implements MediaStore {
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      endpoint: settings.endpoint,
      forcePathStyle: settings.forcePathStyle,
      credentials: settings.credentials,
      // Since 3.729 the SDK adds CRC32 checksum headers to every upload and validates them on
      // download; many S3-compatible servers reject or omit them. The body's SHA-256 is still
      // signed (x-amz-content-sha256), which every SigV4 server checks.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, socketTimeout: SOCKET_IDLE_TIMEOUT_MS },
    });
  }

  private objectKey(key: string): string {
    assertSafeMediaKey(key);
    return `${this.settings.prefix}${key}`;
  }

  async put(key: string, bytes: Buffer): Promise<{ size: number; sha256: string }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.settings.bucket,
        Key: this.objectKey(key),
        Body: bytes,
        ContentLength: bytes.length,
        ContentType: 'application/octet-stream',
        // Kept beside the bytes so an operator can check an object against the database's hash.
        Metadata: { sha256 },
      }),
    );
    return { size: bytes.length, sha256 };
  }

  async open(key: string): Promise<{ stream: Readable; size: number }> {
    const objectKey = this.objectKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: objectKey }));
      // In Node.js the body is the HTTP response itself (an IncomingMessage).
      if (!(res.Body instanceof Readable) || res.ContentLength === undefined) {
        (res.Body as { destroy?: () => void } | undefined)?.destroy?.();
        throw new Error(`S3 answered GetObject for ${objectKey} without a streamable body and length`);
      }
      return { stream: res.Body, size: res.ContentLength };
    } catch (err) {
      if (isNoSuchKey(err)) {
        throw new MediaMissingError(key);
      }
      throw err;
    }
  }

  async remove(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
    } catch (err) {
      // S3 answers 204 for a missing key; some compatible servers answer NoSuchKey.
      if (!isNoSuchKey(err)) {
        throw err;
      }
    }
  }

  close(): void {
    this.client.destroy();
  }
}
