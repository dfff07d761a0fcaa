// Fixtures that broadcast tests share: contacts written in bulk, a label to make a segment of
// them, an approved template, and waiting for a broadcast's progress.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../server/db/knex';
import { createSandbox } from '../../server/sandbox';
import type { Sandbox, SandboxNumber, SandboxOptions } from '../../server/sandbox/types';
import { newId } from '../../server/lib/ids';
import type { ApiClient } from './client';
import { eventually } from './eventually';

export type ContactSeed = { waId: string; name?: string | null; country?: string | null; language?: string | null; optState?: 'in' | 'out' | 'unknown'; attributes?: Record<string, unknown> };

/** Writes contacts straight to the table (in batches), all with a new label; returns the label id. */
export async function seedContacts(db: Db, contacts: ContactSeed[]): Promise<{ labelId: string; ids: string[] }> {
  const labelId = newId();
  await db('labels').insert({ id: labelId, name: `audience ${labelId}` });
  const rows = contacts.map((c) => ({
    id: newId(), wa_id: c.waId, profile_name: c.name ?? null, country: c.country ?? null, language: c.language ?? null,
    opt_state: c.optState ?? 'in', attributes: JSON.stringify(c.attributes ?? {}), label_ids: [labelId],
  }));
  for (let i = 0; i < rows.length; i += 1000) {
    await db('contacts').insert(rows.slice(i, i + 1000));
  }
  return { labelId, ids: rows.map((r) => r.id) };
}

/** A saved segment of the contacts carrying a label. */
export async function segmentOf(admin: ApiClient, labelId: string): Promise<string> {
  const res = await admin.post('/api/v1/segments', { name: `segment ${labelId}`, filter: { labels: { any: [labelId] } } });
  if (res.status !== 201) {
    throw new Error(`segment: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body.segment.id as string;
}

/** Submits a template through the panel and waits for the sandbox to approve it; returns its id. */
export async function approvedTemplate(admin: ApiClient, channelId: string, body: Record<string, unknown>): Promise<string> {
  const created = await admin.post('/api/v1/templates', { channelId, language: 'en_US', ...body });
  if (created.status !== 201) {
    throw new Error(`template: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return eventually(`${String(body.name)} approved`, async () => {
    const items = (await admin.get(`/api/v1/templates?channelId=${channelId}`)).body.items as Array<{ id: string; name: string; status: string; bodyText: string | null }>;
    return items.find((t) => t.name === body.name && t.status === 'APPROVED' && t.bodyText)?.id;
  }, 15_000);
}

export type Progress = {
  total: number; pending: number; queued: number; sent: number; delivered: number; read: number; failed: number; cancelled: number;
  failedByCode: Array<{ code: string; count: number }>; excluded: { opted_out: number; no_marketing_opt_in: number; restricted: number; lexicon_blocked: number };
};

/**
 * Polls a broadcast until `done` holds for it, every two seconds as the UI does (counting a big
 * broadcast's progress is a query worth not repeating 20 times a second).
 */
export async function broadcastWhen(admin: ApiClient, id: string, what: string, done: (b: { status: string; progress: Progress }) => boolean, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await admin.get(`/api/v1/broadcasts/${id}`);
    if (res.status === 200 && done(res.body.broadcast)) {
      return res.body.broadcast as { status: string; progress: Progress };
    }
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${what}; last answer: ${JSON.stringify(res.body)}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** A free loopback port, so a sandbox can be told where the app (started after it) will listen. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** One sandbox number for broadcast tests, at a given throughput (Meta's default is 80 messages/s). */
export function broadcastNumber(throughputMps: number): SandboxNumber {
  return {
    phoneNumberId: '106540352249001', wabaId: '419561257919001', displayNumber: '+1 555-010-9001', verifiedName: 'Broadcast Shop',
    accessToken: 'token-broadcast', appSecret: 'secret-broadcast', throughputMps,
  };
}

/** A sandbox on its own port whose webhooks go to the app that will listen on `appPort`; fast statuses, batched. */
export async function startSandboxPeer(appPort: number, number: SandboxNumber, overrides: Partial<SandboxOptions> = {}): Promise<{ sandbox: Sandbox; url: string; origin: string; close: () => Promise<void> }> {
  const sandbox = createSandbox({
    numbers: [number],
    webhookUrl: `http://127.0.0.1:${appPort}/webhooks/whatsapp`,
    statusDelaysMs: { sent: 20, delivered: 100, read: 200 },
    autoRead: false,
    templateReviewMs: 50,
    // Meta batches status changes under load; so does the sandbox here, as in the send benchmark.
    statusBatch: { windowMs: 100, maxChanges: 1000 },
    webhookRetry: { delaysMs: [200, 500, 1000, 2000, 4000, 8000] },
    ...overrides,
  });
  const server = await sandbox.listen(0);
  return { sandbox, url: server.url, origin: new URL(server.url).origin, close: () => sandbox.close() };
}

/** Adds the sandbox number as a channel of the app, its tier unlimited (every recipient is new). */
export async function addSandboxChannel(admin: ApiClient, db: Db, peer: { url: string }, number: SandboxNumber): Promise<string> {
  const res = await admin.post('/api/v1/channels', {
    name: number.verifiedName, phoneNumberId: number.phoneNumberId, wabaId: number.wabaId, displayNumber: number.displayNumber,
    graphBaseUrl: `${peer.url}/graph`, accessToken: number.accessToken, appSecret: number.appSecret, verifyToken: 'verify-broadcast',
    throughputMps: number.throughputMps ?? 80,
  });
  if (res.status !== 201) {
    throw new Error(`channel: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await db('channels').where({ id: res.body.channel.id }).update({ messaging_tier: 'TIER_UNLIMITED' });
  return res.body.channel.id as string;
}
