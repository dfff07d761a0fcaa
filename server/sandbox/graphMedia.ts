import type Koa from 'koa';
import { numberOrThrow, type Core } from './core';
import { metaError, unknownObject } from './errors';
import { mayUseNumber, readBody, sendAttachment } from './http';
import { MAX_UPLOAD_BYTES, type StoredMedia } from './media';

/**
 * `POST /{phone-number-id}/media`, multipart: messaging_product=whatsapp, file, type (its MIME
 * type). Answers `{id}`. Parsed with the platform's own multipart reader (fetch's Response).
 */
export async function uploadMedia(core: Core, ctx: Koa.Context, phoneNumberId: string, wabas: Set<string>): Promise<{ id: string }> {
  const number = numberOrThrow(core, phoneNumberId);
  if (!mayUseNumber(wabas, number)) {
    throw unknownObject(phoneNumberId, 'post');
  }
  if (!ctx.is('multipart/form-data')) {
    throw metaError(100, 'Media uploads are multipart/form-data with the fields messaging_product, file and type.');
  }
  const raw = await readBody(ctx, MAX_UPLOAD_BYTES);
  let form: FormData;
  try {
    form = await new Response(raw, { headers: { 'content-type': ctx.get('content-type') } }).formData();
  } catch {
    throw metaError(100, 'The multipart body could not be parsed.');
  }
  const product = form.get('messaging_product');
  if (product === null) {
    throw metaError(131008, 'The parameter messaging_product is required.');
  }
  if (product !== 'whatsapp') {
    throw metaError(100, `Param messaging_product must be one of {WHATSAPP} - got "${String(product)}".`);
  }
  const file = form.get('file');
  if (file === null || typeof file === 'string') {
    throw metaError(131008, 'The parameter file is required.');
  }
  const declaredType = form.get('type');
  const mimeType = typeof declaredType === 'string' && declaredType.includes('/') ? declaredType : file.type;
  const stored = core.media.put({
    phoneNumberId,
    mimeType,
    bytes: Buffer.from(await file.arrayBuffer()),
    filename: file.name || undefined,
  });
  core.state.counters.media.uploaded += 1;
  return { id: stored.id };
}

/** Media the token may see; `phone_number_id` in the query must match the owner when given. */
export function mediaFor(core: Core, ctx: Koa.Context, id: string, wabas: Set<string>, method: 'get' | 'delete'): StoredMedia | undefined {
  const media = core.media.get(id);
  if (!media) {
    return undefined;
  }
  const owner = core.state.numbers.get(media.phoneNumberId);
  const filter = ctx.query.phone_number_id;
  if (!owner || !mayUseNumber(wabas, owner) || (typeof filter === 'string' && filter !== media.phoneNumberId)) {
    throw unknownObject(id, method);
  }
  return media;
}

/**
 * `GET /{media-id}`: `{messaging_product, url, mime_type, sha256, file_size, id}`. `file_size` is a
 * string and `sha256` hex, as in Meta's reference; the URL expires after `mediaUrlTtlMs`.
 */
export function presentMedia(core: Core, media: StoredMedia, base: string): Record<string, unknown> {
  return {
    messaging_product: 'whatsapp',
    url: core.media.downloadUrl(base, media),
    mime_type: media.mimeType,
    sha256: media.sha256Hex,
    file_size: String(media.bytes.length),
    id: media.id,
  };
}

/**
 * The download URL: the bytes, but only with a Bearer token of the owner's WABA (Meta's lookaside
 * URLs need the token too) and only before the URL expires.
 */
export function downloadMedia(core: Core, ctx: Koa.Context): void {
  const q = ctx.query as Record<string, string | undefined>;
  const media = core.media.resolveDownload({ mid: q.mid, ext: q.ext, hash: q.hash });
  if (media === 'expired' || media === 'invalid') {
    ctx.status = 404;
    ctx.type = 'text/plain';
    ctx.body = media === 'expired' ? 'URL signature expired' : 'Not found';
    return;
  }
  const token = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('authorization'))?.[1];
  const owner = core.state.numbers.get(media.phoneNumberId);
  const allowed = token !== undefined && core.state.numbersOfWaba(owner?.cfg.wabaId ?? '').some((n) => n.cfg.accessToken === token);
  if (!allowed) {
    ctx.status = 401;
    ctx.set('WWW-Authenticate', 'Bearer');
    ctx.type = 'text/plain';
    ctx.body = 'A Bearer access token is required to download this media.';
    return;
  }
  core.state.counters.media.downloaded += 1;
  sendAttachment(ctx, media, 'private, no-store');
}
