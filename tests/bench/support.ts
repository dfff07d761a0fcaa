/**
 * Shared bench helpers: the result shape, one embedded PostgreSQL cluster per bench run
 * (a fresh database per bench), servers in child processes, and autocannon measurements.
 * Everything here writes to stderr only: stdout carries the JSON report alone.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import pino from 'pino';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../server/db/embedded';
import { ensureEmbeddedRoles } from '../../server/db/roles';
import { createDb } from '../../server/db/knex';
import { projectRoot } from '../../server/lib/paths';
import type { ChildServer } from './servers/fork';

export { forkServer, stopAllServers, type ChildServer } from './servers/fork';

/** What a bench must reach: a floor (throughput) or a ceiling (latency) on its value, or on value / baseline. */
export type Target = { of: 'value' | 'ratio'; atLeast: number } | { of: 'value' | 'ratio'; atMost: number };

/** One measurement. `ratio = value / baseline`, both measured in the same run on the same machine. */
export type BenchResult = {
  name: string;
  metric: string;
  value: number;
  baseline: number;
  ratio: number;
  unit: string;
  target: Target;
  meetsTarget: boolean;
  details: Record<string, unknown>;
};

/** What a `tests/bench/*.bench.ts` module default-exports. */
export type Bench = {
  name: string;
  description: string;
  run: () => Promise<BenchResult | BenchResult[]>;
};

/** Writes one progress line to stderr. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** A logger for in-process services (cluster, audit writer): JSON to stderr, warnings and up by default. */
export const benchLog = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn', base: { app: 'switchboard-bench' } }, pino.destination(2));

/** A positive number from the environment (bench tuning knobs), or the fallback. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new Error(`${name} must be a positive number, got ${JSON.stringify(raw)}`);
  }
  return n;
}

/** Rounds for the report: measurements are not more precise than this anyway. */
export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/**
 * Builds a result: computes the ratio, and meets the target only when the target holds and
 * every named check passed (the checks are listed in details, so a miss says why).
 */
