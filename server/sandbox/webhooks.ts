import { createHmac, randomInt } from 'node:crypto';
import type { Logger } from '../lib/logger';
import type { SandboxState, Scheduler } from './state';

/**
 * Meta retries a notification that did not get a 2xx: immediately, then with back-off (for up to
 * 36 hours live). The sandbox keeps the shape with short delays and a cap on attempts.
 */
export const DEFAULT_RETRY_DELAYS_MS = [0, 1000, 5000, 30_000, 120_000];
/** Webhook POSTs in flight at once; further ones wait their turn (Meta also limits concurrency). */
const MAX_IN_FLIGHT = 64;

/**
 * JSON as Meta serializes what it signs: every non-ASCII character (each UTF-16 unit, so an emoji
 * is a surrogate pair) and '/' escaped as \uXXXX or \/. Receivers must verify the signature over
 * the bytes as received, never over a re-serialization.
 */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/');
}

/** `sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with the app secret>`. */
export function signatureHeader(body: Buffer | string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** `{object: 'whatsapp_business_account', entry: [{id: wabaId, changes: [{field, value}]}]}`. */
export function envelope(wabaId: string, changes: Array<{ field: string; value: unknown }>, time?: number): Record<string, unknown> {
  const entry: Record<string, unknown> = { id: wabaId };
  if (time !== undefined) {
    entry.time = time;
  }
  entry.changes = changes.map((c) => ({ value: c.value, field: c.field }));
  return { object: 'whatsapp_business_account', entry: [entry] };
}

type Job = { body: Buffer; signature: string; attempt: number; label: string };

/** Posts signed notifications to the app, retrying failures on Meta's schedule, and counts the outcome. */
export class WebhookDispatcher {
  private inFlight = 0;
  private readonly queue: Job[] = [];

  constructor(
    private readonly url: string,
    private readonly retryDelaysMs: number[],
    private readonly timeoutMs: number,
    private readonly state: SandboxState,
    private readonly scheduler: Scheduler,
    private readonly log?: Logger,
  ) {}

  /** Serializes, signs and queues one notification. */
  send(payload: unknown, appSecret: string, label: string): void {
    const body = Buffer.from(metaJson(payload), 'utf8');
    this.state.counters.webhooks.pending += 1;
    this.enqueue({ body, signature: signatureHeader(body, appSecret), attempt: 0, label });
  }

  private enqueue(job: Job): void {
    if (this.scheduler.isClosed) {
      return;
    }
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.queue.push(job);
      return;
    }
    this.inFlight += 1;
    void this.attempt(job).finally(() => {
      this.inFlight -= 1;
      const next = this.queue.shift();
      if (next) {
        this.enqueue(next);
      }
    });
  }

  private async attempt(job: Job): Promise<void> {
    const stats = this.state.counters.webhooks;
    let status = 0;
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': job.signature,
          'user-agent': 'facebookexternalua',
        },
        body: job.body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      this.log?.debug({ err: (err as Error).message, label: job.label }, 'sandbox webhook attempt failed');
    }
    if (status >= 200 && status < 300) {
      stats.delivered += 1;
      stats.pending -= 1;
      return;
    }
    stats.failed += 1;
    const delay = this.retryDelaysMs[job.attempt];
    if (delay === undefined || this.scheduler.isClosed) {
      stats.abandoned += 1;
      stats.pending -= 1;
      this.log?.warn({ label: job.label, attempts: job.attempt + 1, status }, 'sandbox webhook abandoned');
      return;
    }
    stats.retried += 1;
    this.scheduler.after(delay, () => this.enqueue({ ...job, attempt: job.attempt + 1 }));
  }
}

/**
 * The subscription check Meta makes when a callback URL is configured: a GET with hub.mode,
 * hub.verify_token and hub.challenge, which the app must answer 200 with the challenge as the body.
 */
export async function verifySubscription(url: string, verifyToken: string, timeoutMs: number): Promise<{ ok: boolean; status: number }> {
  const challenge = String(randomInt(1, 2 ** 31));
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.verify_token', verifyToken);
  target.searchParams.set('hub.challenge', challenge);
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    return { ok: res.status === 200 && body.trim() === challenge, status: res.status };
  } catch {
    return { ok: false, status: 0 };
  }
}
