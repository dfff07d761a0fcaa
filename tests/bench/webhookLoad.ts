/**
 * Helpers shared by the webhook benches (webhook.bench.ts, roundtrip.bench.ts): the app with
 * one WhatsApp number, signed one-message notifications with unique wamids, a ledger of what
 * was sent and acknowledged, and the row count that proves nothing was lost or doubled.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type autocannon from 'autocannon';
import { createDb, type Db } from '../../server/db/knex';
import { projectRoot } from '../../server/lib/paths';
import { sign } from '../../server/whatsapp/signature';
import { CONFIG_ENV } from './servers/child';
import { WEBHOOK_PATH } from './servers/webhookProtocol';
import { forkServer, progress, signInBootstrapAdmin, type BenchDatabase, type ChildServer } from './support';

export { WEBHOOK_PATH } from './servers/webhookProtocol';

/** The app's default DATABASE_POOL_MAX; the baseline gets a pool of the same size. */
export const POOL_MAX = 20;

/** A random string of digits (phone number and WABA ids are digits only). */
function digits(n: number): string {
  let out = String(1 + (randomBytes(1)[0]! % 9));
  while (out.length < n) {
    out += String(randomBytes(1)[0]! % 10);
  }
  return out;
}

export type WebhookChannel = { phoneNumberId: string; wabaId: string; displayPhoneNumber: string; appSecret: string };

/** A WhatsApp number for one bench run: random ids and secrets. */
export function benchChannel(): WebhookChannel {
  return { phoneNumberId: digits(15), wabaId: digits(15), displayPhoneNumber: '15550100', appSecret: randomBytes(24).toString('hex') };
}

export type SignedWebhook = { seq: number; wamid: string; text: string; body: Buffer; signature: string };

/**
 * Signed one-message notifications, each with its own wamid and text (`<prefix> <seq>`), from
 * `contacts` customers in turn: concurrent requests come from different customers, as real
 * traffic does, rather than all queueing on one conversation row.
 */
export class WebhookFactory {
  readonly runId = randomBytes(5).toString('hex');
  private seq = 0;

  constructor(
    private readonly channel: WebhookChannel,
    private readonly contacts = 1000,
  ) {}

  /** How many notifications were made so far. */
  get made(): number {
    return this.seq;
  }

  /** True when this factory made the wamid. */
  owns(wamid: string): boolean {
    return wamid.startsWith(`wamid.bench.${this.runId}.`);
  }

  textOf(seq: number): string {
    return `bench ${this.runId} message ${seq}`;
  }

  /** The next notification, signed with the channel's app secret (or `secret`, to forge one). */
  next(secret = this.channel.appSecret): SignedWebhook {
    const seq = (this.seq += 1);
    const wamid = `wamid.bench.${this.runId}.${seq}`;
    const text = this.textOf(seq);
    const contact = seq % this.contacts;
    const waId = `1555${String(contact).padStart(7, '0')}`;
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: this.channel.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: this.channel.displayPhoneNumber, phone_number_id: this.channel.phoneNumberId },
                contacts: [{ profile: { name: `Customer ${contact}` }, wa_id: waId }],
                messages: [{ from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: text } }],
              },
            },
          ],
        },
      ],
    };
    const body = Buffer.from(JSON.stringify(payload));
    return { seq, wamid, text, body, signature: sign(body, secret) };
  }
}

/** What the server answered, per wamid: the 2xx set (for the loss check) and the rest by status. */
export class Ledger {
  readonly acked = new Set<string>();
  readonly rejected = new Map<string, number>();
  answered = 0;

  record(status: number, wamid: string | undefined): void {
    if (!wamid) {
      return;
    }
    this.answered += 1;
    if (status >= 200 && status < 300) {
      this.acked.add(wamid);
    } else {
      this.rejected.set(wamid, status);
    }
  }
}

/**
 * autocannon options for a webhook load: every request (on every connection) takes the next
 * notification from the factory, so each wamid is sent once, and every answer is recorded in
 * the ledger. With pipelining 1, the context at response time is the one of the request in
 * flight on that connection (autocannon resets it before each new request).
 */
export function webhookLoadOptions(factory: WebhookFactory, ledger: Ledger): Omit<autocannon.Options, 'url' | 'headers' | 'connections' | 'duration'> {
  type Ctx = { wamid?: string };
  return {
    method: 'POST',
    pipelining: 1,
    requests: [
      {
        method: 'POST',
        path: WEBHOOK_PATH,
        setupRequest: (req, context) => {
          const m = factory.next();
          (context as Ctx).wamid = m.wamid;
          return {
            ...req,
            method: 'POST',
            path: WEBHOOK_PATH,
            headers: { ...req.headers, 'content-type': 'application/json', 'x-hub-signature-256': m.signature },
            body: m.body,
          };
        },
        onResponse: (status, _body, context) => ledger.record(status, (context as Ctx).wamid),
      },
    ],
  };
}

