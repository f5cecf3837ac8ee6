/**
 * The one list of what a process started, in order, so it is closed in reverse from one place:
 * on shutdown, and when a later module fails to start (then everything started before it is
 * closed and the start-up error is what the caller sees). Every module registers its closer
 * right after it started; nothing else in the composition tears anything down.
 *
 * Closing runs every closer even when one fails (a stuck Redis must not keep the store open);
 * the failures are logged by module name and the first is thrown once all have run.
 */

/** Where close failures are reported (a pino logger is one). */
interface CloseLog {
  warn(fields: object, message: string): void;
}

interface Closer {
  name: string;
  close: () => Promise<void> | void;
}

export class Lifecycle {
  private readonly closers: Closer[] = [];
  private closing: Promise<void> | null = null;

  constructor(private readonly logger: CloseLog) {}

  /** Starts a module and registers its closer; a module whose start throws registers nothing. */
  async start<T>(name: string, open: () => Promise<T> | T, close?: (value: T) => Promise<void> | void): Promise<T> {
    if (this.closing !== null) throw new Error(`cannot start ${name}: the process is closing`);
    const value = await open();
    if (close !== undefined) this.closers.push({ name, close: () => close(value) });
    return value;
  }

  /** Registers a closer for something started outside `start` (e.g. a worker started by its module). */
  onClose(name: string, close: () => Promise<void> | void): void {
    if (this.closing !== null) throw new Error(`cannot register ${name}: the process is closing`);
    this.closers.push({ name, close });
  }

  /** The modules registered so far, in start order (the reverse of the closing order). */
  get started(): string[] {
    return this.closers.map((closer) => closer.name);
  }

  /** Closes every module in reverse start order, once; later calls return the same promise. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let first: unknown = null;
      for (const closer of [...this.closers].reverse()) {
        try {
          await closer.close();
        } catch (error) {
          this.logger.warn({ err: error, module: closer.name }, 'a module failed to close; closing the rest');
          first ??= error;
        }
      }
      if (first !== null) throw first;
    })();
    return this.closing;
  }
}

/**
 * Runs `build` with a fresh lifecycle. If it throws, what it started is closed in reverse and the
 * build's error is rethrown (a failure to close is only logged: the start-up error is the news).
 */
export async function composed<T>(logger: CloseLog, build: (lifecycle: Lifecycle) => Promise<T>): Promise<T> {
  const lifecycle = new Lifecycle(logger);
  try {
    return await build(lifecycle);
  } catch (error) {
    await lifecycle.close().catch(() => undefined);
    throw error;
  }
}
