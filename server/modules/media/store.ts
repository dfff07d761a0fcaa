import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Where media bytes live. A directory by default (a volume in Kubernetes), or an S3-compatible bucket. */
export interface MediaStore {
  put(key: string, bytes: Buffer): Promise<{ size: number; sha256: string }>;
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

/** Media kept as files under one directory; writes are atomic (temp file, then rename). */
export class DirectoryMediaStore implements MediaStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertSafeMediaKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, bytes: Buffer): Promise<{ size: number; sha256: string }> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, bytes, { mode: 0o640 });
    await rename(tmp, file);
    return { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
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
