#!/usr/bin/env node
// `npm start`: build what is missing or stale (admin UI, compiled server), then run the
// compiled server in the foreground, passing signals through for a clean shutdown.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Newest modification time of the files under the given folders. */
function newest(...dirs) {
  let latest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else {
        latest = Math.max(latest, statSync(full).mtimeMs);
      }
    }
  };
  dirs.filter((d) => existsSync(d)).forEach(walk);
  return latest;
}

function run(label, command, args) {
  process.stdout.write(`${label}...\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`${label} failed.\n`);
    process.exit(result.status ?? 1);
  }
}

const uiIndex = path.join(root, 'dist', 'admin-ui', 'index.html');
if (!existsSync(uiIndex) || newest(path.join(root, 'admin-ui')) > statSync(uiIndex).mtimeMs) {
  run('Building the admin UI', bin('vite'), ['build', '--config', 'admin-ui/vite.config.mts', '--logLevel', 'warn']);
}
const serverMain = path.join(root, 'dist', 'server', 'main.js');
const sources = newest(path.join(root, 'server'), path.join(root, 'migrations'));
if (!existsSync(serverMain) || sources > statSync(serverMain).mtimeMs) {
  run('Compiling the server', bin('tsc'), ['-p', 'tsconfig.build.json']);
}

const child = spawn(process.execPath, ['--enable-source-maps', serverMain], { cwd: root, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
