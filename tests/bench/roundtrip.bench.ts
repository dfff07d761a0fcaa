/**
 * "An inbound message reaches a connected inbox within 100 ms (p99)." With the app running
 * (web role, child process) and one Server-Sent Events client on /events (the admin, who may
 * read every conversation), signed one-message webhooks are sent open-loop at a fixed rate
 * (each on schedule, whether or not earlier ones were answered). Per message: the time from
 * just before its POST to the `message.created` event carrying its text. The baseline is the
 * acknowledgement latency (POST to 200) of the same messages: ratio = SSE p99 / ack p99.
 *
 * Knobs: BENCH_ROUNDTRIP_RATE (messages/s, default 500), BENCH_ROUNDTRIP_SECONDS (default 20),
 * BENCH_ROUNDTRIP_WARMUP_SECONDS (default 2), BENCH_ROUNDTRIP_CONNECTIONS (HTTP connections
 * the sender may open, default 64).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { buildResult, createBenchDatabase, envNumber, progress, round, type Bench, type BenchDatabase, type BenchResult, type ChildServer } from './support';
import {
  checkStored,
  clusterCpuSeconds,
  Ledger,
  machineCpu,
  percentile,
  probeWebhook,
  startAppWithChannel,
  storedChecks,
  WEBHOOK_PATH,
  WebhookFactory,
  type SignedWebhook,
} from './webhookLoad';

const TARGET_P99_MS = 100;
// An event later than this counts as never arrived.
const ARRIVAL_DEADLINE_MS = 5000;

function settings() {
  return {
    rate: envNumber('BENCH_ROUNDTRIP_RATE', 500),
    seconds: envNumber('BENCH_ROUNDTRIP_SECONDS', 20),
    warmupSeconds: envNumber('BENCH_ROUNDTRIP_WARMUP_SECONDS', 2),
    connections: envNumber('BENCH_ROUNDTRIP_CONNECTIONS', 64),
  };
}

type SseEvent = { event: string; data: string; at: number };

/** A minimal EventSource over node:http: one stream, `event:`/`data:` lines, comments ignored. */
class SseClient {
  private req: http.ClientRequest | null = null;
  private buffer = '';
  events = 0;
  closedEarly = false;

  constructor(
    private readonly url: string,
    private readonly cookie: string,
    private readonly onEvent: (e: SseEvent) => void,
  ) {}

