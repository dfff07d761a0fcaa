import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The size and SHA-256 (hex) of bytes a store wrote, computed while they streamed through. */
export type StoredBytes = { size: number; sha256: string };

/**
 * Checks what was written before it becomes visible under its key (e.g. against Meta's sha256);
 * throwing refuses it, and then nothing is left under the key, not even a partial file.
 */
export type VerifyStored = (stored: StoredBytes) => void;

/** Where media bytes live. A directory by default (a volume in Kubernetes), or an S3-compatible bucket. */
export interface MediaStore {
  /** Stores a stream without holding it whole in memory; a failed or refused transfer leaves nothing. */
  putStream(key: string, source: Readable, verify?: VerifyStored): Promise<StoredBytes>;
  put(key: string, bytes: Buffer): Promise<StoredBytes>;
  /** The bytes of a key; rejects with an error that `isMediaMissing` recognizes when there are none. */
  open(key: string): Promise<{ stream: Readable; size: number }>;
  /** Deletes a key; deleting a missing key is not an error. */
  remove(key: string): Promise<void>;
  /** Releases connections at shutdown. */
  close?(): void;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9/_.-]{0,200}$/;

/** Refuses keys that could escape the store's root (`..`, absolute paths) or need escaping. */
export function assertSafeMediaKey(key: string): void {
  if (!SAFE_KEY.test(key) || key.includes('..')) {
    throw new Error(`unsafe media key ${key}`);
  }
}

/**
 * The bytes of a stored media item are gone. It carries the file system's ENOENT code so
 * every store fails the same way as DirectoryMediaStore does for a missing file.
 */
export class MediaMissingError extends Error {
  readonly code = 'ENOENT';

  constructor(key: string) {
    super(`media ${key} is missing from the store`);
  }
}

/** True for the error a store raises when a key has no bytes (a missing file or a missing object). */
export function isMediaMissing(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ENOENT';
}

/** A pass-through stream that hashes and counts what goes through it. */
export function hashingMeter(): { meter: Transform; result: () => StoredBytes } {
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  return { meter, result: () => ({ size, sha256: hash.digest('hex') }) };
}

/** Media kept as files under one directory; writes are atomic (temp file, then rename). */
export class DirectoryMediaStore implements MediaStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertSafeMediaKey(key);
    return path.join(this.root, key);
  }

  async putStream(key: string, source: Readable, verify?: VerifyStored): Promise<StoredBytes> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    // A name of its own per write: two writers of one key never share a temp file.
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const { meter, result } = hashingMeter();
    try {
      await pipeline(source, meter, createWriteStream(tmp, { mode: 0o640 }));
      const stored = result();
      verify?.(stored);
      await rename(tmp, file);
      return stored;
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async put(key: string, bytes: Buffer): Promise<StoredBytes> {
    return this.putStream(key, Readable.from([bytes]));
  }

  async open(key: string): Promise<{ stream: Readable; size: number }> {
    const file = this.pathOf(key);
    const { size } = await stat(file);
    return { stream: createReadStream(file), size };
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/** A storage key sharded by date, so no directory grows without bound. */
export function mediaKey(id: string, at = new Date()): string {
  return `${at.getUTCFullYear()}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${id}`;
}
