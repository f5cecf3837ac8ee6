/**
 * The one logger factory. JSON lines (pino) in production and CI; pretty output when a person
 * watches a terminal. Secrets are redacted by path here, so no caller has to remember to.
 * Request-scoped lines come from child loggers (`withRequestId`), so every line of one GraphQL
 * operation or sync run carries the same `requestId` the upstream calls were sent with.
 */
import { pino, type Logger, type LoggerOptions } from 'pino';
import { REDACT_CENSOR, REDACT_PATHS } from '../auth/redaction.js';

/**
 * Shapes only this module's callers log (request headers of our own HTTP surface); the auth
 * module's list (src/auth/redaction.ts) holds the secrets themselves and is merged in below.
 */
const OWN_PATHS = [
  'headers["x-api-key"]',
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  '*.apiKey',
  '*.secret',
  '*.authorization',
];

/** Paths whose values never reach a log line: tokens, keys, signatures, secrets. */
const REDACTED_PATHS: readonly string[] = [...new Set([...REDACT_PATHS, ...OWN_PATHS])];

interface LoggerSettings {
  level: string;
  /** Pretty print (pino-pretty) instead of JSON; default: when stdout is a terminal. */
  pretty?: boolean;
  /** Where JSON lines go (tests capture them); default stdout. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    redact: { paths: [...REDACTED_PATHS], censor: REDACT_CENSOR },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (settings.destination) return pino(options, settings.destination);
  const pretty = settings.pretty ?? process.stdout.isTTY === true;
  if (pretty) {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l' } },
    });
  }
  return pino(options);
}

/** The logger of one GraphQL operation or sync run: every line carries its request id. */
export function withRequestId(logger: Logger, requestId: string, fields: Record<string, unknown> = {}): Logger {
  return logger.child({ requestId, ...fields });
}

/** A logger that drops everything, for tests and library defaults. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
