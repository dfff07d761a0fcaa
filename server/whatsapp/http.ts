// HTTP transport for the Graph API: keep-alive connection pools (undici), timeouts, and the
// translation of every failure into a GraphApiError. No retries here: the sender lane decides,
// because only it knows whether a message may be sent twice.
import { Transform, pipeline, type Readable } from 'node:stream';
import { Agent, request, type Dispatcher, type FormData } from 'undici';
import { streamToBuffer } from '../lib/streams';
import { GraphApiError, MediaTooLargeError } from './errors';

export const USER_AGENT = 'Switchboard-WhatsApp-Connector/1.0';

/** Options of a connection pool; one pool holds keep-alive connections to each origin it talks to. */
export interface PoolOptions {
  /** Connections per origin (Meta's Graph API, its media CDN); default 64 (the shared pool: SHARED_POOL_CONNECTIONS). */
  connections?: number;
  keepAliveTimeoutMs?: number;
}

/** A keep-alive connection pool. A dedicated lane creates its own so it never queues behind others. */
export function createPool(options: PoolOptions = {}): Agent {
  return new Agent({
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 30_000,
    keepAliveMaxTimeout: 10 * 60_000,
    pipelining: 1,
  });
}

let shared: Agent | null = null;

/**
 * Connections of the process-wide pool to one origin. Every shared lane sends through it, each
 * with up to 32 calls in flight: at 64, twenty busy numbers queued ten calls on each connection,
 * and at Meta's round trip (tens of milliseconds) that capped them together near 1,000 messages/s.
 * (Send bench, 20 numbers at 200/s: 1,836 messages/s at 64 connections, 2,346 to 2,496 at 256,
 * 2,027 to 2,200 at 640, where the sockets themselves cost more than the queue did.)
 */
const SHARED_POOL_CONNECTIONS = 256;

/** The process-wide pool used by clients not given their own (shared lanes, admin calls). */
export function sharedPool(): Agent {
  shared ??= createPool({ connections: SHARED_POOL_CONNECTIONS });
  return shared;
}

/** Closes the process-wide pool (shutdown, tests). */
export async function closeSharedPool(): Promise<void> {
  const pool = shared;
  shared = null;
  if (pool) {
    await pool.close();
  }
}

export interface GraphRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  accessToken: string;
  dispatcher: Dispatcher;
  timeoutMs: number;
  json?: unknown;
  form?: FormData;
  /** Raw bytes (the Resumable Upload API), with the extra headers that describe them. */
  bytes?: { body: Uint8Array; headers: Record<string, string> };
  /** `OAuth` for the Resumable Upload API, as Meta documents it; `Bearer` otherwise. */
  authScheme?: 'Bearer' | 'OAuth';
}

// Connection failures that prove the request never reached the server: safe to send again.
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | null {
  let node: unknown = err;
  for (let depth = 0; depth < 4 && typeof node === 'object' && node !== null; depth++) {
    const code = (node as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    node = (node as { cause?: unknown }).cause;
  }
  return null;
}

/** A failure with no HTTP answer: always 'retry', code 0; `outcomeUnknown` unless it provably never left. */
export function networkError(err: unknown, method: string): GraphApiError {
  const code = errorCode(err);
  const name = err instanceof Error ? err.name : '';
  const timedOut = name === 'TimeoutError' || name === 'AbortError' || (code ?? '').includes('TIMEOUT');
  const notSent = code !== null && NOT_SENT_CODES.has(code);
  return new GraphApiError({
    httpStatus: 0,
    code: 0,
    title: timedOut ? 'timeout' : 'network_error',
    message: timedOut ? 'Graph API call timed out' : `Graph API unreachable${code ? ` (${code})` : ''}`,
    outcomeUnknown: method !== 'GET' && !notSent,
  });
}

// `x-business-use-case-usage`: {"<id>": [{"estimated_time_to_regain_access": minutes, ...}]}.
function regainAccessMinutes(header: string | string[] | undefined): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (!text) {
    return undefined;
  }
  try {
    const usage: unknown = JSON.parse(text);
    let best: number | undefined;
    for (const list of Object.values(usage as Record<string, unknown>)) {
      for (const item of Array.isArray(list) ? list : []) {
        const minutes = (item as { estimated_time_to_regain_access?: unknown }).estimated_time_to_regain_access;
        if (typeof minutes === 'number' && minutes > (best ?? 0)) {
          best = minutes;
        }
      }
    }
    return best;
  } catch {
    return undefined;
  }
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** Turns a non-2xx answer into a GraphApiError from Meta's `{error: {...}}` body when there is one. */
export function httpError(status: number, bodyText: string, headers: Dispatcher.ResponseData['headers']): GraphApiError {
  let error: Record<string, unknown> | null = null;
  try {
    const parsed: unknown = JSON.parse(bodyText);
    const inner = (parsed as { error?: unknown } | null)?.error;
    if (typeof inner === 'object' && inner !== null) {
      error = inner as Record<string, unknown>;
    }
  } catch {
    error = null;
  }
  if (!error) {
    return new GraphApiError({ httpStatus: status, code: 0, title: `http_${status}`, message: `Graph API answered HTTP ${status}` });
  }
  const code = typeof error.code === 'number' ? error.code : Number(error.code ?? 0) || 0;
  const data = (error.error_data ?? {}) as Record<string, unknown>;
  const message = str(error.message) ?? `Graph API error ${code}`;
  return new GraphApiError({
    httpStatus: status,
    code,
    subcode: typeof error.error_subcode === 'number' ? error.error_subcode : null,
    type: str(error.type),
    title: str(error.error_user_title) ?? str(error.title) ?? message,
    message,
    details: str(data.details) ?? str(error.error_user_msg),
    fbtraceId: str(error.fbtrace_id),
    isTransient: error.is_transient === true,
    regainAccessMinutes: regainAccessMinutes(headers['x-business-use-case-usage']),
  });
}

function unexpected(status: number, what: string, method: string): GraphApiError {
  return new GraphApiError({
    httpStatus: status,
    code: 0,
    title: 'unexpected_response',
    message: `Graph API answered ${what}`,
    // A 200 we cannot read may still mean the message went out.
    outcomeUnknown: method !== 'GET',
  });
}

/** One Graph API call; resolves to the parsed JSON of a 2xx answer, else throws GraphApiError. */
export async function callGraph(req: GraphRequest): Promise<unknown> {
  const headers: Record<string, string> = {
    authorization: `${req.authScheme ?? 'Bearer'} ${req.accessToken}`,
    accept: 'application/json',
    'user-agent': USER_AGENT,
  };
  let body: string | FormData | Buffer | undefined;
  if (req.bytes) {
    Object.assign(headers, req.bytes.headers);
    body = Buffer.from(req.bytes.body.buffer, req.bytes.body.byteOffset, req.bytes.body.byteLength);
  } else if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.form) {
    body = req.form; // undici sets the multipart boundary
  }
  let res: Dispatcher.ResponseData;
  let text: string;
  // Not AbortSignal.timeout: its timer cannot be cancelled, so every call (a thousand a second on
  // a busy number) left one running for timeoutMs, firing an abort nobody listens to.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException('The operation timed out.', 'TimeoutError')), req.timeoutMs);
  try {
    res = await request(req.url, {
      method: req.method,
      headers,
      body,
      dispatcher: req.dispatcher,
      signal: abort.signal,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
    });
    text = await res.body.text();
  } catch (err) {
    throw networkError(err, req.method);
  } finally {
    clearTimeout(timer);
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    throw httpError(res.statusCode, text, res.headers);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw unexpected(res.statusCode, 'a body that is not JSON', req.method);
  }
}

