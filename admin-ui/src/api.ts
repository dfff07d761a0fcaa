/**
 * Fetch wrapper for `/api/v1`: cookie session, CSRF header on every mutation, JSON in and
 * out, and one typed error for everything that is not a 2xx.
 */

const BASE = '/api/v1';
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Error ids the UI produces itself, next to the server's snake_case ids. */
export const NETWORK_ERROR = 'network_error';
export const BAD_RESPONSE = 'bad_response';

/** An API failure: `{ error: { id, message, details } }`, or a transport failure. */
export class ApiError extends Error {
  readonly status: number;
  readonly id: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, id: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.id = id;
    this.details = details;
  }
}

/** Marks a request the panel made by itself (live updates, polling): the server does not count it as the user's activity. */
const BACKGROUND_HEADER = 'x-switchboard-background';
let backgroundDepth = 0;

/**
 * Runs `start`, marking as background every API request it starts synchronously (before its
 * first await; `request` reads the mark at once), so an unattended tab still times out.
 */
export function inBackground<T>(start: () => T): T {
  backgroundDepth += 1;
  try {
    return start();
  } finally {
    backgroundDepth -= 1;
  }
}

let csrfToken: string | null = null;
let acceptLanguage = 'en';
/** Why the session can no longer be used as it is. */
export type SessionProblem = 'unauthenticated' | 'idle_timeout' | 'password_change_required';

type SessionProblemHandler = (problem: SessionProblem, details?: Record<string, unknown>) => void;
let sessionProblemHandler: SessionProblemHandler | null = null;
let csrfRefresher: (() => Promise<void>) | null = null;

/** Remembers the CSRF token from the login or session response (null after logout). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Sends the UI language so the server may localise its error messages. */
export function setApiLanguage(lang: string): void {
  acceptLanguage = lang;
}

/**
 * Called on a 401 outside the login call (session expired or revoked), and on a 403
 * `password_change_required` (a reset happened while signed in).
 */
export function onSessionProblem(handler: SessionProblemHandler | null): void {
  sessionProblemHandler = handler;
}

/** The server ended the session (a 401, or the live-events stream's `session.ended`): idle or otherwise. */
export function reportSessionEnded(details: unknown): void {
  const record = isRecord(details) ? details : {};
  sessionProblemHandler?.(record.reason === 'idle_timeout' ? 'idle_timeout' : 'unauthenticated', record);
}

/** Re-reads the CSRF token (from the session) when the server says ours is stale. */
export function setCsrfRefresher(refresher: (() => Promise<void>) | null): void {
  csrfRefresher = refresher;
}

type Query = Record<string, string | number | null | undefined>;

/** Builds `?a=1&b=2`, leaving out empty values. */
export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const error = isRecord(body) ? body.error : undefined;
  if (isRecord(error) && typeof error.id === 'string') {
    const message = typeof error.message === 'string' ? error.message : error.id;
    const details = isRecord(error.details) ? error.details : {};
    return new ApiError(status, error.id, message, details);
  }
  return new ApiError(status, BAD_RESPONSE, `HTTP ${status}`);
}

/**
 * Calls the API and returns the parsed JSON body (undefined for 204).
 * The result type is the caller's statement of the server contract; it is not validated.
 * A `FormData` body is sent as multipart (the browser sets the boundary); anything else as JSON.
 */
export async function request<T>(method: string, path: string, body?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = {
    accept: 'application/json',
    'accept-language': acceptLanguage,
  };
  if (backgroundDepth > 0) {
    headers[BACKGROUND_HEADER] = '1';
  }
  const multipart = body instanceof FormData;
  if (body !== undefined && !multipart) {
    headers['content-type'] = 'application/json';
  }
  if (MUTATING.has(method) && csrfToken) {
    headers['x-csrf-token'] = csrfToken;
  }
  let res: Response;
  try {
    res = await fetch(`${BASE}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? null : multipart ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, NETWORK_ERROR, 'Network error');
  }
  const parsed = await readBody(res);
  if (!res.ok) {
    const error = toApiError(res.status, parsed);
    // The session's token rotated under us (e.g. another tab signed in again): fetch it, retry once.
    if (error.id === 'csrf_failed' && !retried && csrfRefresher) {
      await csrfRefresher();
      return request<T>(method, path, body, true);
    }
    // A failed login, or a wrong current password on the password page, is an answer to show, not an expired session.
    if (res.status === 401 && path !== '/auth/login' && error.id !== 'invalid_credentials') {
      reportSessionEnded(error.details);
    } else if (error.id === 'password_change_required') {
      sessionProblemHandler?.('password_change_required');
    }
    throw error;
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  del: <T>(path: string) => request<T>('DELETE', path),
  /** Multipart upload (e.g. a file in field `file`). */
  upload: <T>(path: string, form: FormData) => request<T>('POST', path, form),
};
