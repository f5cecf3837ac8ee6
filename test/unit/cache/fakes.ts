/** Test doubles for the cache tests: a controllable clock and a pino logger that records its lines. */
import { pino } from 'pino';
import { z } from 'zod';

export class FakeClock {
  constructor(private current = 1_700_000_000_000) {}
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

const LogLineSchema = z.looseObject({ level: z.number(), msg: z.string().optional() });
type LogLine = z.infer<typeof LogLineSchema>;

/** A real pino logger writing JSON lines into memory, so tests can count what was logged. */
export function recordingLogger(): {
  logger: pino.Logger;
  lines: LogLine[];
  warnings: () => LogLine[];
  infos: () => LogLine[];
} {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug', base: null, timestamp: false },
    {
      write(chunk: string) {
        lines.push(LogLineSchema.parse(JSON.parse(chunk)));
      },
    },
  );
  return {
    logger,
    lines,
    warnings: () => lines.filter((line) => line.level === 40),
    infos: () => lines.filter((line) => line.level === 30),
  };
}

/** A loader that counts its calls and returns what it is told, or throws what it is told. */
export class ScriptedLoader<T> {
  calls = 0;
  lanes: string[] = [];
  private outcome: { value: T } | { error: unknown };
  private gate: Promise<void> = Promise.resolve();

  constructor(value: T) {
    this.outcome = { value };
  }

  returns(value: T): this {
    this.outcome = { value };
    return this;
  }

  throws(error: unknown): this {
    this.outcome = { error };
    return this;
  }

  /** Holds every call until the returned function is called (to keep loads in flight). */
  hold(): () => void {
    let release: () => void = () => {};
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  }

  readonly load = async (context: { lane: string }): Promise<T> => {
    this.calls += 1;
    this.lanes.push(context.lane);
    await this.gate;
    if ('error' in this.outcome) throw this.outcome.error;
    return this.outcome.value;
  };
}
