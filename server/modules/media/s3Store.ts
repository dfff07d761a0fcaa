import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { S3Settings } from '../../config';
import { assertSafeMediaKey, MediaMissingError, type MediaStore, type StoredBytes, type VerifyStored } from './store';

// Connecting is quick or broken; an idle socket mid-download is a stalled transfer. No total
// request timeout: a 100 MB document streamed to a slow browser may rightly take minutes.
const CONNECTION_TIMEOUT_MS = 5_000;
const SOCKET_IDLE_TIMEOUT_MS = 120_000;
// Held in memory per upload before it is sent as one part; S3 wants at least 5 MiB per part but the last.
const PART_BYTES = 8 * 1024 * 1024;

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

  async put(key: string, bytes: Buffer): Promise<StoredBytes> {
    return this.putStream(key, Readable.from([bytes]));
  }

  /**
   * Streams into the bucket holding at most one part in memory: a file smaller than a part is one
   * PutObject, a larger one a multipart upload. The hash is checked before the object exists
   * (before PutObject, or before CompleteMultipartUpload); any failure aborts the multipart
   * upload, so no partial or refused object is ever left under the key.
   */
  async putStream(key: string, source: Readable, verify?: VerifyStored): Promise<StoredBytes> {
    const Bucket = this.settings.bucket;
    const Key = this.objectKey(key);
    const hash = createHash('sha256');
    let size = 0;
    let held: Buffer[] = [];
    let heldBytes = 0;
    let uploadId: string | undefined;
    const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
    const flushPart = async () => {
      uploadId ??= (await this.client.send(new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/octet-stream' }))).UploadId;
      const PartNumber = parts.length + 1;
      const body = Buffer.concat(held, heldBytes);
      held = [];
      heldBytes = 0;
      const res = await this.client.send(new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: body, ContentLength: body.length }));
      parts.push({ ETag: res.ETag, PartNumber });
    };
    try {
      for await (const chunk of source) {
        const buf = chunk as Buffer;
        hash.update(buf);
        size += buf.length;
        held.push(buf);
        heldBytes += buf.length;
        if (heldBytes >= PART_BYTES) {
          await flushPart();
        }
      }
      const stored = { size, sha256: hash.digest('hex') };
      if (uploadId === undefined) {
        verify?.(stored);
        const body = Buffer.concat(held, heldBytes);
        // Kept beside the bytes so an operator can check an object against the database's hash.
        await this.client.send(new PutObjectCommand({ Bucket, Key, Body: body, ContentLength: body.length, ContentType: 'application/octet-stream', Metadata: { sha256: stored.sha256 } }));
        return stored;
      }
      if (heldBytes > 0) {
        await flushPart();
      }
      verify?.(stored);
      await this.client.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
      return stored;
    } catch (err) {
      if (uploadId !== undefined) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId })).catch(() => undefined);
      }
      source.destroy();
      throw err;
    }
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
