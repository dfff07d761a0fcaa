import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandbox } from './index';
import type { Sandbox, SandboxNumber, SandboxOptions } from './types';

export type ReceivedWebhook = {
  raw: Buffer;
  json: { object: string; entry: Array<{ id: string; time?: number; changes: Array<{ field: string; value: Record<string, unknown> }> }> };
  headers: IncomingHttpHeaders;
  /** The HMAC over the raw bytes matched one of the receiver's app secrets. */
  signatureValid: boolean;
  /** The status this receiver answered. */
  answered: number;
};

export type WebhookReceiver = {
  url: string;
  received: ReceivedWebhook[];
  /** Waits until `predicate` holds for some received webhook (or for the list), else rejects. */
  waitFor<T>(find: (received: ReceivedWebhook[]) => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
};

/**
 * A webhook endpoint for tests and local tooling: answers the GET subscription check when given a
 * verify token, records every POST with its raw bytes and checks
 * `X-Hub-Signature-256` over those bytes (timing-safe), as an app must. `respond` picks the status
 * for the n-th request (0-based), e.g. to make the sandbox retry.
 */
export async function startWebhookReceiver(options: { appSecrets: string[]; verifyToken?: string; respond?: (n: number, raw: Buffer) => number }): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let count = 0;
  const server = createServer((req, res) => {
    if (req.method === 'GET') {
      // The subscription check: the challenge back when the verify token matches, else 403.
      const query = new URL(req.url ?? '/', 'http://receiver').searchParams;
      const ok = query.get('hub.mode') === 'subscribe' && query.get('hub.verify_token') === options.verifyToken;
      res.statusCode = ok ? 200 : 403;
      res.end(ok ? query.get('hub.challenge') : '');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const header = String(req.headers['x-hub-signature-256'] ?? '');
      const given = Buffer.from(header.replace(/^sha256=/, ''), 'hex');
      const signatureValid =
        header.startsWith('sha256=') &&
        options.appSecrets.some((secret) => {
          const expected = createHmac('sha256', secret).update(raw).digest();
          return expected.length === given.length && timingSafeEqual(expected, given);
        });
      const answered = options.respond ? options.respond(count, raw) : 200;
      count += 1;
      let json: ReceivedWebhook['json'];
      try {
        json = JSON.parse(raw.toString('utf8')) as ReceivedWebhook['json'];
      } catch {
        json = { object: '', entry: [] };
      }
      received.push({ raw, json, headers: req.headers, signatureValid, answered });
      res.statusCode = answered;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/whatsapp`,
    received,
    async waitFor(find, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = find(received);
        if (result !== undefined && result !== false) {
          return result;
        }
        if (Date.now() > deadline) {
          throw new Error(`No matching webhook within ${timeoutMs} ms (${received.length} received)`);
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every `value` of every change of the received webhooks, with its field. */
export function changesOf(received: ReceivedWebhook[]): Array<{ field: string; value: Record<string, unknown>; hook: ReceivedWebhook }> {
  return received.flatMap((hook) => hook.json.entry.flatMap((e) => e.changes.map((c) => ({ field: c.field, value: c.value, hook }))));
}

/** A status as status webhooks carry it. */
export type StatusEntry = {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  conversation?: { id: string; expiration_timestamp?: string; origin: { type: string } };
  pricing?: { billable: boolean; pricing_model: string; category: string; type: string };
  errors?: Array<{ code: number; title: string; message: string; error_data: { details: string } }>;
  biz_opaque_callback_data?: string;
};

/** The statuses received for a wamid, in arrival order. */
export function statusesOf(received: ReceivedWebhook[], wamid: string): StatusEntry[] {
  return changesOf(received)
    .flatMap((c) => (c.value.statuses ?? []) as StatusEntry[])
    .filter((s) => s.id === wamid);
}

/** The inbound messages received, in arrival order. */
export function messagesOf(received: ReceivedWebhook[]): Array<Record<string, unknown>> {
  return changesOf(received).flatMap((c) => (c.value.messages ?? []) as Array<Record<string, unknown>>);
}

/** Two numbers of one WABA and one of another, with distinct credentials. */
export const TEST_NUMBERS: SandboxNumber[] = [
  { phoneNumberId: '106540352242922', wabaId: '419561257915477', displayNumber: '+1 555-078-3881', verifiedName: 'Sandbox Shop', accessToken: 'token-shop', appSecret: 'secret-shop' },
  { phoneNumberId: '106540352242923', wabaId: '419561257915477', displayNumber: '+1 555-078-3882', verifiedName: 'Sandbox Shop Support', accessToken: 'token-shop-2', appSecret: 'secret-shop' },
  { phoneNumberId: '207650463353033', wabaId: '520672368026588', displayNumber: '+33 6 12 34 56 78', verifiedName: 'Boutique', accessToken: 'token-boutique', appSecret: 'secret-boutique', appId: '400000000000002' },
];

export type GraphInit = { token?: string | null; json?: unknown; body?: string | FormData | Uint8Array; headers?: Record<string, string> };

export type TestBed = {
  sandbox: Sandbox;
  receiver: WebhookReceiver;
  /** The standalone server's URL; the Graph API is under `${url}/graph`. */
  url: string;
  /** Calls the Graph API (version v23.0 unless the path starts with /v). */
  graph(method: string, path: string, init?: GraphInit): Promise<{ status: number; json: unknown; raw: string }>;
  close(): Promise<void>;
};

/** A sandbox on an ephemeral port with a receiver for its webhooks (fast statuses unless overridden). */
export async function startTestBed(overrides: Partial<SandboxOptions> = {}, respond?: (n: number, raw: Buffer) => number): Promise<TestBed> {
  const numbers = overrides.numbers ?? TEST_NUMBERS;
  const receiver = await startWebhookReceiver({ appSecrets: [...new Set(numbers.map((n) => n.appSecret))], respond });
  const sandbox = createSandbox({
    webhookUrl: receiver.url,
    statusDelaysMs: { sent: 5, delivered: 20, read: 40 },
    templateReviewMs: 50,
    webhookRetry: { delaysMs: [0, 50, 100] },
    ...overrides,
    numbers,
  });
  const server = await sandbox.listen(0);
  return {
    sandbox,
    receiver,
    url: server.url,
    async graph(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const token = init.token === undefined ? numbers[0]!.accessToken : init.token;
      if (token !== null) {
        headers.authorization = `Bearer ${token}`;
      }
      let body = init.body;
      if (init.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(init.json);
      }
      const res = await fetch(`${server.url}/graph${path.startsWith('/v') ? '' : '/v23.0'}${path}`, { method, headers, body });
      const raw = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, raw };
    },
    async close() {
      await sandbox.close();
      await receiver.close();
    },
  };
}