/** Sends one notification by hand (not timed) and records the answer. */
export async function postWebhook(baseUrl: string, m: SignedWebhook, ledger?: Ledger): Promise<number> {
  const res = await fetch(baseUrl + WEBHOOK_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': m.signature },
    body: m.body,
  });
  await res.arrayBuffer();
  ledger?.record(res.status, m.wamid);
  return res.status;
}

export type AppWithChannel = { app: ChildServer; cookie: string; csrfToken: string; channel: WebhookChannel };

/** The app config the webhook benches use: web role, no sandbox, quiet logs, the default pool size. */
export function appConfig(urls: BenchDatabase['appUrls']): Record<string, string> {
  return {
    [CONFIG_ENV]: JSON.stringify({
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      ...urls,
      DATABASE_POOL_MAX: String(POOL_MAX),
      SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
      SWITCHBOARD_ROLE: 'web',
      SWITCHBOARD_SANDBOX: 'false',
      LOG_LEVEL: 'warn',
    }),
  };
}

/**
 * Starts the app in a child process on a fresh database, signs the bootstrap admin in and adds
 * one WhatsApp number. The child is pushed onto `servers` as soon as it runs, so the caller's
 * cleanup stops it whatever fails afterwards.
 */
export async function startAppWithChannel(database: BenchDatabase, servers: ChildServer[]): Promise<AppWithChannel> {
  const app = await forkServer('switchboard', appConfig(database.appUrls));
  servers.push(app);
  const bootstrap = (app.info as { bootstrap?: { email: string; password: string } | null } | null)?.bootstrap;
  if (!bootstrap) {
    throw new Error('the app did not create a bootstrap admin (is the database not empty?)');
  }
  const cookie = await signInBootstrapAdmin(app.url, bootstrap);
  const me = await fetch(`${app.url}/api/v1/me`, { headers: { cookie } });
  const meBody = (await me.json()) as { csrfToken?: string };
  if (me.status !== 200 || !meBody.csrfToken) {
    throw new Error(`GET /api/v1/me answered ${me.status} ${JSON.stringify(meBody)}`);
  }
  const channel = benchChannel();
  const created = await fetch(`${app.url}/api/v1/channels`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': meBody.csrfToken },
    body: JSON.stringify({
      name: 'Bench number',
      phoneNumberId: channel.phoneNumberId,
      wabaId: channel.wabaId,
      displayNumber: '+1 555 0100',
      accessToken: randomBytes(16).toString('hex'),
      appSecret: channel.appSecret,
      verifyToken: randomBytes(12).toString('hex'),
    }),
  });
  if (created.status !== 201) {
    throw new Error(`POST /api/v1/channels answered ${created.status} ${await created.text()}`);
  }
  progress(`app ready at ${app.url} with number ${channel.phoneNumberId}`);
  return { app, cookie, csrfToken: meBody.csrfToken, channel };
}

/**
 * One notification with a good signature (must be 200) and one with a forged one (must be
 * 401), before the load: the setup really works, and the load will not measure error pages.
 */
export async function probeWebhook(baseUrl: string, factory: WebhookFactory, ledger: Ledger): Promise<{ goodStatus: number; forgedStatus: number; forgedWamid: string }> {
  const goodStatus = await postWebhook(baseUrl, factory.next(), ledger);
  const forged = factory.next(randomBytes(24).toString('hex'));
  const forgedStatus = await postWebhook(baseUrl, forged, ledger);
  if (goodStatus !== 200 || forgedStatus !== 401) {
    throw new Error(`webhook probe on ${baseUrl}: signed ${goodStatus} (want 200), forged ${forgedStatus} (want 401)`);
  }
  return { goodStatus, forgedStatus, forgedWamid: forged.wamid };
}

export type StoredCheck = {
  /** Requests made by the generator (warm-up, probes and measured rounds). */
  sent: number;
  /** Requests answered (any status); the rest were in flight when a round ended. */
  answered: number;
  acked2xx: number;
  /** Rows stored for this run's wamids. */
  stored: number;
  /** Acknowledged (2xx) but not stored: must be 0. */
  ackedNotStored: number;
  /** Stored but never answered: requests in flight when a round's time was up (autocannon abandons them). */
  storedUnanswered: number;
  /** Stored although answered with an error status: must be 0. */
  storedRejected: number;
  /** wamids stored more than once: must be 0. */
  duplicateWamids: number;
  /** Rows whose wamid this run never sent: must be 0. */
  foreignRows: number;
};

