// The access archive (GDPR Art. 15 and 20): one zip per request holding the subject's contact
// record, messages and media as machine-readable JSON, the media files, a readable HTML
// transcript, a README stating what is in it and what is not, and a manifest with the SHA-256 of
// every other file. Media files are hashed in a first pass and streamed into the zip in a second,
// so no file is ever held whole in memory.
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { isMediaMissing, type MediaStore } from '../media/store';
import type { ArchiveMessageRow, ContactRow, NoteRow } from './repo';

/** The rule for content about other people, as the archive's README states it (README.md, "GDPR", says the same). */
export const OTHER_PEOPLE_RULE = [
  'What this archive holds, and what it leaves out:',
  '- Your contact record as we keep it, every message you sent us and every message we sent you, on every WhatsApp number of ours, with their files.',
  "- Messages our staff wrote to you are included (you received them); the writer is shown by role (agent, bot, broadcast), never by name: our staff's identities are their own personal data.",
  '- Notes our staff wrote about you are included (they are personal data about you), without the name of the staff member who wrote them.',
  "- Nothing about any other customer is ever included. Internal records that are not about you (audit logs, other customers' conversations) are not part of this archive.",
].join('\n');

export type ArchiveInput = {
  requestId: string;
  generatedAt: Date;
  contact: ContactRow;
  labels: string[];
  notes: NoteRow[];
  messages: ArchiveMessageRow[];
};

type FileEntry = { path: string; sha256: string; size: number };

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'video/mp4': 'mp4', 'video/3gpp': '3gp', 'audio/ogg': 'ogg',
  'audio/mpeg': 'mp3', 'audio/aac': 'aac', 'audio/amr': 'amr', 'audio/mp4': 'm4a', 'application/pdf': 'pdf', 'text/plain': 'txt',
};