export function buildResult(input: Omit<BenchResult, 'ratio' | 'meetsTarget'> & { checks: Record<string, boolean> }): BenchResult {
  const { checks, ...rest } = input;
  const ratio = rest.baseline > 0 ? rest.value / rest.baseline : 0;
  const measured = rest.target.of === 'ratio' ? ratio : rest.value;
  const withinTarget = 'atLeast' in rest.target ? measured >= rest.target.atLeast : measured <= rest.target.atMost;
  const meetsTarget = withinTarget && Object.values(checks).every(Boolean);
  return {
    name: rest.name,
    metric: rest.metric,
    value: round(rest.value),
    baseline: round(rest.baseline),
    ratio: round(ratio, 3),
    unit: rest.unit,
    target: rest.target,
    meetsTarget,
    details: { ...rest.details, checks },
  };
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: one cluster for the whole run, one database per bench.

const CLUSTER_DIR = path.join(projectRoot, '.data', 'bench');
const BENCH_DB_PREFIX = 'sbb_';

let cluster: Promise<EmbeddedServer> | null = null;

/** The run's PostgreSQL cluster under .data/bench, started on first use. */
export function benchCluster(): Promise<EmbeddedServer> {
  cluster ??= (async () => {
    progress(`starting embedded PostgreSQL in ${path.relative(projectRoot, CLUSTER_DIR)}`);
    const server = await startEmbeddedPostgres(CLUSTER_DIR, benchLog);
    // Databases left behind by a run that was killed before its cleanup.
    const admin = createDb(server.url('postgres'), 1);
    try {
      const stale = await admin.raw<{ rows: Array<{ datname: string }> }>('SELECT datname FROM pg_database WHERE datname LIKE ?', [`${BENCH_DB_PREFIX}%`]);
      for (const { datname } of stale.rows) {
        await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
      }
    } finally {
      await admin.destroy();
    }
    return server;
  })();
  return cluster;
}

/** Stops the cluster if this run started it. */
export async function stopBenchCluster(): Promise<void> {
  const started = cluster;
  cluster = null;
  const server = await started?.catch(() => null);
  if (server) {
    progress('stopping embedded PostgreSQL');
    await server.stop();
  }
}

export type BenchDatabase = {
  name: string;
  /** The superuser's URL (bare baselines). */
  url: string;
  /** As in production, the app migrates as the owner role and runs as the runtime role. */
  appUrls: { DATABASE_URL: string; DATABASE_OWNER_URL: string };
  drop: () => Promise<void>;
};

/** An empty database with a random name on the bench cluster; `drop` removes it. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const server = await benchCluster();
  const name = `${BENCH_DB_PREFIX}${randomBytes(6).toString('hex')}`;
  const onAdmin = async (sql: string) => {
    const admin = createDb(server.url('postgres'), 1);
    try {
      await admin.raw(sql, [name]);
    } finally {
      await admin.destroy();
    }
  };
  await onAdmin(`CREATE DATABASE ?? ENCODING 'UTF8'`);
  const { ownerUrl, runtimeUrl } = await ensureEmbeddedRoles(server.url('postgres'), name, CLUSTER_DIR);
  return {
    name,
    url: server.url(name),
    appUrls: { DATABASE_URL: runtimeUrl, DATABASE_OWNER_URL: ownerUrl },
    drop: () => onAdmin('DROP DATABASE IF EXISTS ?? WITH (FORCE)'),
  };
}

// ---------------------------------------------------------------------------------------------
// Signing in, as a browser does.

// Any password the policy accepts: the bench never reuses it.
const BENCH_PASSWORD = 'bench-Throughput-check-7';

function sessionCookie(res: Response): string | null {
  const set = res.headers.getSetCookie().find((c) => c.startsWith('sb_session='));
  const value = set?.split(';')[0];
  return value && value !== 'sb_session=' ? value : null;
}

/** Signs the bootstrap admin in, replaces its one-time password, and returns the session cookie (`sb_session=...`). */
export async function signInBootstrapAdmin(baseUrl: string, admin: { email: string; password: string }): Promise<string> {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: admin.email, password: admin.password }),
  });
  const loginBody = (await login.json()) as { csrfToken?: string };
  let cookie = sessionCookie(login);
  if (login.status !== 200 || !cookie || !loginBody.csrfToken) {
    throw new Error(`bootstrap admin sign-in failed: ${login.status} ${JSON.stringify(loginBody)}`);
  }
  const change = await fetch(`${baseUrl}/api/v1/auth/password`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': loginBody.csrfToken },
    body: JSON.stringify({ currentPassword: admin.password, newPassword: BENCH_PASSWORD }),
  });
  if (change.status !== 204) {
    throw new Error(`bootstrap admin password change failed: ${change.status} ${await change.text()}`);
  }
  cookie = sessionCookie(change) ?? cookie;
  return cookie;
}

// ---------------------------------------------------------------------------------------------
// Measurement.

export type Side = 'baseline' | 'value';

/**
 * Runs baseline and value alternately in ABBA order (B V V B B V ...), so a machine that
 * speeds up or slows down during the run biases neither side.
 */
export async function interleaved<T>(rounds: number, run: (side: Side, round: number) => Promise<T>): Promise<Record<Side, T[]>> {
  const out: Record<Side, T[]> = { baseline: [], value: [] };
  for (let r = 0; r < rounds; r += 1) {
    const order: Side[] = r % 2 === 0 ? ['baseline', 'value'] : ['value', 'baseline'];
    for (const side of order) {
      out[side].push(await run(side, r));
    }
  }
  return out;
}

export type LoadSettings = { connections: number; warmupSeconds: number; durationSeconds: number; rounds: number };

