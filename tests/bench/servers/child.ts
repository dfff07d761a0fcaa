/**
 * The child side of a bench server: started by `forkServer` (support.ts) so the server and
 * the load generator each have their own event loop. Talks to the parent over the fork IPC
 * channel only; stdout is the parent's stderr, so nothing here can spoil the JSON report.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** Parent -> child. */
export type ParentMessage = { type: 'cpu' } | { type: 'stop' };

/** Child -> parent. `cpu` is process.cpuUsage() in microseconds, sampled on request. */
export type ChildMessage =
  | { type: 'ready'; url: string; info: unknown }
  | { type: 'failed'; message: string }
  | { type: 'cpu'; userMicros: number; systemMicros: number };

/** The route the baseline server (bareKoa.ts) answers. */
export const BARE_PATH = '/hello';

/** The environment variable holding the configuration of the app server (switchboard.ts). */
export const CONFIG_ENV = 'SB_BENCH_CONFIG';

export type StartedServer = { url: string; info?: unknown; stop: () => Promise<void> };

// A child must never outlive a stop request for long, even if its server hangs on close.
const STOP_DEADLINE_MS = 10_000;

function send(message: ChildMessage): void {
  process.send?.(message);
}

/** Starts a server in this (child) process and serves the parent's requests until told to stop. */
export function serveChild(start: () => Promise<StartedServer>): void {
  if (!process.send) {
    throw new Error('bench servers run as children of tests/bench/run.ts (forkServer), not on their own');
  }
  let started: StartedServer | null = null;
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) {
      return;
    }
    stopping = true;
    setTimeout(() => process.exit(code === 0 ? 3 : code), STOP_DEADLINE_MS).unref();
    try {
      await started?.stop();
    } finally {
      process.exit(code);
    }
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'cpu') {
      const usage = process.cpuUsage();
      send({ type: 'cpu', userMicros: usage.user, systemMicros: usage.system });
    } else if (message.type === 'stop') {
      void shutdown(0);
    }
  });
  // The parent died or closed the channel: do not linger as an orphan holding a port and a pool.
  process.on('disconnect', () => void shutdown(1));
  start()
    .then((server) => {
      started = server;
      send({ type: 'ready', url: server.url, info: server.info ?? null });
    })
    .catch((err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      process.exit(1);
    });
}

/**
 * Serves a request handler (a Koa app's callback) on a free loopback port with the real web role's keep-alive
 * (server/runtime.ts), so both sides of a comparison keep their connections alike.
 */
export async function listenOnLoopback(callback: http.RequestListener, onStop: () => Promise<void> = async () => undefined): Promise<StartedServer> {
  const server = http.createServer(callback);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await onStop();
    },
  };
}