/** Where a message's file sits in the archive. */
export function mediaPath(m: Pick<ArchiveMessageRow, 'media_id' | 'media_mime_type'>): string {
  return `media/${m.media_id}.${EXTENSIONS[m.media_mime_type ?? ''] ?? 'bin'}`;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function contactJson(input: ArchiveInput): unknown {
  const c = input.contact;
  return {
    id: c.id, whatsappNumber: `+${c.wa_id}`, profileName: c.profile_name, country: c.country, region: c.region, language: c.language,
    labels: input.labels, attributes: c.attributes, optIn: { state: c.opt_state, source: c.opt_source, changedAt: iso(c.opt_changed_at) },
    lastInboundAt: iso(c.last_inbound_at), restrictedAt: iso(c.restricted_at), createdAt: iso(c.created_at), updatedAt: iso(c.updated_at),
    notes: input.notes.map((n) => ({ id: n.id, text: n.body, createdAt: iso(n.created_at), updatedAt: iso(n.updated_at) })),
  };
}

export function messagesJson(messages: ArchiveMessageRow[]): unknown {
  return messages.map((m) => ({
    id: m.id, at: iso(m.created_at), sentAt: iso(m.sent_at), number: { name: m.channel_name, displayNumber: m.channel_number },
    direction: m.direction, from: m.author_type, type: m.type, text: m.text, content: m.content, status: m.status,
    media: m.media_id ? { id: m.media_id, path: m.media_storage_key ? mediaPath(m) : null } : null,
  }));
}

export function mediaJson(messages: ArchiveMessageRow[]): unknown {
  return messages.filter((m) => m.media_id).map((m) => ({
    id: m.media_id, messageId: m.id, mimeType: m.media_mime_type, size: m.media_size, sha256: m.media_sha256, filename: m.media_filename,
    path: m.media_storage_key ? mediaPath(m) : null,
  }));
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** A self-contained, readable transcript (no script, no external resource). */
export function transcriptHtml(input: ArchiveInput): string {
  const c = input.contact;
  const who = (m: ArchiveMessageRow) => (m.direction === 'in' ? escapeHtml(c.profile_name ?? `+${c.wa_id}`) : `${escapeHtml(m.channel_name)} (${m.author_type})`);
  const rows = input.messages.map((m) => {
    const body = m.text ? escapeHtml(m.text).replace(/\n/g, '<br>') : `<em>[${escapeHtml(m.type)}]</em>`;
    const file = m.media_id && m.media_storage_key ? ` <a href="${mediaPath(m)}">${escapeHtml(m.media_filename ?? mediaPath(m))}</a>` : '';
    return `<tr class="${m.direction}"><td>${m.created_at.toISOString()}</td><td>${who(m)}</td><td>${body}${file}</td></tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Conversation transcript</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.4em;vertical-align:top}tr.out td{background:#f4f8ff}</style>
</head><body>
<h1>Conversation transcript</h1>
<p>${escapeHtml(c.profile_name ?? '')} +${escapeHtml(c.wa_id)}. Generated ${input.generatedAt.toISOString()} for request ${input.requestId}.</p>
<pre>${escapeHtml(OTHER_PEOPLE_RULE)}</pre>
<table><thead><tr><th>Time (UTC)</th><th>From</th><th>Message</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></body></html>
`;
}

/** SHA-256 and size of a stored file, read once as a stream. */
async function hashStored(store: MediaStore, key: string): Promise<{ sha256: string; size: number }> {
  const { stream } = await store.open(key);
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/**
 * Builds the archive as a stream (the caller stores it). Files the media store no longer has are
 * listed in media.json with a null path and left out of the zip.
 */
export async function buildArchive(store: MediaStore, input: ArchiveInput): Promise<{ stream: Readable; files: FileEntry[] }> {
  // First pass: hash the files the store still has (a file it lost is listed with a null path).
  const stored = new Map<string, { key: string; entry: FileEntry }>();
  for (const m of input.messages) {
    if (!m.media_id || !m.media_storage_key || stored.has(m.media_id)) {
      continue;
    }
    try {
      stored.set(m.media_id, { key: m.media_storage_key, entry: { path: mediaPath(m), ...(await hashStored(store, m.media_storage_key)) } });
    } catch (err) {
      if (!isMediaMissing(err)) {
        throw err;
      }
    }
  }
  const messages = input.messages.map((m) => (m.media_id && !stored.has(m.media_id) ? { ...m, media_storage_key: null } : m));
  const zip = new ZipFile();
  const files: FileEntry[] = [];
  const addText = (path: string, text: string) => {
    const buf = Buffer.from(text, 'utf8');
    files.push({ path, sha256: sha256(buf), size: buf.length });
    zip.addBuffer(buf, path, { mtime: input.generatedAt });
  };
  const addJson = (path: string, value: unknown) => addText(path, `${JSON.stringify(value, null, 2)}\n`);
  addText('README.txt', `${OTHER_PEOPLE_RULE}\n\nFiles: contact.json, messages.json, media.json, media/ (the files), transcript.html (readable), manifest.json (SHA-256 of every other file).\n`);
  addJson('contact.json', contactJson(input));
  addJson('messages.json', messagesJson(messages));
  addJson('media.json', mediaJson(messages));
  addText('transcript.html', transcriptHtml({ ...input, messages }));
  for (const { key, entry } of stored.values()) {
    files.push(entry);
    zip.addReadStreamLazy(entry.path, { mtime: input.generatedAt }, (cb) => {
      store.open(key).then(({ stream }) => cb(null, stream), (err: unknown) => cb(err, new PassThrough()));
    });
  }
  const manifest = { requestId: input.requestId, generatedAt: input.generatedAt.toISOString(), algorithm: 'SHA-256', files };
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'), 'manifest.json', { mtime: input.generatedAt });
  zip.end();
  const out = new PassThrough();
  pipeline(zip.outputStream, out).catch((err: unknown) => out.destroy(err as Error));
  return { stream: out, files };
}
