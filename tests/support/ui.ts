import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { projectRoot } from '../../server/lib/paths';

/** Where Chromium (or Chrome) usually is, after CHROMIUM_PATH: Debian/Ubuntu, then macOS. */
const KNOWN_BROWSERS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/snap/bin/chromium', // Ubuntu's chromium package installs the snap
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];
export const CHROMIUM_MISSING = 'Chromium not found: install it (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome binary';

/** A problem a person must fix before the browser tests can run: its stack is its one line. */
class BrowserSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.stack = message;
  }
}

function newestUnder(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newestUnder(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/**
 * Builds the admin UI when it is missing or older than its sources (as `npm start` does).
 * Mocha's global setup calls it before the workers start, so that two never build at once.
 */
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

/** What to do when findChromium finds nothing. */
function missingBrowser(): string {
  const configured = process.env.CHROMIUM_PATH;
  return configured ? `CHROMIUM_PATH is ${configured}, which does not exist: point it at a Chromium or Chrome binary, or unset it` : CHROMIUM_MISSING;
}

/** The browser the tests drive: CHROMIUM_PATH when set (and present), else a known install. */
export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    return existsSync(configured) ? configured : undefined;
  }
  return KNOWN_BROWSERS.find((p) => existsSync(p));
}

/**
 * Main process only (mocha's global setup, before the workers start, so two workers never run
 * apt-get at once): installs Debian's Chromium when none is found and this user may (root, with
 * apt-get). Returns null when a browser is there, else the line that says what to do.
 */
export function installChromiumIfMissing(): string | null {
  if (findChromium()) {
    return null;
  }
  if (process.env.CHROMIUM_PATH) {
    return missingBrowser();
  }
  const aptGet = ['/usr/bin/apt-get', '/bin/apt-get'].find((p) => existsSync(p));
  if (process.getuid?.() === 0 && aptGet) {
    process.stderr.write('Chromium not found: installing it with apt-get (once)...\n');
    const apt = (args: string[]) => spawnSync(aptGet, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    apt(['update', '-qq']);
    apt(['install', '-y', '-qq', '--no-install-recommends', 'chromium']);
  }
  return findChromium() ? null : missingBrowser();
}

/** Launches the browser found by findChromium; without one, fails with the line that says what to do. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new BrowserSetupError(missingBrowser());
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
}

/** Signs `email` in on a fresh page of the panel at `url` and waits for the signed-in layout. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<Page> {
  await page.goto(url);
  await page.fill('#login-email', email);
  await page.fill('#login-password', password);
  await page.click('[data-button="auth.login"]');
  await page.waitForSelector('[data-button="auth.logout"]');
  return page;
}

/**
 * Follows the page's API requests (the live stream aside), so a check can wait until it settles.
 * Requests are followed by identity: one already on its way when tracking starts finishes
 * without making the count negative (a plain counter then never came back to 0).
 */
export function trackRequests(page: Page): () => number {
  const inFlight = new Set<Request>();
  const counted = (url: string) => url.includes('/api/') && !url.endsWith('/events');
  page.on('request', (r) => {
    if (counted(r.url())) {
      inFlight.add(r);
    }
  });
  const done = (r: Request) => {
    inFlight.delete(r);
  };
  page.on('requestfinished', done);
  page.on('requestfailed', done);
  return () => inFlight.size;
}