/**
 * Counts what the database holds against the ledger, once the server has finished the
 * requests still in flight when the load stopped (the row count stops moving).
 */
export async function checkStored(url: string, table: 'messages' | 'bench_inbound', factory: WebhookFactory, ledger: Ledger): Promise<StoredCheck> {
  const db: Db = createDb(url, 2);
  try {
    const where = table === 'messages' ? `WHERE direction = 'in'` : '';
    const count = async () => Number(((await db.raw(`SELECT count(*) AS n FROM ${table} ${where}`)) as { rows: Array<{ n: number }> }).rows[0]!.n);
    let last = await count();
    for (let i = 0; i < 40; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const now = await count();
      if (now === last) {
        break;
      }
      last = now;
    }
    const rows = ((await db.raw(`SELECT wamid FROM ${table} ${where}`)) as { rows: Array<{ wamid: string }> }).rows;
    const dup = (await db.raw(`SELECT wamid, count(*) AS n FROM ${table} ${where} GROUP BY wamid HAVING count(*) > 1`)) as { rows: unknown[] };
    const stored = new Set<string>();
    let foreignRows = 0;
    for (const { wamid } of rows) {
      if (!factory.owns(wamid)) {
        foreignRows += 1;
      }
      stored.add(wamid);
    }
    let ackedNotStored = 0;
    for (const wamid of ledger.acked) {
      if (!stored.has(wamid)) {
        ackedNotStored += 1;
      }
    }
    let storedUnanswered = 0;
    let storedRejected = 0;
    for (const wamid of stored) {
      if (ledger.rejected.has(wamid)) {
        storedRejected += 1;
      } else if (!ledger.acked.has(wamid)) {
        storedUnanswered += 1;
      }
    }
    return {
      sent: factory.made,
      answered: ledger.answered,
      acked2xx: ledger.acked.size,
      stored: rows.length,
      ackedNotStored,
      storedUnanswered,
      storedRejected,
      duplicateWamids: dup.rows.length,
      foreignRows,
    };
  } finally {
    await db.destroy();
  }
}

/** The stored rows account exactly for the acknowledgements: nothing lost, nothing doubled, nothing extra. */
export function storedChecks(c: StoredCheck): { noLoss: boolean; noDuplicates: boolean; storedMatchesAcks: boolean } {
  const unanswered = c.sent - c.answered;
  return {
    noLoss: c.ackedNotStored === 0 && c.acked2xx > 0,
    noDuplicates: c.duplicateWamids === 0,
    // stored = acked + (some of the requests abandoned in flight), and no row from elsewhere.
    storedMatchesAcks: c.storedRejected === 0 && c.foreignRows === 0 && c.storedUnanswered <= unanswered && c.stored === c.acked2xx + c.storedUnanswered,
  };
}

/** Busy cores of the whole machine between two samples (server, generator and PostgreSQL together). */
export function machineCpu(): () => { busyCores: number; cores: number } {
  const sample = () => os.cpus().reduce((acc, c) => {
    const t = c.times;
    acc.busy += t.user + t.nice + t.sys + t.irq;
    acc.total += t.user + t.nice + t.sys + t.irq + t.idle;
    return acc;
  }, { busy: 0, total: 0 });
  const before = sample();
  return () => {
    const after = sample();
    const cores = os.cpus().length;
    const total = after.total - before.total;
    return { busyCores: total > 0 ? Math.round(((after.busy - before.busy) / total) * cores * 100) / 100 : 0, cores };
  };
}

/** The p-th percentile (0-100) of a list of numbers, nearest rank; 0 for an empty list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return 0;
  }
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

// The bench cluster's postmaster writes its pid on the first line here (support.ts starts it).
const POSTMASTER_PID_FILE = path.join(projectRoot, '.data', 'bench', 'pg', 'postmaster.pid');
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) used so far by the bench cluster's PostgreSQL processes (the
 * postmaster and its children, so not other clusters on the machine), or null where /proc is
 * not readable. Backends that exited meanwhile are not counted; the app's pool keeps its own.
 */
export function clusterCpuSeconds(): number | null {
  try {
    const postmaster = Number(readFileSync(POSTMASTER_PID_FILE, 'utf8').split('\n')[0]);
    let ticks = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) {
        continue;
      }
      let stat: string;
      try {
        stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      } catch {
        continue;
      }
      // Fields after the command name (which may hold spaces): state ppid ... utime(14) stime(15).
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      if (Number(entry) === postmaster) {
        // The postmaster's own time, and that of backends that have exited (cutime, cstime).
        ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
      } else if (ppid === postmaster) {
        ticks += Number(fields[11]) + Number(fields[12]);
      }
    }
    return ticks / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}
