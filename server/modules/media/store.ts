import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** Where media bytes live. A directory by default (a volume in Kubernetes). */
export interface MediaStore {
  put(key: string, bytes: Buffer): Promise<{ size: number; sha256: string }>;
  open(key: string): Promise<{ stream: Readable; size: number }>;
  remove(key: string): Promise<void>;
}

const SAFE_KEY = /^[a-z0-9][a-z0-9/_.-]{0,200}$/;

/** Media kept as files under one directory; writes are atomic (temp file, then rename). */
export class DirectoryMediaStore implements MediaStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    if (!SAFE_KEY.test(key) || key.includes('..')) {
      throw new Error(`unsafe media key ${key}`);
    }
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