/** Throws the GraphApiError for a 2xx answer whose JSON does not have the documented shape. */
export function unexpectedShape(what: string, method: string): GraphApiError {
  return unexpected(200, `an unexpected ${what} body`, method);
}

export interface DownloadRequest {
  url: string;
  accessToken: string;
  maxBytes: number;
  /** Idle time allowed while waiting for headers or between chunks. */
  idleTimeoutMs: number;
  /** Time allowed for the whole transfer. */
  totalTimeoutMs: number;
  /**
   * The pool to fetch a URL with. Called for the first URL and again for every redirect target,
   * so the caller's egress policy sees each hop; it throws to refuse one.
   */
  dispatcherFor: (url: URL) => Dispatcher;
  /** Redirects followed before giving up; default 3. */
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Passes bytes through and fails the stream as soon as more than `maxBytes` went by. */
function byteLimit(maxBytes: number, announced: number | null): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      callback(total > maxBytes ? new MediaTooLargeError(maxBytes, announced) : null, chunk);
    },
  });
}

/**
 * Opens a media URL (Bearer token required) and answers its body as a stream, which fails with
 * MediaTooLargeError past maxBytes. Redirects are followed here, one hop at a time, so each
 * target goes through `dispatcherFor` (undici follows none by itself); the token goes only to
 * the first URL's origin.
 */
export async function openDownload(req: DownloadRequest): Promise<Readable> {
  const first = new URL(req.url);
  let url = first;
  const signal = AbortSignal.timeout(req.totalTimeoutMs);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new GraphApiError({ httpStatus: 0, code: 0, title: 'invalid_url', message: 'media URL must be http(s)' });
    }
    const dispatcher = req.dispatcherFor(url);
    const headers: Record<string, string> = { 'user-agent': USER_AGENT };
    if (url.origin === first.origin) {
      headers.authorization = `Bearer ${req.accessToken}`;
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, { method: 'GET', headers, dispatcher, signal, headersTimeout: req.idleTimeoutMs, bodyTimeout: req.idleTimeoutMs });
    } catch (err) {
      // A connection the dispatcher refused (a blocked address) is no network failure to retry.
      if ((err as { permanent?: unknown }).permanent === true) {
        throw err;
      }
      throw networkError(err, 'GET');
    }
    const location = res.headers.location;
    if (REDIRECTS.has(res.statusCode) && typeof location === 'string') {
      await res.body.dump();
      if (hop >= (req.maxRedirects ?? 3)) {
        throw new GraphApiError({ httpStatus: res.statusCode, code: 0, title: 'too_many_redirects', message: 'media URL redirected too many times' });
      }
      url = new URL(location, url);
      continue;
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      const text = await res.body.text().catch(() => '');
      throw httpError(res.statusCode, text, res.headers);
    }
    const announced = Number(res.headers['content-length']);
    if (Number.isFinite(announced) && announced > req.maxBytes) {
      res.body.destroy();
      throw new MediaTooLargeError(req.maxBytes, announced);
    }
    const limited = byteLimit(req.maxBytes, Number.isFinite(announced) ? announced : null);
    // pipeline destroys both sides on an error of either (a reset connection, the limit).
    pipeline(res.body, limited, () => undefined);
    return limited;
  }
}

/** Reads a media URL whole into memory (bounded files only: tools and tests); see openDownload. */
export async function download(req: DownloadRequest): Promise<Buffer> {
  const body = await openDownload(req);
  try {
    return await streamToBuffer(body);
  } catch (err) {
    if (err instanceof MediaTooLargeError) {
      throw err;
    }
    throw networkError(err, 'GET');
  }
}
