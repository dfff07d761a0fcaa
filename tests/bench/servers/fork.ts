/**
 * The parent side of bench servers: forks `tests/bench/servers/<script>.ts` under tsx, so the
 * load generator and the server never share an event loop, and makes sure no child outlives
 * the run. The child side is child.ts.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ChildMessage, ParentMessage } from './child';

export type ChildServer = {
  url: string;
  /** What the child sent with its ready message (e.g. the bootstrap admin). */
  info: unknown;
  /** CPU time (user + system) the child has used so far, in seconds. */
  cpuSeconds: () => Promise<number>;
  stop: () => Promise<void>;
};

/** The server scripts under tests/bench/servers/ that run as children. */
export type ServerScript = 'bareKoa' | 'switchboard' | 'webhookBaseline';

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;
const live = new Set<ChildProcess>();

// Last resort (crash, Ctrl-C): no server child outlives the run.
process.on('exit', () => {
  for (const child of live) {
    child.kill('SIGKILL');
  }
});

/** Forks `tests/bench/servers/<script>.ts` under tsx and resolves once it listens. */
export function forkServer(script: ServerScript, env: Record<string, string> = {}): Promise<ChildServer> {
  // BENCH_CPU_PROF_DIR: each server child writes a .cpuprofile there when it stops.
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const child = fork(path.join(__dirname, `${script}.ts`), [], {
    // BENCH_SERVER_NODE_FLAGS: Node flags for the server child (e.g. --max-semi-space-size=64, to
    // measure a tuning the README describes); none by default, as npm start and the image run it.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profileDir)}`] : [])],
    env: { ...process.env, NODE_ENV: 'production', ...env },
    // The child's stdout goes to our stderr.
    stdio: ['ignore', 2, 2, 'ipc'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  // IPC write failures (the child died meanwhile) surface through the callers; do not crash on them.
  child.on('error', (err) => process.stderr.write(`[bench] ${script}: ${err.message}\n`));
  return new Promise<ChildServer>((resolve, reject) => {
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      child.kill('SIGKILL');
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`${script} was not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    const onEarlyExit = (code: number | null, signal: string | null) =>
      fail(new Error(`${script} exited (${signal ?? code}) before it was ready`));
    child.once('exit', onEarlyExit);
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'failed') {
        child.off('message', onMessage);
        fail(new Error(`${script} failed to start: ${message.message}`));
      } else if (message.type === 'ready') {
        child.off('message', onMessage);
        clearTimeout(timer);
        child.off('exit', onEarlyExit);
        resolve({ url: message.url, info: message.info, cpuSeconds: () => childCpu(child), stop: () => stopChild(child) });
      }
    };
    child.on('message', onMessage);
  });
}

function childCpu(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, seconds = 0) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) {
        reject(err);
      } else {
        resolve(seconds);
      }
    };
    const onMessage = (message: ChildMessage) => {
      if (message.type === 'cpu') {
        done(null, (message.userMicros + message.systemMicros) / 1e6);
      }
    };
    const onExit = () => done(new Error('server child exited'));
    const timer = setTimeout(() => done(new Error('server child did not report its CPU time')), 5000);
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ type: 'cpu' } satisfies ParentMessage, (err) => {
      if (err) {
        done(err);
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  if (child.connected) {
    child.send({ type: 'stop' } satisfies ParentMessage, (err) => {
      if (err) {
        child.kill('SIGKILL');
      }
    });
  } else {
    child.kill('SIGTERM');
  }
  await exited;
  clearTimeout(deadline);
}

/** Stops every server child still running (the runner calls this before exiting). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...live].map((child) => stopChild(child)));
}
