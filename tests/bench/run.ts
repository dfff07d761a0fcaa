/**
 * The bench runner: `npm run bench [name ...]` runs every `tests/bench/*.bench.ts` (or the
 * named ones) one after the other and prints one JSON array of results on stdout; progress
 * and logs go to stderr. A missed target still exits 0 (this measures, it does not test);
 * a bench that throws makes the exit code 1, an unknown name 2.
 *
 * Knobs (environment): BENCH_CONNECTIONS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_ROUNDS
 * (HTTP benches), BENCH_AUDIT_EVENTS, BENCH_AUDIT_PRODUCERS (audit), BENCH_LOG_LEVEL, and
 * BENCH_CPU_PROF_DIR (server children write V8 CPU profiles there).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { progress, round, stopAllServers, stopBenchCluster, type Bench, type BenchResult } from './support';

const BENCH_SUFFIX = '.bench.ts';

function isBench(x: unknown): x is Bench {
  const b = x as Partial<Bench> | null;
  return typeof b === 'object' && b !== null && typeof b.name === 'string' && typeof b.description === 'string' && typeof b.run === 'function';
}

/** The module's default export, whether the loader handed it over as ESM or as CommonJS interop. */
function benchOf(mod: unknown): Bench | null {
  let candidate = mod;
  for (let depth = 0; depth < 3 && !isBench(candidate); depth += 1) {
    candidate = (candidate as { default?: unknown } | null)?.default;
  }
  return isBench(candidate) ? candidate : null;
}

async function discover(): Promise<Bench[]> {
  const files = (await readdir(__dirname)).filter((f) => f.endsWith(BENCH_SUFFIX)).sort();
  const benches: Bench[] = [];
  for (const file of files) {
    const bench = benchOf(await import(pathToFileURL(path.join(__dirname, file)).href));
    if (!bench) {
      throw new Error(`${file} must default-export { name, description, run }`);
    }
    if (benches.some((b) => b.name === bench.name)) {
      throw new Error(`two benches are named ${bench.name}`);
    }
    benches.push(bench);
  }
  return benches;
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const all = await discover();
  const unknown = wanted.filter((name) => !all.some((b) => b.name === name));
  if (unknown.length > 0) {
    progress(`unknown bench ${unknown.join(', ')}; available: ${all.map((b) => b.name).join(', ')}`);
    return 2;
  }
  const selected = wanted.length > 0 ? all.filter((b) => wanted.includes(b.name)) : all;
  const results: BenchResult[] = [];
  let crashed = 0;
  try {
    for (const bench of selected) {
      progress(`${bench.name}: ${bench.description}`);
      const started = performance.now();
      try {
        const out = await bench.run();
        for (const result of Array.isArray(out) ? out : [out]) {
          results.push(result);
          progress(`${result.name}: ${result.value} ${result.metric} (baseline ${result.baseline}, ratio ${result.ratio}), target ${result.meetsTarget ? 'met' : 'MISSED'}`);
        }
      } catch (err) {
        crashed += 1;
        progress(`${bench.name} crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      progress(`${bench.name}: ${round((performance.now() - started) / 1000)} s`);
    }
  } finally {
    await stopAllServers();
    await stopBenchCluster();
  }
  await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n`, () => resolve()));
  return crashed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    progress(`runner failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
