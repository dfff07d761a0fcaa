/**
 * "The app takes at least 3,000 signed inbound messages/s, acknowledges with p99 <= 50 ms only
 * once each is durable, loses and doubles none, and keeps at least half the throughput of a
 * bare receiver." autocannon posts one-message webhooks (a unique wamid and a valid signature
 * on every request, signed in this process) at the app (web role, child process) and at a
 * bare Koa route that checks the HMAC and does one INSERT through a pool of the same size
 * (child process, same PostgreSQL cluster), with the same settings, in alternating rounds.
 * Afterwards the rows must account exactly for the 2xx answers.
 *
 * Knobs: BENCH_WEBHOOK_SECONDS (measured seconds per side, default 30), BENCH_WEBHOOK_ROUNDS
 * (default 2), BENCH_WEBHOOK_CONNECTIONS (default 64), BENCH_WEBHOOK_WARMUP_SECONDS (default 3),
 * BENCH_WEBHOOK_CONTACTS (distinct customers the messages come from, default 1000).
 */
import { performance } from 'node:perf_hooks';
import { WEBHOOK_BASELINE_ENV, type WebhookBaselineConfig } from './servers/webhookProtocol';
import {
  buildResult,
  combineRuns,
  createBenchDatabase,
  envNumber,
  forkServer,
  interleaved,
  loadRun,
  progress,
  round,
  type Bench,
  type BenchDatabase,
  type BenchResult,
  type ChildServer,
  type LoadRun,
  type LoadTarget,
} from './support';
import {
  benchChannel,
  checkStored,
  clusterCpuSeconds,
  Ledger,
  machineCpu,
  POOL_MAX,
  probeWebhook,
  startAppWithChannel,
  storedChecks,
  WEBHOOK_PATH,
  WebhookFactory,
  webhookLoadOptions,
} from './webhookLoad';

// The goals.
const TARGET_MESSAGES_PER_SEC = 3000;
const TARGET_P99_MS = 50;
const TARGET_RATIO = 0.5;

function settings() {
  return {
    connections: envNumber('BENCH_WEBHOOK_CONNECTIONS', 64),
    warmupSeconds: envNumber('BENCH_WEBHOOK_WARMUP_SECONDS', 3),
    durationSeconds: envNumber('BENCH_WEBHOOK_SECONDS', 30),
    rounds: envNumber('BENCH_WEBHOOK_ROUNDS', 2),
    contacts: envNumber('BENCH_WEBHOOK_CONTACTS', 1000),
  };
}

type Side = { target: LoadTarget; factory: WebhookFactory; ledger: Ledger; database: BenchDatabase; table: 'messages' | 'bench_inbound' };

