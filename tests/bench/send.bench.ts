/**
 * "One dedicated number sends at least 1,000 messages/s for 30 s, p99 outbox to accepted at or
 * under 100 ms; 20 numbers at 200/s each reach 3,000/s in total; the sandbox counts no limit
 * violation." The app runs in a child process (role all: web + sender); the sandbox Cloud API
 * runs in this process, so "accepted" (the sandbox's answer, with its wamid) and "queued" (the
 * outbox row committed) are read on one clock. Rows are queued open-loop at the number's rate
 * (each batch committed with a NOTIFY, as the app's own enqueue does); status webhooks flow
 * back to the app during the run, batched by the sandbox as Meta does under load.
 * The baseline is a bare HTTP client loop (undici, 64 connections) posting to a sandbox number.
 *
 * Knobs: BENCH_SEND_SECONDS (30), BENCH_SEND_RATE (1000), BENCH_SEND_MULTI_SECONDS (10),
 * BENCH_SEND_MULTI_NUMBERS (20), BENCH_SEND_MULTI_RATE (200), BENCH_SEND_BASELINE_SECONDS (5).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Pool } from 'undici';
import { createDb, type Db } from '../../server/db/knex';
import { newId } from '../../server/lib/ids';
import { createSandbox } from '../../server/sandbox';
import type { Sandbox, SandboxNumber } from '../../server/sandbox/types';
import { CONFIG_ENV } from './servers/child';
import { buildResult, createBenchDatabase, envNumber, forkServer, progress, round, signInBootstrapAdmin, type Bench, type BenchDatabase, type BenchResult, type ChildServer } from './support';
import { percentile, POOL_MAX } from './webhookLoad';

const TARGET_RATE = 1000;
const TARGET_P99_MS = 100;
const TARGET_MULTI_TOTAL = 3000;
const DRAIN_DEADLINE_MS = 30_000;
const WARMUP_SECONDS = 3;
const LIMIT_CODES = ['130429', '131056'];

const settings = () => ({
  seconds: envNumber('BENCH_SEND_SECONDS', 30),
  rate: envNumber('BENCH_SEND_RATE', TARGET_RATE),
  multiSeconds: envNumber('BENCH_SEND_MULTI_SECONDS', 10),
  multiNumbers: envNumber('BENCH_SEND_MULTI_NUMBERS', 20),
  multiRate: envNumber('BENCH_SEND_MULTI_RATE', 200),
  baselineSeconds: envNumber('BENCH_SEND_BASELINE_SECONDS', 5),
});

function sandboxNumber(i: number, mps: number): SandboxNumber {
  const id = String(105_000_000_000_000 + i);
  return { phoneNumberId: id, wabaId: '405000000000001', displayNumber: `+1 555 01${String(i).padStart(5, '0')}`, verifiedName: `Bench ${i}`, accessToken: `bench-token-${i}-${randomBytes(6).toString('hex')}`, appSecret: 'bench-app-secret', throughputMps: mps };
}

const templatePayload = (to: string) => JSON.stringify({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });

type Lane = { channelId: string; number: SandboxNumber; prefix: string };
type Queued = { lane: Lane; to: string; queuedAt: number };

/**
 * Queues rows for each lane at `rate`/s for `seconds`, open-loop: every tick, the rows due on all
 * lanes in one transaction, with a NOTIFY per lane, as a broadcast spanning numbers enqueues
 * them. (A transaction per lane per tick was 2,000 commits and wake-ups a second at 20 numbers:
 * load of the bench's own making, taken from the app's share of this machine.)
 */
async function offer(db: Db, lanes: Lane[], rate: number, seconds: number, queued: Queued[]): Promise<number> {
  const total = Math.round(rate * seconds);
  const start = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - start) / 1000) * rate) + 1);
    if (due > sent) {
      const count = due - sent;
      const rows = lanes.flatMap((lane) =>
        Array.from({ length: count }, (_, k) => {
          const to = `${lane.prefix}${String(sent + k).padStart(7, '0')}`;
          return { lane, row: { id: newId(), message_id: newId(), message_created_at: new Date(), channel_id: lane.channelId, to_wa_id: to, payload: templatePayload(to), priority: 1, window_closes_at: null } };
        }),
      );
      await db.transaction(async (trx) => {
        // A bench starved of CPU falls behind and catches up in one tick: keep each INSERT
        // under PostgreSQL's 65,535 bind parameters.
        for (let k = 0; k < rows.length; k += 1000) {
          await trx('outbox').insert(rows.slice(k, k + 1000).map((r) => r.row));
        }
        for (const lane of lanes) {
          await trx.raw('SELECT pg_notify(?, ?)', ['sb_outbox', lane.channelId]);
        }
      });
      const at = Date.now();
      rows.forEach((r) => queued.push({ lane: r.lane, to: r.row.to_wa_id, queuedAt: at }));
      sent = due;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return (Date.now() - start) / 1000;
}