  /** Resolves once the stream is open (200 and the server's first comment). */
  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the event stream did not open within 10 s')), 10_000);
      const req = http.get(this.url, { headers: { cookie: this.cookie, accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          clearTimeout(timer);
          res.resume();
          reject(new Error(`GET /events answered ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        let opened = false;
        res.on('data', (chunk: string) => {
          const at = performance.now();
          if (!opened) {
            opened = true;
            clearTimeout(timer);
            resolve();
          }
          this.feed(chunk, at);
        });
        res.on('end', () => {
          this.closedEarly = this.req !== null;
        });
        // A stream the server cuts must not crash the bench: it shows as missing events.
        res.on('error', () => {
          this.closedEarly = this.req !== null;
        });
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        if (this.req) {
          this.closedEarly = true;
        }
        reject(err);
      });
      this.req = req;
    });
  }

  private feed(chunk: string, at: number): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) {
          event = line.slice(6).trim();
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
      }
      if (data.length > 0) {
        this.events += 1;
        this.onEvent({ event, data: data.join('\n'), at });
      }
    }
  }

  close(): void {
    const req = this.req;
    this.req = null;
    req?.destroy();
  }
}

/** Polls until `done()` or the deadline (a performance.now() time). */
async function waitUntil(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

type Sample = { sentAt: number; scheduledAt: number; ackAt?: number; status?: number; error?: string; eventAt?: number };

/**
 * Sends `rate` messages/s for `seconds`, open-loop: message i is due at start + i / rate and
 * goes out when due (late ones go at once, in a burst), never waiting for earlier answers.
 */
async function sendPaced(
  pool: Pool,
  factory: WebhookFactory,
  rate: number,
  seconds: number,
  track: (m: SignedWebhook, sample: Sample) => void,
): Promise<{ sent: number; wallSeconds: number }> {
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const start = performance.now();
  let i = 0;
  while (i < total) {
    const due = Math.min(total, Math.floor((performance.now() - start) / interval) + 1);
    for (; i < due; i += 1) {
      const m = factory.next();
      const sample: Sample = { scheduledAt: start + i * interval, sentAt: 0 };
      track(m, sample);
      sample.sentAt = performance.now();
      void pool
        .request({ path: WEBHOOK_PATH, method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': m.signature }, body: m.body })
        .then(async (res) => {
          await res.body.dump();
          sample.ackAt = performance.now();
          sample.status = res.statusCode;
        })
        .catch((err: Error) => {
          sample.error = err.message;
        });
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const wallSeconds = (performance.now() - start) / 1000;
  return { sent: total, wallSeconds };
}

async function run(): Promise<BenchResult> {
  const load = settings();
  const databases: BenchDatabase[] = [];
  const servers: ChildServer[] = [];
  let pool: Pool | null = null;
  let sse: SseClient | null = null;
  try {
    const database = await createBenchDatabase();
    databases.push(database);
    progress('starting the app (web role) in a child process');
    const { app, cookie, channel } = await startAppWithChannel(database, servers);

    // What the SSE client is waiting for, by message text; only measured messages are here.
    const pending = new Map<string, Sample>();
    let unmatched = 0;
    let createdEvents = 0;
    sse = new SseClient(`${app.url}/events`, cookie, (e) => {
      if (e.event !== 'message.created') {
        return;
      }
      createdEvents += 1;
      let text: unknown;
      try {
        text = (JSON.parse(e.data) as { message?: { text?: unknown } }).message?.text;
      } catch {
        text = undefined;
      }
      const sample = typeof text === 'string' ? pending.get(text) : undefined;
      if (sample && sample.eventAt === undefined) {
        sample.eventAt = e.at;
      } else {
        unmatched += 1;
      }
    });
    await sse.connect();

    const factory = new WebhookFactory(channel);
    const ledger = new Ledger();
    const probe = await probeWebhook(app.url, factory, ledger);
    pool = new Pool(app.url, { connections: load.connections, pipelining: 1, keepAliveTimeout: 60_000 });

    progress(`warm-up: ${load.rate} msg/s for ${load.warmupSeconds} s`);
    const warmSamples: Array<[string, Sample]> = [];
    await sendPaced(pool, factory, load.rate, load.warmupSeconds, (m, sample) => warmSamples.push([m.wamid, sample]));
    // An app slower than the rate must not stretch the run: wait for its answers a while only.
    await waitUntil(() => warmSamples.every(([, s]) => s.ackAt !== undefined || s.error !== undefined), performance.now() + ARRIVAL_DEADLINE_MS);
    warmSamples.forEach(([wamid, s]) => ledger.record(s.status ?? 0, s.status === undefined ? undefined : wamid));
    await new Promise((resolve) => setTimeout(resolve, 1000));

    progress(`measuring: ${load.rate} msg/s for ${load.seconds} s, open-loop, one SSE client`);
    const samples: Sample[] = [];
    const wamids: string[] = [];
    const serverCpuBefore = await app.cpuSeconds();
    const generatorBefore = process.cpuUsage();
    const cpu = machineCpu();
    const pgBefore = clusterCpuSeconds();
    const sent = await sendPaced(pool, factory, load.rate, load.seconds, (m, sample) => {
      pending.set(m.text, sample);
      samples.push(sample);
      wamids.push(m.wamid);
    });
    // Every message has until ARRIVAL_DEADLINE_MS after its POST; the last one sets the end.
    const lastSent = samples.reduce((max, s) => Math.max(max, s.sentAt), 0);
    await waitUntil(
      () => samples.every((s) => s.eventAt !== undefined && (s.ackAt !== undefined || s.error !== undefined)),
      lastSent + ARRIVAL_DEADLINE_MS,
    );
    const measuredWall = (performance.now() - (samples[0]?.sentAt ?? 0)) / 1000;
    // Before the pool is destroyed: abandoning the rest must not count as errors.
    const non2xx = samples.filter((s) => s.status !== undefined && (s.status < 200 || s.status >= 300)).length;
    const errors = samples.filter((s) => s.error !== undefined).length;
    const machine = cpu();
    const pgAfter = clusterCpuSeconds();
    const databaseCores = pgBefore !== null && pgAfter !== null ? round((pgAfter - pgBefore) / measuredWall, 2) : null;
    const serverCpuCores = ((await app.cpuSeconds()) - serverCpuBefore) / measuredWall;
    const generatorUsage = process.cpuUsage(generatorBefore);
    const generatorCpuCores = (generatorUsage.user + generatorUsage.system) / 1e6 / measuredWall;
    const sseClosedEarly = sse.closedEarly;
    sse.close();
    sse = null;
    // Requests still queued or in flight are abandoned (they count as unanswered).
    await pool.destroy().catch(() => undefined);
    pool = null;

    samples.forEach((s, i) => ledger.record(s.status ?? 0, s.status === undefined ? undefined : wamids[i]));
    const stored = await checkStored(database.url, 'messages', factory, ledger);
    const storage = storedChecks(stored);

    // Latencies of every measured message; one that missed the deadline counts as the deadline
    // (so a percentile that lands on it is a lower bound, flagged below).
    const censored = (at: number | undefined, s: Sample) => (at !== undefined && at - s.sentAt <= ARRIVAL_DEADLINE_MS ? at - s.sentAt : ARRIVAL_DEADLINE_MS);
    const sorted = (xs: number[]) => xs.sort((a, b) => a - b);
    const sseLatencies = sorted(samples.map((s) => censored(s.eventAt, s)));
    const ackLatencies = sorted(samples.map((s) => censored(s.ackAt, s)));
    const schedulerLag = sorted(samples.map((s) => Math.max(0, s.sentAt - s.scheduledAt)));
    const missing = samples.filter((s) => s.eventAt === undefined || s.eventAt - s.sentAt > ARRIVAL_DEADLINE_MS).length;
    const unacked = samples.filter((s) => s.ackAt === undefined || s.ackAt - s.sentAt > ARRIVAL_DEADLINE_MS).length;
    const ms = (x: number) => round(x, 1);
    const sseP99 = percentile(sseLatencies, 99);
    const ackP99 = percentile(ackLatencies, 99);
    const achievedRate = sent.sent / sent.wallSeconds;
    const latencySummary = (sortedMs: number[], late: number) => ({
      p50Ms: ms(percentile(sortedMs, 50)),
      p95Ms: ms(percentile(sortedMs, 95)),
      p99Ms: ms(percentile(sortedMs, 99)),
      maxMs: ms(sortedMs[sortedMs.length - 1] ?? 0),
      // Some messages missed the deadline: percentiles at the deadline are lower bounds.
      percentilesAreLowerBounds: late > 0,
    });

    return buildResult({
      name: 'roundtrip',
      metric: 'p99 ms',
      value: sseP99,
      baseline: ackP99,
      unit: 'ms from just before the webhook POST to its SSE message.created (p99)',
      target: { of: 'value', atMost: TARGET_P99_MS },
      details: {
        settings: { ...load, openLoop: true, arrivalDeadlineMs: ARRIVAL_DEADLINE_MS, sseClients: 1 },
        messages: samples.length,
        achievedSendRate: round(achievedRate),
        sse: {
          ...latencySummary(sseLatencies, missing),
          missingWithin5s: missing,
          messageCreatedEvents: createdEvents,
          otherMessageCreatedEvents: unmatched,
          streamClosedEarly: sseClosedEarly,
        },
        ack: { ...latencySummary(ackLatencies, unacked), unansweredWithin5s: unacked, non2xx, errors },
        schedulerLagMs: { p99: ms(percentile(schedulerLag, 99)), max: ms(schedulerLag[schedulerLag.length - 1] ?? 0) },
        cpu: { serverCores: round(serverCpuCores, 2), generatorCores: round(generatorCpuCores, 2), databaseCores, machineBusyCores: machine.busyCores, machineCores: machine.cores },
        stored,
        probe,
      },
      checks: {
        [`sseP99AtMost${TARGET_P99_MS}Ms`]: sseP99 <= TARGET_P99_MS,
        everyEventArrivedWithin5s: missing === 0 && samples.length > 0,
        allAcks2xxWithin5s: non2xx === 0 && errors === 0 && unacked === 0,
        noLoss: storage.noLoss,
        noDuplicateWamids: storage.noDuplicates,
        // Open-loop really held its rate (within 5 %): otherwise the latencies describe a lighter load.
        sendRateHeld: achievedRate >= load.rate * 0.95,
      },
    });
  } finally {
    sse?.close();
    await pool?.destroy().catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(databases.map((d) => d.drop().catch((err: Error) => progress(`could not drop ${d.name}: ${err.message}`))));
  }
}

const bench: Bench = {
  name: 'roundtrip',
  description: `webhook POST to SSE message.created at a fixed rate (default 500 msg/s, open-loop): p99 <= ${TARGET_P99_MS} ms, none missing`,
  run,
};

export default bench;
