import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import type { Core } from './core';
import { metaError, unknownObject } from './errors';
import { readBody, tokenOf } from './http';

/** The Meta app of sandbox numbers configured without one. */
export const SANDBOX_APP_ID = '300000000000001';

const MB = 1024 * 1024;
/** The file types Meta's Resumable Upload API takes (its "Upload a file" guide). */
export const UPLOAD_FILE_TYPES = ['application/pdf', 'image/jpeg', 'image/jpg', 'image/png', 'video/mp4'];
/** Meta documents no size cap for the Resumable Upload API; the sandbox keeps files in memory, so it caps them at the largest template sample (a 100 MB document). */
const MAX_FILE_LENGTH = 100 * MB;
/** Which uploaded types a template media header accepts as its sample (`example.header_handle`). */
const HEADER_SAMPLE_TYPES: Record<string, string[]> = {
  IMAGE: ['image/jpeg', 'image/jpg', 'image/png'],
  VIDEO: ['video/mp4'],
  DOCUMENT: ['application/pdf'],
};

type Session = { key: string; appId: string; fileName: string; fileLength: number; fileType: string; chunks: Buffer[]; offset: number; handle?: string };
type Uploaded = { appId: string; fileType: string; fileName: string; bytes: Buffer };

/** The app id of a number (SANDBOX_APP_ID unless configured). */
export function appIdOf(cfg: { appId?: string }): string {
  return cfg.appId ?? SANDBOX_APP_ID;
}

/** Upload sessions and the file handles they produced, in memory. */
export class UploadStore {
  private readonly sessions = new Map<string, Session>();
  private readonly handles = new Map<string, Uploaded>();
  /** Signs session ids (`upload:<key>?sig=<sig>`, as Meta's carry a signature). */
  private readonly key = randomBytes(32);

  start(input: Omit<Session, 'key' | 'chunks' | 'offset'>): string {
    const key = randomBytes(18).toString('base64url');
    this.sessions.set(key, { ...input, key, chunks: [], offset: 0 });
    return `upload:${key}?sig=${this.sign(key)}`;
  }

  /** The session a path id and `sig` name, when the signature holds. */
  session(pathId: string, sig: unknown): Session | undefined {
    const key = pathId.replace(/^upload:/, '');
    const expected = Buffer.from(this.sign(key));
    const given = Buffer.from(typeof sig === 'string' ? sig : '');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return undefined;
    }
    return this.sessions.get(key);
  }

  /** Appends a chunk; returns the handle once the whole file has arrived. */
  append(session: Session, bytes: Buffer): string | undefined {
    session.chunks.push(bytes);
    session.offset += bytes.length;
    if (session.offset === session.fileLength && !session.handle) {
      // Shaped like Meta's handles: `4::` + base64 of the MIME type + `:` + an opaque token.
      session.handle = `4::${Buffer.from(session.fileType).toString('base64')}:${randomBytes(24).toString('base64url')}`;
      this.handles.set(session.handle, { appId: session.appId, fileType: session.fileType, fileName: session.fileName, bytes: Buffer.concat(session.chunks) });
      session.chunks = [];
    }
    return session.handle;
  }

  handle(handle: string): Uploaded | undefined {
    return this.handles.get(handle);
  }

  private sign(key: string): string {
    return createHmac('sha256', this.key).update(key).digest('base64url').slice(0, 22);
  }
}

/** The app ids the request's token may upload for; 190 when the token is missing or unknown. */
function appsOfToken(core: Core, ctx: Koa.Context): Set<string> {
  const token = tokenOf(ctx);
  const apps = new Set<string>();
  for (const n of core.state.numbers.values()) {
    if (token && n.cfg.accessToken === token) {
      apps.add(appIdOf(n.cfg));
    }
  }
  if (apps.size === 0) {
    throw metaError(190, token ? 'The access token could not be decrypted or does not belong to a sandbox number.' : 'An access token is required to request this resource.');
  }
  return apps;
}

function required(ctx: Koa.Context, name: string): string {
  const value = ctx.query[name];
  if (typeof value !== 'string' || value === '') {
    throw metaError(100, `The parameter ${name} is required.`);
  }
  return value;
}

