/**
 * How the sync CLIs end: the exit code `main` returns, or 1 with one line on stderr. A bad
 * configuration prints its own list of what to fix; any other failure is prefixed with the command.
 * Sets process.exitCode rather than exiting, so streams flush and closers finish.
 */
import { ConfigError } from '../config.js';

export function runCli(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        error instanceof ConfigError
          ? `${error.message}\n`
          : `${command} failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
