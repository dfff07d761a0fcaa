/**
 * Runs PostgreSQL's own programs for the embedded cluster: initdb once, then the server as a
 * child process. Every way they can fail ends as an EmbeddedDbError with one line saying what
 * to do, never a stack trace or an undefined rejection.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chown, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddedDbError } from './embeddedError';
import type { Placement } from './pgPlacement';

/** The line PostgreSQL logs once it accepts connections (messages are in English: LC_MESSAGES=C). */
const READY = 'database system is ready to accept connections';
/** Lines of PostgreSQL's own output kept to explain a failure. */
const KEPT_LINES = 40;

export type PgLog = (line: string) => void;
export type RunningPg = { stop: () => Promise<void> };

function run(p: Placement, program: string, args: string[]): ChildProcess {
  return spawn(path.join(p.binDir, program), args, {
    ...(p.runAs ? { uid: p.runAs.uid, gid: p.runAs.gid } : {}),
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Keeps the last lines a child printed, logging each. */
function collect(child: ChildProcess, log: PgLog): string[] {
  const lines: string[] = [];
  const take = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n').map((l) => l.trim()).filter(Boolean)) {
      log(line);
      lines.push(line);
      if (lines.length > KEPT_LINES) {
        lines.shift();
      }
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return lines;
}

/** The reason PostgreSQL gave: the text of its last FATAL/PANIC/ERROR line, else its last line. */
function reasonIn(lines: string[]): string | undefined {
  const severe = [...lines].reverse().find((l) => /\b(FATAL|PANIC|ERROR):/.test(l) || /^initdb: error:/.test(l));
  const line = severe ?? lines[lines.length - 1];
  return line?.replace(/^.*?\b(FATAL|PANIC|ERROR):\s*/, '').replace(/^initdb: error:\s*/, '').replace(/\s+/g, ' ').replace(/\.$/, '');
}

/** One line for a server that exited before it was ready. */
export function explainStartFailure(lines: string[], p: Placement, exit: string): string {
  const text = lines.join('\n');
  const holder = /lock file "postmaster\.pid" already exists/.test(text) ? (/another postmaster \(PID (\d+)\)/.exec(text)?.[1] ?? '?') : null;
  if (holder) {
    return `The embedded PostgreSQL in ${p.dataDir} is already running (PID ${holder}): stop the Switchboard, test run or tool that uses it, or set SWITCHBOARD_DATA_DIR to another folder.`;
  }
  const reason = reasonIn(lines) ?? exit;
  if (/permission denied/i.test(text)) {
    const who = p.runAs ? ` (running as the ${p.runAs.name} user)` : '';
    return `PostgreSQL${who} cannot use ${p.dataDir}: ${reason}. Fix that folder's owner or modes, or set DATABASE_URL to use another PostgreSQL.`;
  }
  return `The embedded PostgreSQL in ${p.dataDir} did not start: ${reason}. Set DATABASE_URL to use another PostgreSQL, or LOG_LEVEL=debug to see its log.`;
}

function programError(program: string, p: Placement, err: NodeJS.ErrnoException): EmbeddedDbError {
  const where = path.join(p.binDir, program);
  const hint = err.code === 'EACCES' ? ' (its folder must be readable and executable by the user that runs it; a noexec mount prevents it too)' : '';
  return new EmbeddedDbError(`Cannot run PostgreSQL's ${program} at ${where}: ${err.code ?? err.message}${hint}. Reinstall the npm packages (npm ci), or set DATABASE_URL to use another PostgreSQL.`);
}

/** Creates the cluster: superuser `user` with `password` (SCRAM), UTF-8. */
export async function initCluster(p: Placement, user: string, password: string, log: PgLog): Promise<void> {
  // Beside the cluster, where only its owner can read it; never in a shared temporary folder.
  const pwfile = path.join(path.dirname(p.dataDir), `.pg-password-${process.pid}`);
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (p.runAs) {
      await chown(pwfile, p.runAs.uid, p.runAs.gid);
    }
    const child = run(p, 'initdb', [
      `--pgdata=${p.dataDir}`, '--auth=scram-sha-256', `--username=${user}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--lc-messages=C',
    ]);
    const lines = collect(child, log);
    await new Promise<void>((resolve, reject) => {
      child.on('error', (err) => reject(programError('initdb', p, err)));
      child.on('close', (code, signal) => {
        if (code === 0) {
          resolve();
          return;
        }
        const reason = reasonIn(lines) ?? `exit ${code ?? signal}`;
        reject(new EmbeddedDbError(`initdb could not create the embedded PostgreSQL in ${p.dataDir}: ${reason}. Free that folder (or its disk), or set DATABASE_URL to use another PostgreSQL.`));
      });
    });
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Starts the server on 127.0.0.1:`port`; resolves once it accepts connections. */
export async function startServer(p: Placement, port: number, flags: string[], log: PgLog): Promise<RunningPg> {
  const child = run(p, 'postgres', ['-D', p.dataDir, '-p', String(port), ...flags]);
  const lines = collect(child, log);
  // Should this process end without stopping the server (an uncaught error), the server goes too.
  const onExit = () => child.kill('SIGINT');
  process.on('exit', onExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        if (chunk.toString('utf8').includes(READY)) {
          resolve();
        }
      };
      child.stderr?.on('data', onData);
      child.stdout?.on('data', onData);
      child.once('error', (err) => reject(programError('postgres', p, err)));
      child.once('exit', (code, signal) => reject(new EmbeddedDbError(explainStartFailure(lines, p, `exit ${code ?? signal}`))));
    });
  } catch (err) {
    process.off('exit', onExit);
    throw err;
  }
  return {
    stop: async () => {
      process.off('exit', onExit);
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT: PostgreSQL's fast shutdown (sessions ended, then a clean checkpoint).
        child.kill('SIGINT');
      }
      await exited;
    },
  };
}
