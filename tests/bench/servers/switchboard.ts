/**
 * The real application in a child process: startRuntime with the configuration the parent
 * passes as JSON in SB_BENCH_CONFIG (env-style strings, read by loadConfig), so nothing from
 * the shell's environment leaks into the measured setup.
 */
import { loadConfig } from '../../../server/config';
import { createLogger } from '../../../server/lib/logger';
import { startRuntime } from '../../../server/runtime';
import { CONFIG_ENV, serveChild } from './child';

serveChild(async () => {
  const raw = process.env[CONFIG_ENV];
  if (!raw) {
    throw new Error(`${CONFIG_ENV} is not set`);
  }
  const config = loadConfig(JSON.parse(raw) as Record<string, string>);
  const runtime = await startRuntime(config, createLogger(config.logLevel));
  if (!runtime.url) {
    await runtime.stop();
    throw new Error('the runtime started without a web role');
  }
  // The bootstrap admin's one-time password goes to the parent, which signs in like a browser.
  return { url: runtime.url, info: { bootstrap: runtime.bootstrap }, stop: runtime.stop };
});
