/**
 * "An authenticated API read (GET /api/v1/me) reaches at least half the throughput of a bare
 * Koa handler measured in the same run." Both servers run in their own child process; the
 * load comes from autocannon in this one, with the same settings for both.
 */
import { randomBytes } from 'node:crypto';
import { BARE_PATH, CONFIG_ENV } from './servers/child';
import {
  buildResult,
  compareLoad,
  createBenchDatabase,
  envNumber,
  forkServer,
  progress,
  round,
  signInBootstrapAdmin,
  type Bench,
  type BenchResult,
  type ChildServer,
  type LoadSettings,
} from './support';

const ME_PATH = '/api/v1/me';
// The goal: the full middleware stack costs at most half of a bare handler's throughput.
const TARGET_RATIO = 0.5;
// Below this, a server was not given a full core for the whole run: something else on the
// machine competed for it, and the ratio is less trustworthy (run again).
const CPU_BOUND_CORES = 0.9;

// 2 x 3 s warm-up + 2 x 10 s measured (in 5 s rounds) + boot: about 35 s in all.
function settings(): LoadSettings {
  return {
    connections: envNumber('BENCH_CONNECTIONS', 50),
    warmupSeconds: envNumber('BENCH_WARMUP_SECONDS', 3),
    durationSeconds: envNumber('BENCH_SECONDS', 10),
    rounds: envNumber('BENCH_ROUNDS', 2),
  };
}

function bootstrapOf(server: ChildServer): { email: string; password: string } {
  const info = server.info as { bootstrap?: { email: string; password: string } | null } | null;
  if (!info?.bootstrap) {
    throw new Error('the app did not create a bootstrap admin (is the database not empty?)');
  }
  return info.bootstrap;
}

/** How far apart the rounds of one side were: max / min - 1 (0.05 = 5 %). */
function spread(perRound: number[]): number {
  return round(Math.max(...perRound) / Math.max(1, Math.min(...perRound)) - 1, 3);
}

/** One request by hand before the load: the cookie must really give a signed-in 200. */
async function checkMe(url: string, cookie: string, email: string): Promise<void> {
  const res = await fetch(url + ME_PATH, { headers: { cookie } });
  const body = (await res.json()) as { user?: { email?: string; mustChangePassword?: boolean } };
  if (res.status !== 200 || body.user?.email !== email || body.user.mustChangePassword !== false) {
    throw new Error(`GET ${ME_PATH} before the load answered ${res.status} ${JSON.stringify(body)}`);
  }
}

async function run(): Promise<BenchResult> {
  const load = settings();
  const database = await createBenchDatabase();
  const servers: ChildServer[] = [];
  try {
    progress('starting the bare Koa server and the app (web role) in child processes');
    const started = async (server: Promise<ChildServer>) => {
      const s = await server;
      servers.push(s);
      return s;
    };
    const [bare, app] = await Promise.all([
      started(forkServer('bareKoa')),
      started(forkServer('switchboard', {
        [CONFIG_ENV]: JSON.stringify({
          NODE_ENV: 'production',
          HOST: '127.0.0.1',
          PORT: '0',
          ...database.appUrls,
          SWITCHBOARD_MASTER_KEY: randomBytes(32).toString('base64'),
          SWITCHBOARD_ROLE: 'web',
          SWITCHBOARD_SANDBOX: 'false',
          LOG_LEVEL: 'warn',
        }),
      })),
    ]);
    const admin = bootstrapOf(app);
    const cookie = await signInBootstrapAdmin(app.url, admin);
    await checkMe(app.url, cookie, admin.email);

    const measured = await compareLoad(
      { label: `bare Koa GET ${BARE_PATH}`, url: bare.url + BARE_PATH, server: bare },
      { label: `app GET ${ME_PATH}`, url: app.url + ME_PATH, headers: { cookie }, server: app },
      load,
    );
    const { baseline, value } = measured;
    const describe = (m: typeof value) => ({
      requestsPerSec: round(m.requestsPerSec),
      perRoundRequestsPerSec: m.perRoundRequestsPerSec,
      requests: m.requests,
      seconds: round(m.seconds, 2),
      bytesPerResponse: m.bytesPerResponse,
      latencyP50Ms: m.latencyP50Ms,
      latencyP99Ms: m.latencyP99Ms,
      non2xx: m.non2xx,
      errors: m.errors,
      timeouts: m.timeouts,
      serverCpuCores: m.serverCpuCores,
      generatorCpuCores: m.generatorCpuCores,
    });
    return buildResult({
      name: 'me',
      metric: 'req/s',
      value: value.requestsPerSec,
      baseline: baseline.requestsPerSec,
      unit: 'requests per second',
      target: { of: 'ratio', atLeast: TARGET_RATIO },
      details: {
        settings: { ...load, pipelining: 1, order: 'ABBA rounds, latency percentiles are the worst round' },
        me: { path: ME_PATH, ...describe(value) },
        bareKoa: { path: BARE_PATH, ...describe(baseline) },
        quality: {
          bothServersCpuBound: value.serverCpuCores >= CPU_BOUND_CORES && baseline.serverCpuCores >= CPU_BOUND_CORES,
          roundSpread: { me: spread(value.perRoundRequestsPerSec), bareKoa: spread(baseline.perRoundRequestsPerSec) },
        },
      },
      checks: {
        meAllResponses2xx: value.non2xx === 0 && value.requests > 0,
        meNoSocketErrors: value.errors === 0,
        bareKoaAllResponses2xx: baseline.non2xx === 0 && baseline.requests > 0,
      },
    });
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await database.drop();
  }
}

const bench: Bench = {
  name: 'me',
  description: `GET ${ME_PATH} with a session cookie vs a bare Koa handler: throughput ratio >= ${TARGET_RATIO}`,
  run,
};

export default bench;
