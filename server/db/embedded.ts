import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../lib/logger';
import { EmbeddedDbError } from './embeddedError';
import { clusterDataDir, placeCluster } from './pgPlacement';
import { initCluster, startServer } from './pgProcess';

export { EmbeddedDbError } from './embeddedError';

export type EmbeddedServer = { url: (database: string) => string; stop: () => Promise<void> };

/** A free TCP port on loopback, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts (initialising on first use) the PostgreSQL cluster of the data folder `dir`: in
 * `dir/pg`, or for root wherever pgPlacement puts it. Its superuser password is generated once
 * and kept in `dir`, readable only by us. Fails with an EmbeddedDbError: one line saying what to do.
 */
export async function startEmbeddedPostgres(dir: string, log: Logger): Promise<EmbeddedServer> {
  const credentialsFile = path.join(dir, 'pg-credentials.json');
  await mkdir(dir, { recursive: true, mode: 0o700 }).catch((err: NodeJS.ErrnoException) => {
    throw new EmbeddedDbError(`Cannot create the data folder ${dir} (${err.code ?? err.message}): make it writable, or set SWITCHBOARD_DATA_DIR to another folder.`);
  });
  const place = await placeCluster(dir);
  let password: string;
  const fresh = !existsSync(path.join(place.dataDir, 'PG_VERSION'));
  if (!fresh && !existsSync(credentialsFile)) {
    // As root the cluster lives outside the data folder, so deleting the folder leaves it behind;
    // its password went with the folder. Say so, rather than fail later on a refused password.
    throw new EmbeddedDbError(
      `The embedded PostgreSQL in ${place.dataDir} belongs to the data folder ${dir}, but the folder has lost its pg-credentials.json (deleted or replaced): restore the folder, or delete ${place.dataDir} to start afresh with an empty database.`,
    );
  }
  if (fresh) {
    password = randomBytes(18).toString('base64url');
    await writeFile(credentialsFile, JSON.stringify({ user: 'postgres', password }), { mode: 0o600 });
  } else {
    password = (JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string }).password;
  }
  const pgLog = log.child({ component: 'embedded-postgres' });
  const logLine = (line: string) => pgLog.debug({ pg: line });
  if (fresh) {
    log.info({ dataDir: place.dataDir }, 'initialising embedded PostgreSQL');
    await initCluster(place, 'postgres', password, logLine);
  }
  const port = await freePort();
  const server = await startServer(place, port, ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'], logLine);
  await writeFile(path.join(dir, 'pg-port'), String(port), { mode: 0o600 });
  log.info({ port, dataDir: place.dataDir }, 'embedded PostgreSQL started');
  return {
    url: (database: string) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: () => server.stop(),
  };
}

/**
 * For command-line tools: the embedded cluster a running Switchboard already started
 * (found through the port it recorded), or a fresh start when none is running.
 */
export async function attachOrStartEmbedded(dir: string, log: Logger): Promise<EmbeddedServer> {
  const portFile = path.join(dir, 'pg-port');
  const credentialsFile = path.join(dir, 'pg-credentials.json');
  const running = existsSync(dir) && existsSync(path.join(await clusterDataDir(dir), 'postmaster.pid'));
  if (running && existsSync(portFile) && existsSync(credentialsFile)) {
    const port = Number(await readFile(portFile, 'utf8'));
    const { password } = JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string };
    const url = (database: string) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    const probe = new pg.Client({ connectionString: url('postgres'), connectionTimeoutMillis: 2000 });
    try {
      await probe.connect();
      await probe.end();
      return { url, stop: async () => undefined };
    } catch {
      await probe.end().catch(() => undefined);
    }
  }
  return startEmbeddedPostgres(dir, log);
}
