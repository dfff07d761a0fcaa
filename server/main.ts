import { ConfigError, loadConfig } from './config';
import { createLogger } from './lib/logger';
import { startRuntime } from './runtime';

/** Entry point: validate configuration, boot the configured role, stop cleanly on signals. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const runtime = await startRuntime(config, log);
  if (runtime.bootstrap) {
    // Printed once, to the terminal only: this is the sole copy of the password.
    process.stdout.write(
      [
        '',
        '================================================================',
        ' Switchboard: first administrator created',
        `   email:    ${runtime.bootstrap.email}`,
        `   password: ${runtime.bootstrap.password}`,
        ' You must change this password at first sign-in.',
        ` It expires in ${config.temporaryPasswordMs / 3_600_000} h (TEMPORARY_PASSWORD_HOURS).`,
        '================================================================',
        '',
      ].join('\n'),
    );
  }
  if (runtime.url) {
    process.stdout.write(`Switchboard is running: http://localhost:${config.port}\n`);
  }
  let signalled = false;
  const shutdown = (signal: string) => {
    if (signalled) {
      return;
    }
    signalled = true;
    log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    runtime.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // This process owns shutdown (no library's exit hook may stop the database first), so the
  // embedded database stops last, after the drain.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  // An EmbeddedDbError's stack is its one line saying what to do.
  process.stderr.write(`Switchboard failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