export type LoadTarget = {
  label: string;
  url: string;
  headers?: Record<string, string>;
  server: ChildServer;
  /** Further autocannon options (method, body, `requests` with setupRequest/onResponse...); the load settings still win. */
  options?: Omit<autocannon.Options, 'url' | 'headers' | 'connections' | 'duration'>;
};

export type LoadRun = {
  requestsPerSec: number;
  requests: number;
  seconds: number;
  /** Bytes read per response, headers included. */
  bytesPerResponse: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Cores the server child used on average (1.0 = one core busy throughout). */
  serverCpuCores: number;
  /** Cores this process (autocannon) used on average: near 1.0 means the generator was the limit. */
  generatorCpuCores: number;
};

function cannon(target: LoadTarget, connections: number, seconds: number): Promise<autocannon.Result> {
  return autocannon({ timeout: 10, ...target.options, url: target.url, headers: target.headers ?? {}, connections, duration: seconds });
}

/** One autocannon run against a target, with the CPU both sides used meanwhile. */
export async function loadRun(target: LoadTarget, connections: number, seconds: number): Promise<LoadRun> {
  const serverBefore = await target.server.cpuSeconds();
  const generatorBefore = process.cpuUsage();
  const started = performance.now();
  const result = await cannon(target, connections, seconds);
  const wall = (performance.now() - started) / 1000;
  const generator = process.cpuUsage(generatorBefore);
  const serverCpu = (await target.server.cpuSeconds()) - serverBefore;
  return {
    requestsPerSec: result.requests.total / result.duration,
    requests: result.requests.total,
    seconds: result.duration,
    bytesPerResponse: result.requests.total > 0 ? Math.round(result.throughput.total / result.requests.total) : 0,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    serverCpuCores: serverCpu / wall,
    generatorCpuCores: (generator.user + generator.system) / 1e6 / wall,
  };
}

/** Several runs as one: throughput over the total time; latency percentiles of the worst run. */
export function combineRuns(runs: LoadRun[]): LoadRun & { perRoundRequestsPerSec: number[] } {
  const sum = (f: (r: LoadRun) => number) => runs.reduce((acc, r) => acc + f(r), 0);
  const max = (f: (r: LoadRun) => number) => Math.max(...runs.map(f));
  const seconds = sum((r) => r.seconds);
  const weighted = (f: (r: LoadRun) => number) => sum((r) => f(r) * r.seconds) / seconds;
  return {
    requestsPerSec: sum((r) => r.requests) / seconds,
    requests: sum((r) => r.requests),
    seconds,
    bytesPerResponse: Math.round(weighted((r) => r.bytesPerResponse)),
    latencyP50Ms: max((r) => r.latencyP50Ms),
    latencyP99Ms: max((r) => r.latencyP99Ms),
    non2xx: sum((r) => r.non2xx),
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    serverCpuCores: round(weighted((r) => r.serverCpuCores), 2),
    generatorCpuCores: round(weighted((r) => r.generatorCpuCores), 2),
    perRoundRequestsPerSec: runs.map((r) => round(r.requestsPerSec)),
  };
}

/**
 * Warms both targets up, then measures them with the same autocannon settings, alternating
 * (see `interleaved`) in rounds that add up to `durationSeconds` per side.
 */
export async function compareLoad(baseline: LoadTarget, value: LoadTarget, settings: LoadSettings) {
  for (const target of [baseline, value]) {
    progress(`warm-up ${target.label}: ${settings.warmupSeconds} s, ${settings.connections} connections`);
    await cannon(target, settings.connections, settings.warmupSeconds);
  }
  const seconds = settings.durationSeconds / settings.rounds;
  const runs = await interleaved(settings.rounds, async (side, r) => {
    const target = side === 'baseline' ? baseline : value;
    progress(`round ${r + 1}/${settings.rounds} ${target.label}: ${seconds} s`);
    return loadRun(target, settings.connections, seconds);
  });
  return { baseline: combineRuns(runs.baseline), value: combineRuns(runs.value) };
}
