// The embedded PostgreSQL of zero-config mode, started from a folder nobody else may enter (a
// clone in /root, mode 700): as root it runs as the postgres user from a place that user can
// reach; as a normal user it runs in place. What still stops it is one line saying what to do.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { attachOrStartEmbedded, EmbeddedDbError, startEmbeddedPostgres, type EmbeddedServer } from '../../server/db/embedded';
import { LOCATION_FILE, ROOT_PG_HOME } from '../../server/db/pgPlacement';
import { createLogger } from '../../server/lib/logger';
import { projectRoot } from '../../server/lib/paths';

const log = createLogger('silent');
const asRoot = process.getuid?.() === 0;

async function query(server: EmbeddedServer, sql: string): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: server.url('postgres') });
  await client.connect();
  try {
    return (await client.query(sql)).rows as Array<Record<string, unknown>>;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL from a mode-700 folder', function () {
  this.timeout(120_000); // initdb, then several starts, on a shared machine
  let home: string;
  let dataFolder: string;
  let server: EmbeddedServer | null = null;

  before(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'sb-embedded-'));
    await chmod(home, 0o700);
    dataFolder = path.join(home, 'clone', '.data');
  });

  after(async () => {
    await server?.stop();
    const location = path.join(dataFolder, LOCATION_FILE);
    if (existsSync(location)) {
      await rm(path.dirname(readFileSync(location, 'utf8').trim()), { recursive: true, force: true });
    }
    await rm(home, { recursive: true, force: true });
  });

  it(asRoot
    ? 'as root: runs as the postgres user with its data under /var/lib/switchboard, kept across restarts'
    : 'as a normal user: runs as this user with its data in the folder, kept across restarts', async () => {
    server = await startEmbeddedPostgres(dataFolder, log);
    const [{ data_directory: dataDir }] = await query(server, 'SELECT current_setting(\'data_directory\') AS data_directory');
    // PostgreSQL runs only as its data directory's owner, so the owner is the user it runs as.
    const owner = spawnSync('stat', ['-c', '%U', String(dataDir)], { encoding: 'utf8' }).stdout.trim();
    if (asRoot) {
      expect(String(dataDir).startsWith(`${ROOT_PG_HOME}/clusters/`), String(dataDir)).to.equal(true);
      expect(owner).to.equal('postgres');
      expect(readFileSync(path.join(dataFolder, LOCATION_FILE), 'utf8').trim()).to.equal(dataDir);
    } else {
      expect(dataDir).to.equal(path.join(dataFolder, 'pg'));
      expect(owner).to.equal(os.userInfo().username);
    }
    await query(server, 'CREATE TABLE kept (note text); INSERT INTO kept VALUES (\'before the restart\')');
    await server.stop();
    server = await startEmbeddedPostgres(dataFolder, log);
    expect(await query(server, 'SELECT note FROM kept')).to.deep.equal([{ note: 'before the restart' }]);
  });

  it('lets the command-line tools attach to the running cluster', async () => {
    const attached = await attachOrStartEmbedded(dataFolder, log);
    expect(await query(attached, 'SELECT note FROM kept')).to.deep.equal([{ note: 'before the restart' }]);
    await attached.stop(); // attached only: the cluster keeps running
    expect(await query(server!, 'SELECT 1 AS one')).to.deep.equal([{ one: 1 }]);
  });

  it('refuses a second start on the same folder with one line saying what to do', async () => {
    let caught: unknown;
    try {
      await startEmbeddedPostgres(dataFolder, log);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(EmbeddedDbError);
    const message = (caught as Error).message;
    expect(message).to.match(/^The embedded PostgreSQL in \S+ is already running \(PID \d+\): stop the Switchboard, test run or tool that uses it, or set SWITCHBOARD_DATA_DIR to another folder\.$/);
    expect((caught as Error).stack).to.equal(message);
  });

  it('makes the server exit 1 with that one line, not a stack trace', () => {
    const tsx = path.join(projectRoot, 'node_modules', '.bin', 'tsx');
    const result = spawnSync(tsx, [path.join(projectRoot, 'server', 'main.ts')], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, DATABASE_URL: '', SWITCHBOARD_DATA_DIR: dataFolder, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' },
    });
    expect(result.status, result.stderr).to.equal(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines, result.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^Switchboard failed to start: The embedded PostgreSQL in \S+ is already running \(PID \d+\)/);
  });

  it('refuses, with one line, a cluster whose data folder lost its credentials (the folder deleted, the cluster left behind), and starts once they are back', async () => {
    await server!.stop();
    server = null;
    const credentials = path.join(dataFolder, 'pg-credentials.json');
    const aside = `${credentials}.aside`;
    await rename(credentials, aside);
    let caught: unknown;
    try {
      await startEmbeddedPostgres(dataFolder, log);
    } catch (err) {
      caught = err;
    }
    await rename(aside, credentials);
    expect(caught).to.be.instanceOf(EmbeddedDbError);
    expect((caught as Error).message).to.match(/^The embedded PostgreSQL in \S+ belongs to the data folder \S+, but the folder has lost its pg-credentials\.json \(deleted or replaced\): restore the folder, or delete \S+ to start afresh with an empty database\.$/);
    server = await startEmbeddedPostgres(dataFolder, log);
    expect(await query(server, 'SELECT note FROM kept')).to.deep.equal([{ note: 'before the restart' }]);
  });
});
