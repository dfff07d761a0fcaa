import { ConfigError } from '../config';

/**
 * Runs a command-line tool's `main` and exits with its code; a configuration error is its one
 * line, anything else its stack.
 */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof ConfigError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