/** `POST /{app-id}/uploads?file_name&file_length&file_type`: `{id: "upload:<session>"}`. */
export function startUpload(core: Core, ctx: Koa.Context, appId: string): { id: string } {
  if (!appsOfToken(core, ctx).has(appId)) {
    throw unknownObject(appId, 'post');
  }
  const fileName = required(ctx, 'file_name');
  const lengthText = required(ctx, 'file_length');
  const fileType = required(ctx, 'file_type').toLowerCase();
  if (!/^\d+$/.test(lengthText) || Number(lengthText) < 1) {
    throw metaError(100, `Param file_length must be a positive integer; got "${lengthText}".`);
  }
  const fileLength = Number(lengthText);
  if (fileLength > MAX_FILE_LENGTH) {
    throw metaError(100, `Param file_length must be at most ${MAX_FILE_LENGTH} bytes.`);
  }
  if (!UPLOAD_FILE_TYPES.includes(fileType)) {
    throw metaError(100, `Param file_type must be one of {${UPLOAD_FILE_TYPES.join(', ')}}; got "${fileType}".`);
  }
  return { id: core.uploads.start({ appId, fileName, fileLength, fileType }) };
}

function sessionOrThrow(core: Core, ctx: Koa.Context, id: string, method: 'get' | 'post'): Session {
  const apps = appsOfToken(core, ctx);
  const session = core.uploads.session(id, ctx.query.sig);
  if (!session || !apps.has(session.appId)) {
    throw unknownObject(id, method);
  }
  return session;
}

/**
 * `POST /upload:<session>` with `file_offset: <n>` and the bytes from n on: `{h: <handle>}` once the
 * file is whole. (A partial chunk answers `{id, file_offset}`, the session's state.)
 */
export async function uploadChunk(core: Core, ctx: Koa.Context, id: string): Promise<Record<string, unknown>> {
  const session = sessionOrThrow(core, ctx, id, 'post');
  const offsetText = ctx.get('file_offset');
  if (offsetText === '') {
    throw metaError(100, 'The file_offset header is required.');
  }
  if (!/^\d+$/.test(offsetText) || Number(offsetText) !== session.offset) {
    throw metaError(100, `The file_offset header (${offsetText}) must be the session's current offset, ${session.offset}.`);
  }
  const bytes = await readBody(ctx, session.fileLength - session.offset);
  if (bytes.length === 0 && session.offset < session.fileLength) {
    throw metaError(100, 'The request body holds no file bytes.');
  }
  const handle = core.uploads.append(session, bytes);
  return handle ? { h: handle } : { id, file_offset: session.offset };
}

/** `GET /upload:<session>`: `{id, file_offset}`, where an interrupted upload resumes. */
export function uploadStatus(core: Core, ctx: Koa.Context, id: string): Record<string, unknown> {
  const session = sessionOrThrow(core, ctx, id, 'get');
  return { id: `upload:${session.key}`, file_offset: session.offset };
}

/**
 * Meta's review needs a sample of a media header: `example.header_handle`, a handle from the
 * Resumable Upload API of the WABA's app, of a type the format takes. Throws Meta-shaped errors.
 */
export function checkHeaderSample(core: Core, wabaId: string, components: unknown): void {
  if (!Array.isArray(components)) {
    return;
  }
  const header = (components as Array<Record<string, unknown> | null>).find((c) => typeof c?.type === 'string' && c.type.toUpperCase() === 'HEADER');
  const format = typeof header?.format === 'string' ? header.format.toUpperCase() : '';
  const allowed = HEADER_SAMPLE_TYPES[format];
  if (!header || !allowed) {
    return;
  }
  const handles = (header.example as { header_handle?: unknown } | undefined)?.header_handle;
  const handle = Array.isArray(handles) && typeof handles[0] === 'string' ? handles[0] : undefined;
  const refuse = (details: string) => metaError(100, details, { userTitle: 'Invalid sample media', userMsg: details });
  if (!handle) {
    throw refuse(`The ${format} header needs a sample: example.header_handle with a handle from the Resumable Upload API.`);
  }
  const uploaded = core.uploads.handle(handle);
  const apps = new Set(core.state.numbersOfWaba(wabaId).map((n) => appIdOf(n.cfg)));
  if (!uploaded || !apps.has(uploaded.appId)) {
    throw refuse('The header_handle is not a file uploaded through this app\'s Resumable Upload API.');
  }
  if (!allowed.includes(uploaded.fileType)) {
    throw refuse(`A ${format} header's sample must be ${allowed.join(' or ')}; the uploaded file is ${uploaded.fileType}.`);
  }
}