async function run(): Promise<BenchResult> {
  const load = settings();
  const databases: BenchDatabase[] = [];
  const servers: ChildServer[] = [];
  try {
    const appDb = await createBenchDatabase();
    databases.push(appDb);
    const baselineDb = await createBenchDatabase();
    databases.push(baselineDb);

    progress('starting the bare webhook receiver and the app (web role) in child processes');
    const baselineChannel = benchChannel();
    const startBaseline = async () => {
      const config: WebhookBaselineConfig = { databaseUrl: baselineDb.url, appSecret: baselineChannel.appSecret, poolMax: POOL_MAX };
      const server = await forkServer('webhookBaseline', { [WEBHOOK_BASELINE_ENV]: JSON.stringify(config) });
      servers.push(server);
      return server;
    };
    const [bare, started] = await Promise.all([startBaseline(), startAppWithChannel(appDb, servers)]);

    const side = (label: string, server: ChildServer, channel: typeof baselineChannel, database: BenchDatabase, table: Side['table']): Side => {
      const factory = new WebhookFactory(channel, load.contacts);
      const ledger = new Ledger();
      return { factory, ledger, database, table, target: { label, url: server.url + WEBHOOK_PATH, server, options: webhookLoadOptions(factory, ledger) } };
    };
    const sides = {
      baseline: side(`bare Koa POST ${WEBHOOK_PATH}`, bare, baselineChannel, baselineDb, 'bench_inbound'),
      value: side(`app POST ${WEBHOOK_PATH}`, started.app, started.channel, appDb, 'messages'),
    };
    const probes = {
      app: await probeWebhook(started.app.url, sides.value.factory, sides.value.ledger),
      bareKoa: await probeWebhook(bare.url, sides.baseline.factory, sides.baseline.ledger),
    };

    for (const s of [sides.baseline, sides.value]) {
      progress(`warm-up ${s.target.label}: ${load.warmupSeconds} s, ${load.connections} connections`);
      await loadRun(s.target, load.connections, load.warmupSeconds);
    }
    const seconds = load.durationSeconds / load.rounds;
    const machine: Record<'baseline' | 'value', number[]> = { baseline: [], value: [] };
    const database: Record<'baseline' | 'value', { cpuSeconds: number; wallSeconds: number }> = {
      baseline: { cpuSeconds: 0, wallSeconds: 0 },
      value: { cpuSeconds: 0, wallSeconds: 0 },
    };
    const runs = await interleaved(load.rounds, async (which, r): Promise<LoadRun> => {
      const s = sides[which];
      progress(`round ${r + 1}/${load.rounds} ${s.target.label}: ${seconds} s`);
      const cpu = machineCpu();
      const pgBefore = clusterCpuSeconds();
      const started = performance.now();
      const result = await loadRun(s.target, load.connections, seconds);
      const pgAfter = clusterCpuSeconds();
      database[which].wallSeconds += (performance.now() - started) / 1000;
      database[which].cpuSeconds += pgBefore !== null && pgAfter !== null ? pgAfter - pgBefore : Number.NaN;
      machine[which].push(cpu().busyCores);
      return result;
    });
    const measured = { baseline: combineRuns(runs.baseline), value: combineRuns(runs.value) };

    progress('counting stored rows');
    const [appStored, bareStored] = await Promise.all([
      checkStored(appDb.url, 'messages', sides.value.factory, sides.value.ledger),
      checkStored(baselineDb.url, 'bench_inbound', sides.baseline.factory, sides.baseline.ledger),
    ]);
    const appChecks = storedChecks(appStored);
    const bareChecks = storedChecks(bareStored);
    const { baseline, value } = measured;
    const ratio = baseline.requestsPerSec > 0 ? value.requestsPerSec / baseline.requestsPerSec : 0;
    const describe = (m: typeof value, busy: number[], pg: { cpuSeconds: number; wallSeconds: number }) => ({
      messagesPerSec: round(m.requestsPerSec),
      perRoundMessagesPerSec: m.perRoundRequestsPerSec,
      responses: m.requests,
      seconds: round(m.seconds, 2),
      latencyP50Ms: m.latencyP50Ms,
      latencyP99Ms: m.latencyP99Ms,
      non2xx: m.non2xx,
      errors: m.errors,
      timeouts: m.timeouts,
      serverCpuCores: m.serverCpuCores,
      // Less sensitive than throughput to other load on the machine: the server's own cost per message.
      serverCpuMsPerMessage: m.requests > 0 ? round((m.serverCpuCores * m.seconds * 1000) / m.requests, 3) : 0,
      generatorCpuCores: m.generatorCpuCores,
      // PostgreSQL (the bench cluster's processes) meanwhile, in all and per message.
      databaseCpuCores: Number.isNaN(pg.cpuSeconds) ? null : round(pg.cpuSeconds / pg.wallSeconds, 2),
      databaseCpuMsPerMessage: Number.isNaN(pg.cpuSeconds) || m.requests === 0 ? null : round((pg.cpuSeconds * 1000) / m.requests, 3),
      machineBusyCores: busy.map((b) => round(b, 2)),
    });
    return buildResult({
      name: 'webhook',
      metric: 'msg/s',
      value: value.requestsPerSec,
      baseline: baseline.requestsPerSec,
      unit: 'signed one-message webhooks acknowledged (2xx) per second',
      target: { of: 'value', atLeast: TARGET_MESSAGES_PER_SEC },
      details: {
        settings: { ...load, secondsPerRound: seconds, pipelining: 1, poolMax: POOL_MAX, order: 'ABBA rounds; latency percentiles are the worst round', machineCores: machineCpu()().cores },
        app: { ...describe(value, machine.value, database.value), stored: appStored, probes: probes.app },
        bareKoa: { ...describe(baseline, machine.baseline, database.baseline), stored: bareStored, probes: probes.bareKoa },
        targets: { messagesPerSec: TARGET_MESSAGES_PER_SEC, p99Ms: TARGET_P99_MS, ratio: TARGET_RATIO },
      },
      checks: {
        [`appAtLeast${TARGET_MESSAGES_PER_SEC}MsgPerSec`]: value.requestsPerSec >= TARGET_MESSAGES_PER_SEC,
        [`appP99AtMost${TARGET_P99_MS}Ms`]: value.latencyP99Ms <= TARGET_P99_MS,
        [`ratioAtLeast${TARGET_RATIO}`]: ratio >= TARGET_RATIO,
        appAllResponses2xx: value.non2xx === 0 && value.requests > 0,
        appNoSocketErrors: value.errors === 0 && value.timeouts === 0,
        appNoLoss: appChecks.noLoss,
        appNoDuplicateWamids: appChecks.noDuplicates,
        appStoredMatchesAcks: appChecks.storedMatchesAcks,
        bareKoaAllResponses2xx: baseline.non2xx === 0 && baseline.requests > 0,
        bareKoaNoLoss: bareChecks.noLoss && bareChecks.storedMatchesAcks,
      },
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    await Promise.all(databases.map((d) => d.drop().catch((err: Error) => progress(`could not drop ${d.name}: ${err.message}`))));
  }
}

const bench: Bench = {
  name: 'webhook',
  description: `signed inbound webhooks, one message each: >= ${TARGET_MESSAGES_PER_SEC} msg/s, p99 <= ${TARGET_P99_MS} ms, no loss or duplicates, >= ${TARGET_RATIO} of a bare receiver`,
  run,
};

export default bench;
