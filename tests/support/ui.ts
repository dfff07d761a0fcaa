import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { projectRoot } from '../../server/lib/paths';

export const CHROMIUM = '/usr/bin/chromium';

function newestUnder(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newestUnder(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds the admin UI when it is missing or older than its sources (as `npm start` does). */
export function ensureUiBuilt(): void {
  const index = path.join(projectRoot, 'dist', 'admin-ui', 'index.html');
  if (existsSync(index) && statSync(index).mtimeMs >= newestUnder(path.join(projectRoot, 'admin-ui'))) {
    return;
  }
  execFileSync(path.join(projectRoot, 'node_modules', '.bin', 'vite'), ['build', '--config', 'admin-ui/vite.config.mts', '--logLevel', 'error'], {
    cwd: projectRoot,
    stdio: 'inherit',
    env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
  });
}

/**
 * Debian's Chromium, installed on demand when missing (we run as root on these machines);
 * a machine where that fails fails the test rather than skipping it.
 */
export function ensureChromium(): void {
  if (existsSync(CHROMIUM)) {
    return;
  }
  const apt = (args: string[]) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update']);
  apt(['install', '-y', '--no-install-recommends', 'chromium']);
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing and could not be installed with apt-get`);
  }
}

export async function launchChromium(): Promise<Browser> {
  ensureChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
}
