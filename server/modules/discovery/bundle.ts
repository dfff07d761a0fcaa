// Writes an export bundle: a zip with messages.jsonl, the media, README.txt, manifest.json (the
// SHA-256 and size of every other file) and manifest.json.asc (a detached OpenPGP signature of
// the manifest by the appliance key). Messages and media are read in keyset batches and streamed
// through the zip into the store, so memory stays constant whatever the export's size.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as openpgp from 'openpgp';
import yazl from 'yazl';
import { isMediaMissing } from '../media/store';
import { loadOrCreateApplianceKey } from '../audit';
import type { Services } from '../../services';
import { exportBatch, exportMediaBatch, updateProgress, type ExportRow, type Position } from './repo';

const BATCH = 500;

/** What the manifest states, signed as bytes. */
export type Manifest = {
  type: 'switchboard.discovery-export';
  version: 1;
  exportId: string;
  createdAt: string;
  requestedBy: string | null;
  filters: Record<string, unknown>;
  messages: number;
  files: Array<{ path: string; sha256: string; size: number }>;
  /** Media the messages refer to whose bytes are no longer in the store (retention, never downloaded). */
  missingMedia: string[];
  signingKeyFingerprint: string;
};

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'audio/ogg': 'ogg', 'audio/mpeg': 'mp3', 'audio/aac': 'aac', 'audio/mp4': 'm4a',
  'audio/amr': 'amr', 'video/mp4': 'mp4', 'video/3gpp': '3gp', 'application/pdf': 'pdf', 'text/plain': 'txt',
};

/** A file name's extension for a MIME type: known ones by name, else the subtype if it is plain, else bin. */
export function extensionOf(mimeType: string): string {
  const base = mimeType.split(';')[0]!.trim().toLowerCase();
  const known = EXTENSIONS[base];
  if (known) {
    return known;
  }
  const sub = base.split('/')[1] ?? '';
  return /^[a-z0-9]{1,10}$/.test(sub) ? sub : 'bin';
}

const README = `Switchboard e-discovery export
==============================

messages.jsonl      one JSON object per message, oldest first
media/<id>.<ext>    the files those messages carry (media ids as in messages.jsonl)
manifest.json       the SHA-256 and size of every file above, the search that made this export
manifest.json.asc   an OpenPGP signature of manifest.json by the appliance key

To verify with GnuPG, with the appliance's public key (Audit page, "Public key", or
GET /api/v1/audit/public-key) saved as appliance.asc:

  gpg --import appliance.asc
  gpg --verify manifest.json.asc manifest.json
  sha256sum messages.jsonl media/*      # compare with the manifest's "files"

Check that the fingerprint gpg prints is the one your organisation recorded for the appliance.
`;

/** Hashes and counts what flows through it. */
function meter(): { through: Transform; result: () => { sha256: string; size: number } } {
  const hash = createHash('sha256');
  let size = 0;
  const through = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { through, result: () => ({ sha256: hash.digest('hex'), size }) };
}

/** The store key of an export's zip. */
export const bundleKey = (id: string) => `discovery-exports/${id}.zip`;

/**
 * Writes the bundle of `exp` into the media store (overwriting a half-written one from a crashed
 * run) and answers its key, SHA-256 and size. Progress is stored after every batch.
 */
export async function writeBundle(s: Services, exp: ExportRow, finishedAt: Date): Promise<{ key: string; sha256: string; size: number; messages: number; mediaFiles: number }> {
  const key = bundleKey(exp.id);
  const zip = new yazl.ZipFile();
  const out = new PassThrough();
  zip.outputStream.pipe(out);
  const stored = s.media.putStream(key, out);
  const files: Manifest['files'] = [];

  // messages.jsonl
  const jsonl = new PassThrough();
  const jsonlMeter = meter();
  const jsonlEntry = jsonl.pipe(jsonlMeter.through);
  zip.addReadStream(jsonlEntry, 'messages.jsonl');
  let after: Position | null = null;
  let messages = 0;
  for (;;) {
    const rows = await exportBatch(s.db, exp.filters, after, BATCH);
    for (const m of rows) {
      const line = JSON.stringify({
        id: m.id, createdAt: m.at, conversationId: m.conversation_id,
        channel: { id: m.channel_id, number: m.channel_number },
        contact: { id: m.contact_id, waId: m.contact_wa_id, name: m.contact_name },
        direction: m.direction, type: m.type, wamid: m.wamid, text: m.text, content: m.content, status: m.status,
        author: { type: m.author_type, id: m.author_id },
        mediaId: m.media_id,
      });
      if (!jsonl.write(`${line}\n`)) {
        await once(jsonl, 'drain');
      }
    }
    messages += rows.length;
    await updateProgress(s.db, exp.id, { doneMessages: messages });
    if (rows.length < BATCH) {
      break;
    }
    const last = rows[rows.length - 1]!;
    after = { at: last.at, id: last.id };
  }
  jsonl.end();
  await once(jsonlEntry, 'end');
  files.push({ path: 'messages.jsonl', ...jsonlMeter.result() });

  // media/<id>.<ext>, one at a time: the zip reads its entries in order.
  const missingMedia: string[] = [];
  let afterMedia: string | null = null;
  let mediaFiles = 0;
  for (;;) {
    const rows = await exportMediaBatch(s.db, exp.filters, afterMedia, BATCH);
    for (const media of rows) {
      let source: Readable | null = null;
      try {
        source = media.storage_key ? (await s.media.open(media.storage_key)).stream : null;
      } catch (err) {
        if (!isMediaMissing(err)) {
          throw err;
        }
      }
      if (!source) {
        missingMedia.push(media.id);
        continue;
      }
      const path = `media/${media.id}.${extensionOf(media.mime_type)}`;
      const m = meter();
      const entry = new PassThrough();
      zip.addReadStream(entry, path);
      await pipeline(source, m.through, entry);
      files.push({ path, ...m.result() });
      mediaFiles += 1;
    }
    await updateProgress(s.db, exp.id, { mediaFiles });
    if (rows.length < BATCH) {
      break;
    }
    afterMedia = rows[rows.length - 1]!.id;
  }

  const readme = Buffer.from(README, 'utf8');
  zip.addBuffer(readme, 'README.txt');
  files.push({ path: 'README.txt', sha256: createHash('sha256').update(readme).digest('hex'), size: readme.length });

  const signer = await loadOrCreateApplianceKey(s.db, s.masterKey);
  const manifest: Manifest = {
    type: 'switchboard.discovery-export', version: 1, exportId: exp.id, createdAt: finishedAt.toISOString(), requestedBy: exp.created_by,
    filters: exp.filters as Record<string, unknown>, messages, files, missingMedia, signingKeyFingerprint: signer.fingerprint,
  };
  const manifestBytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  const signature = await openpgp.sign({
    message: await openpgp.createMessage({ binary: manifestBytes }),
    signingKeys: signer.privateKey,
    detached: true,
    format: 'armored',
  });
  zip.addBuffer(manifestBytes, 'manifest.json');
  zip.addBuffer(Buffer.from(signature, 'utf8'), 'manifest.json.asc');
  zip.end();
  const result = await stored;
  return { key, sha256: result.sha256, size: result.size, messages, mediaFiles };
}