/** Waits for every queued message to be accepted by the sandbox; returns latencies and accepted times. */
async function drain(sandbox: Sandbox, queued: Queued[]): Promise<{ latencies: number[]; acceptedAt: number[]; missing: number; p99By5s: number[] }> {
  const acceptedAtOf = (q: Queued) => sandbox.conversation(q.lane.number.phoneNumberId, q.to)[0]?.at;
  const deadline = Date.now() + DRAIN_DEADLINE_MS;
  // A cursor over the queue, not a scan of it every poll: the bench shares the machine with the
  // app, and 40,000 lookups four times a second were CPU taken from the app while it drained.
  let cursor = 0;
  while (Date.now() < deadline) {
    while (cursor < queued.length && acceptedAtOf(queued[cursor]!) !== undefined) {
      cursor += 1;
    }
    if (cursor === queued.length) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const latencies: number[] = [];
  const acceptedAt: number[] = [];
  // Latencies by the 5 s window they were queued in: whether a backlog builds up, or was there from the start.
  const windows: number[][] = [];
  const start = queued[0]?.queuedAt ?? 0;
  let missing = 0;
  for (const q of queued) {
    const at = acceptedAtOf(q);
    if (at === undefined) {
      missing += 1;
      continue;
    }
    acceptedAt.push(Date.parse(at));
    latencies.push(Math.max(0, Date.parse(at) - q.queuedAt));
    (windows[Math.floor((q.queuedAt - start) / 5000)] ??= []).push(Math.max(0, Date.parse(at) - q.queuedAt));
  }
  const p99By5s = [...windows].map((w) => Math.round(percentile((w ?? []).sort((a, b) => a - b), 99)));
  return { latencies: latencies.sort((a, b) => a - b), acceptedAt: acceptedAt.sort((a, b) => a - b), missing, p99By5s };
}

/** A port nothing listens on right now (the app binds it a moment later). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const rateOf = (acceptedAt: number[]) => (acceptedAt.length > 1 ? (acceptedAt.length - 1) / ((acceptedAt[acceptedAt.length - 1]! - acceptedAt[0]!) / 1000) : 0);

/** The bare client: as many template sends as 64 connections get accepted per second. */
async function baseline(sandboxUrl: string, number: SandboxNumber, seconds: number): Promise<{ accepted: number; refused: number; rate: number }> {
  const pool = new Pool(sandboxUrl, { connections: 64, pipelining: 1 });
  const end = Date.now() + seconds * 1000;
  let accepted = 0;
  let refused = 0;
  let i = 0;
  const worker = async () => {
    while (Date.now() < end) {
      const to = `4479${String((i += 1)).padStart(7, '0')}`;
      const res = await pool.request({ path: `/graph/v23.0/${number.phoneNumberId}/messages`, method: 'POST', headers: { authorization: `Bearer ${number.accessToken}`, 'content-type': 'application/json' }, body: templatePayload(to) });
      await res.body.dump();
      if (res.statusCode === 200) {
        accepted += 1;
      } else {
        refused += 1;
      }
    }
  };
  const started = Date.now();
  await Promise.all(Array.from({ length: 64 }, worker));
  await pool.close();
  return { accepted, refused, rate: accepted / ((Date.now() - started) / 1000) };
}

async function run(): Promise<BenchResult> {
  const load = settings();
  const databases: BenchDatabase[] = [];
  const servers: ChildServer[] = [];
  let sandbox: Sandbox | null = null;
  let sandboxServer: { url: string; close(): Promise<void> } | null = null;
  let db: Db | null = null;
  try {
    const database = await createBenchDatabase();
    databases.push(database);
    const dedicated = sandboxNumber(0, TARGET_RATE);
    const multi = Array.from({ length: load.multiNumbers }, (_, i) => sandboxNumber(i + 1, load.multiRate));
    // The bare loop's number is no channel of the app, whose webhook refuses its statuses (403):
    // an app secret of its own keeps them out of the deliveries of the app's numbers.
    const bare = { ...sandboxNumber(999, TARGET_RATE), appSecret: 'bench-bare-app-secret' };
    // The app's port is chosen first, so the sandbox knows where its webhooks go.
    const appPort = await freePort();
    sandbox = createSandbox({
      numbers: [dedicated, ...multi, bare],
      webhookUrl: `http://127.0.0.1:${appPort}/webhooks/whatsapp`,
      statusDelaysMs: { sent: 50, delivered: 300, read: 1500 },
      autoRead: false,
      statusBatch: { windowMs: 100, maxChanges: 1000 },
    });
    sandboxServer = await sandbox.listen(0);
    const origin = new URL(sandboxServer.url).origin;
    progress(`sandbox at ${sandboxServer.url}; starting the app (role all) in a child process`);
    const app = await forkServer('switchboard', {
      [CONFIG_ENV]: JSON.stringify({
        NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(appPort), ...database.appUrls, DATABASE_POOL_MAX: String(POOL_MAX),
        SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'), SWITCHBOARD_ROLE: 'all', SWITCHBOARD_SANDBOX: 'false', LOG_LEVEL: 'warn',
        GRAPH_ALLOWED_HOSTS: origin,
      }),
    });
    servers.push(app);
    const bootstrap = (app.info as { bootstrap?: { email: string; password: string } }).bootstrap!;
    const cookie = await signInBootstrapAdmin(app.url, bootstrap);
    const csrf = ((await (await fetch(`${app.url}/api/v1/me`, { headers: { cookie } })).json()) as { csrfToken: string }).csrfToken;
    const addChannel = async (n: SandboxNumber, lane: 'shared' | 'dedicated', prefix: string): Promise<Lane> => {
      const res = await fetch(`${app.url}/api/v1/channels`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
        body: JSON.stringify({ name: n.verifiedName, phoneNumberId: n.phoneNumberId, wabaId: n.wabaId, displayNumber: n.displayNumber, graphBaseUrl: `${sandboxServer!.url}/graph`, accessToken: n.accessToken, appSecret: n.appSecret, verifyToken: randomBytes(12).toString('hex'), lane, throughputMps: n.throughputMps }),
      });
      const body = (await res.json()) as { channel?: { id: string } };
      if (res.status !== 201 || !body.channel) {
        throw new Error(`POST /api/v1/channels answered ${res.status} ${JSON.stringify(body)}`);
      }
      return { channelId: body.channel.id, number: n, prefix };
    };
    const dedicatedLane = await addChannel(dedicated, 'dedicated', '4470');
    const multiLanes = [];
    for (const [i, n] of multi.entries()) {
      multiLanes.push(await addChannel(n, 'shared', `45${String(i).padStart(2, '0')}`));
    }
    db = createDb(database.url, 8);
    // Recipients are all new: the bench number's tier is not what is measured.
    await db('channels').update({ messaging_tier: 'TIER_UNLIMITED' });

    // Offered exactly at the number's rate, a lane never makes up for a delay: a cold start (its
    // lease taken, its keep-alive connections opened) would stay in every latency of the run. A
    // few seconds at the rate first, not measured, to other recipients; then the measured run.
    progress(`dedicated number: warming up for ${WARMUP_SECONDS} s`);
    const warm: Queued[] = [];
    await offer(db, [{ ...dedicatedLane, prefix: '4471' }], load.rate, WARMUP_SECONDS, warm);
    await drain(sandbox, warm);
    await new Promise((resolve) => setTimeout(resolve, 500));
    progress(`dedicated number: ${load.rate} msg/s queued for ${load.seconds} s`);
    const queued: Queued[] = [];
    const offeredSeconds = await offer(db, [dedicatedLane], load.rate, load.seconds, queued);
    const one = await drain(sandbox, queued);
    const oneRate = rateOf(one.acceptedAt);
    const p99 = percentile(one.latencies, 99);

    progress(`${load.multiNumbers} numbers: ${load.multiRate} msg/s each for ${load.multiSeconds} s`);
    const multiQueued: Queued[] = [];
    // Where the machine went: the app's CPU and this process's (the sandbox standing in for Meta,
    // and the load), per message, over the phase.
    const appCpuBefore = await app.cpuSeconds();
    const benchCpuBefore = process.cpuUsage();
    await offer(db, multiLanes, load.multiRate, load.multiSeconds, multiQueued);
    const many = await drain(sandbox, multiQueued);
    const manyRate = rateOf(many.acceptedAt);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const perMessageMs = (seconds: number) => round((seconds * 1000) / Math.max(1, many.acceptedAt.length), 3);
    const cpuPerMessageMs = { app: perMessageMs((await app.cpuSeconds()) - appCpuBefore), sandboxAndLoad: perMessageMs((benchCpu.user + benchCpu.system) / 1e6) };

    progress(`baseline: a bare HTTP client loop for ${load.baselineSeconds} s`);
    // Counted before the bare loop, whose statuses the app refuses (no channel of its) and the sandbox retries.
    const { violations: before, webhooks: appWebhookPosts, statusDeliveries } = sandbox.stats();
    const bareResult = await baseline(sandboxServer.url, bare, load.baselineSeconds);
    const stats = sandbox.stats();
    // The bare loop is refused beyond the number's rate by design; only the sender's count is judged.
    const violations = LIMIT_CODES.reduce((sum, code) => sum + (before[code] ?? 0), 0);
    const ms = (x: number) => round(x, 1);
    return buildResult({
      name: 'send',
      metric: 'messages/s',
      value: oneRate,
      baseline: bareResult.rate,
      unit: 'messages/s accepted by the sandbox from one dedicated number (first to last acceptance)',
      target: { of: 'value', atLeast: TARGET_RATE * 0.99 },
      details: {
        settings: { ...load, warmupSeconds: WARMUP_SECONDS, openLoop: true, statusBatch: { windowMs: 100, maxChanges: 1000 }, autoRead: false },
        violations,
        p99Ms: ms(p99),
        dedicated: { queued: queued.length, offeredSeconds: round(offeredSeconds, 2), missing: one.missing, p50Ms: ms(percentile(one.latencies, 50)), p99Ms: ms(p99), maxMs: ms(one.latencies[one.latencies.length - 1] ?? 0), p99By5s: one.p99By5s },
        multi: { numbers: load.multiNumbers, queued: multiQueued.length, missing: many.missing, totalRate: round(manyRate), p99Ms: ms(percentile(many.latencies, 99)), cpuPerMessageMs },
        baseline: bareResult,
        sandboxViolationsByCode: stats.violations,
        statusWebhooks: { ...statusDeliveries, webhookPosts: appWebhookPosts, how: 'status changes of the numbers of one WABA and app batched per 100 ms, up to 1,000 changes per POST' },
      },
      checks: {
        [`dedicatedAtLeast${TARGET_RATE}PerSecond`]: oneRate >= TARGET_RATE * 0.99,
        [`p99AtMost${TARGET_P99_MS}Ms`]: p99 <= TARGET_P99_MS,
        [`multiAtLeast${TARGET_MULTI_TOTAL}PerSecond`]: manyRate >= TARGET_MULTI_TOTAL,
        zeroViolations: violations === 0,
        noneMissing: one.missing === 0 && many.missing === 0,
        atLeastHalfTheBaseline: bareResult.rate > 0 && oneRate >= 0.5 * bareResult.rate,
      },
    });
  } finally {
    await db?.destroy().catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await sandbox?.close().catch(() => undefined);
    await sandboxServer?.close().catch(() => undefined);
    await Promise.all(databases.map((d) => d.drop().catch((err: Error) => progress(`could not drop ${d.name}: ${err.message}`))));
  }
}

const bench: Bench = {
  name: 'send',
  description: `outbox to Meta: one dedicated number >= ${TARGET_RATE}/s for 30 s with p99 <= ${TARGET_P99_MS} ms, 20 numbers >= ${TARGET_MULTI_TOTAL}/s, zero sandbox violations`,
  run,
};

export default bench;
