/**
 * A worker-role Switchboard in a child process, for tests that kill it (SIGKILL) and start
 * another: `forkWorker` passes the configuration (env-style strings, read by loadConfig) as JSON
 * and resolves once the child's runtime has started (its senders and jobs running).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/lib/logger';
import { startRuntime } from '../../server/runtime';

const CONFIG_ENV = 'SB_WORKER_CONFIG';
const READY_TIMEOUT_MS = 60_000;
const live = new Set<ChildProcess>();

// No worker outlives the test run, whatever happens to it.
process.on('exit', () => {
  for (const child of live) {
    child.kill('SIGKILL');
  }
});

export type WorkerChild = { child: ChildProcess; kill: () => Promise<void> };

/** Forks this file as a worker process with `config`; resolves when it reports ready. */
export function forkWorker(config: Record<string, string>): Promise<WorkerChild> {
  const child = fork(__filename, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  const kill = async () => {
    child.kill('SIGKILL');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the worker was not ready in time'));
    }, READY_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the worker exited (${signal ?? code}) before it was ready`));
    });
    child.on('message', (message: { type: string; error?: string }) => {
      clearTimeout(timer);
      if (message.type === 'ready') {
        resolve({ child, kill });
      } else {
        reject(new Error(message.error ?? 'the worker failed'));
      }
    });
  });
}

async function main(): Promise<void> {
  const config = loadConfig(JSON.parse(process.env[CONFIG_ENV]!) as Record<string, string>);
  const runtime = await startRuntime(config, createLogger(config.logLevel));
  process.on('disconnect', () => {
    void runtime.stop().finally(() => process.exit(0));
  });
  process.send?.({ type: 'ready' });
}

if (process.env[CONFIG_ENV] && process.send) {
  main().catch((err: unknown) => {
    process.send?.({ type: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    process.exit(1);
  });
}
