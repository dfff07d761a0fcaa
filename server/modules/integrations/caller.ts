// The one HTTP call a bot lookup makes, while the customer waits: one attempt (no retries on the
// hot path), a total deadline of at most 2 s, no redirects, JSON only and at most 64 KB of it.
// Every outcome is counted (switchboard_integration_calls_total) and none of them throws.
import { Agent, request, type Dispatcher } from 'undici';
import type { Metrics } from '../../lib/metrics';
import { isPublicAddress, publicOnlyAgent } from '../../lib/netGuard';

/** What runLookup answers (the contract auto-reply rules call). */
export type LookupResult = { ok: true; text: string } | { ok: false; reason: 'timeout' | 'http_error' | 'bad_response' | 'unknown_integration' | 'disabled' };
export type LookupFailure = Extract<LookupResult, { ok: false }>['reason'];

/** A result with what the "Test" button shows: the status and a short reason (never a header value). */
export type CallOutcome = LookupResult & { status?: number; detail?: string };

/** Everything needed to make the call, templates already filled. */
export type PreparedCall = {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | null;
  timeoutMs: number;
};

// An answer is a few fields for one customer; anything bigger is not what the template expects.
export const RESPONSE_MAX_BYTES = 64 * 1024;
// The issue's budget: the customer is waiting, and a person takes over when it is spent.
export const MAX_TIMEOUT_MS = 2000;
const USER_AGENT = 'Switchboard-Lookup/1.0';
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Drops an answer's body unread (destroying it would otherwise raise an AbortError nobody waits for). */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

/** Where integrations may call, and the connection pools they call through. */
export class IntegrationHttp {
  private guarded: Agent | null = null;
  private loopback: Agent | null = null;

  constructor(
    /** http(s) to localhost / 127.0.0.1 / ::1 too (tests and the sandbox; never in production). */
    readonly allowLoopback: boolean,
    private readonly metrics: Metrics,
  ) {}

  /** Why a filled URL may not be called, or null: https to a public host, or loopback when allowed. */
  urlRefusal(value: string): string | null {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return 'is not a valid URL';
    }
    if (url.username || url.password) {
      return 'must not hold a user name or password';
    }
    if (LOOPBACK_HOSTS.has(url.hostname)) {
      return this.allowLoopback && (url.protocol === 'http:' || url.protocol === 'https:')
        ? null
        : 'may not be this machine (INTEGRATIONS_ALLOW_LOOPBACK is off)';
    }
    if (url.protocol !== 'https:') {
      return 'must use https://';
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // An address literal is connected to without a lookup, so it is checked here.
    if ((/^[\d.]+$/.test(host) || host.includes(':')) && !isPublicAddress(host)) {
      return 'must be a public address, not a private or reserved one';
    }
    return null;
  }

  private dispatcherFor(url: URL): Dispatcher {
    if (LOOPBACK_HOSTS.has(url.hostname)) {
      this.loopback ??= new Agent({ connections: 8, keepAliveTimeout: 10_000 });
      return this.loopback;
    }
    // Resolved names are checked on the address connected to, so DNS cannot point it inward.
    this.guarded ??= publicOnlyAgent({ connections: 32 });
    return this.guarded;
  }

  /** Makes the call and reads the JSON answer; never throws. */
  async call(prepared: PreparedCall): Promise<{ ok: true; json: unknown; status: number } | Extract<CallOutcome, { ok: false }>> {
    const outcome = await this.attempt(prepared);
    this.metrics.integrationCalls.inc({ outcome: outcome.ok ? 'ok' : outcome.reason });
    return outcome;
  }

  private async attempt(prepared: PreparedCall): Promise<{ ok: true; json: unknown; status: number } | Extract<CallOutcome, { ok: false }>> {
    const refusal = this.urlRefusal(prepared.url);
    if (refusal) {
      return { ok: false, reason: 'http_error', detail: `The URL ${refusal}.` };
    }
    const timeoutMs = Math.min(prepared.timeoutMs, MAX_TIMEOUT_MS);
    // One deadline for the whole exchange: connecting, headers and body.
    const signal = AbortSignal.timeout(timeoutMs);
    const url = new URL(prepared.url);
    try {
      const res = await request(url, {
        method: prepared.method,
        dispatcher: this.dispatcherFor(url),
        signal,
        headers: {
          'user-agent': USER_AGENT,
          accept: 'application/json',
          ...(prepared.body !== null ? { 'content-type': 'application/json' } : {}),
          ...prepared.headers,
        },
        body: prepared.body ?? undefined,
      });
      if (res.statusCode < 200 || res.statusCode > 299) {
        discard(res.body);
        // Redirects are not followed: a lookup goes where its admin said, and nowhere else.
        return { ok: false, reason: 'http_error', status: res.statusCode, detail: `HTTP ${res.statusCode}` };
      }
      const type = String(res.headers['content-type'] ?? '');
      if (!JSON_TYPE.test(type)) {
        discard(res.body);
        return { ok: false, reason: 'bad_response', status: res.statusCode, detail: `The answer is not JSON (${type.split(';')[0] || 'no content type'}).` };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > RESPONSE_MAX_BYTES) {
          discard(res.body);
          return { ok: false, reason: 'bad_response', status: res.statusCode, detail: `The answer is larger than ${RESPONSE_MAX_BYTES / 1024} KB.` };
        }
        chunks.push(chunk as Buffer);
      }
      try {
        return { ok: true, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown, status: res.statusCode };
      } catch {
        return { ok: false, reason: 'bad_response', status: res.statusCode, detail: 'The answer is not valid JSON.' };
      }
    } catch (err) {
      if (signal.aborted) {
        return { ok: false, reason: 'timeout', detail: `No complete answer within ${timeoutMs} ms.` };
      }
      const code = (err as { code?: unknown }).code;
      return { ok: false, reason: 'http_error', detail: `The call failed${typeof code === 'string' ? ` (${code})` : ''}.` };
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.guarded?.close(), this.loopback?.close()]);
  }
}
