import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const VERSION = 'v1';

/** AES-256-GCM under the master key: `v1.<iv>.<tag>.<ciphertext>` (base64url parts). */
export function encryptSecret(key: Buffer, plaintext: string, aad = ''): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** Reverses encryptSecret; throws if the value was tampered with or the key is wrong. */
export function decryptSecret(key: Buffer, sealed: string, aad = ''): string {
  const parts = sealed.split('.');
  const [version, iv, tag, ct] = parts;
  if (parts.length !== 4 || version !== VERSION || !iv || !tag || ct === undefined) {
    throw new Error('not a sealed secret');
  }
  // A full 16-byte tag only: Node would otherwise accept truncated (forgeable) tags.
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/** Zero-config mode only: the master key generated once and kept beside the embedded database. */
export async function loadOrCreateLocalMasterKey(dataDir: string): Promise<Buffer> {
  const file = path.join(dataDir, 'master.key');
  if (existsSync(file)) {
    const key = Buffer.from((await readFile(file, 'utf8')).trim(), 'base64');
    if (key.length !== 32) {
      throw new Error(`${file} does not hold a 32-byte base64 key`);
    }
    return key;
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  await writeFile(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}
