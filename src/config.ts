/**
 * Every environment variable the gateway reads, in one zod schema. Nothing else reads
 * process.env. A bad or missing value stops start-up with one message listing every problem.
 * The README config table is checked against `configDocs` by a test: keep descriptions here.
 */
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));
const spaceSeparated = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim().split(/[\s,]+/)));

/** Each entry: the schema and the sentence README shows. */
const entries = {
  NODE_ENV: [z.enum(['development', 'production', 'test']).default('development'), 'development, production or test; production refuses to start without client auth'],
  PORT: [port.default(4000), 'port of the gateway (GraphQL, webhooks, OAuth, health)'],
  LOG_LEVEL: [z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'pino log level'],
  GHL_API_BASE_URL: [z.url().default('https://services.leadconnectorhq.com'), 'HighLevel API base URL'],
  GHL_PRIVATE_INTEGRATION_TOKEN: [optionalText, 'a sub-account Private Integration Token (pit-…); with GHL_LOCATION_ID it turns demo mode off'],
  GHL_LOCATION_ID: [optionalText, 'the HighLevel location (sub-account) the Private Integration Token belongs to'],
  GHL_TOKEN_SCOPES: [spaceSeparated, 'scopes the Private Integration Token holds, space separated; unset: learned (tasks search) / contacts.readonly only (writes)'],
  GHL_SIM_PORT: [port.default(4010), 'port of the HighLevel simulator (npm run simulate, demo mode)'],
  GHL_REQUEST_TIMEOUT_MS: [positiveInt.default(15000), 'timeout of every HighLevel request'],
  GHL_MAX_RETRIES: [nonNegativeInt.default(4), 'retries of idempotent HighLevel requests on 5xx, resets and timeouts'],
  GHL_CONCURRENCY_PER_LOCATION: [positiveInt.default(8), 'HighLevel requests in flight at once per location'],
  GHL_DAILY_RESERVE: [nonNegativeInt.default(1000), 'daily HighLevel requests kept in reserve: the client refuses to spend them'],
  GHL_INTERACTIVE_SHARE: [z.coerce.number().min(0).max(1).default(0.3), 'share of each burst window reserved for interactive (GraphQL) traffic over background sync'],
  DEMO_CONTACTS: [positiveInt.default(300), 'contacts seeded into the embedded simulator in demo mode'],
  DEMO_SEED: [z.coerce.number().int().default(42), 'seed of the demo data'],
};

type Entries = typeof entries;
type Shape = { [K in keyof Entries]: Entries[K][0] };

const shape = Object.fromEntries(Object.entries(entries).map(([name, [schema]]) => [name, schema])) as Shape;

export const ConfigSchema = z.object(shape);
export type Config = z.infer<typeof ConfigSchema>;

/** Name, default and description of every variable, for README and `--help`. */
export const configDocs = Object.entries(entries).map(([name, [schema, description]]) => {
  const parsed = (schema as z.ZodType).safeParse(undefined);
  const fallback = parsed.success && parsed.data !== undefined ? String(parsed.data) : '';
  return { name, default: fallback, description: description as string };
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration; fix these environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = ConfigSchema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const config = result.data;
  const problems: string[] = [];
  if ((config.GHL_PRIVATE_INTEGRATION_TOKEN === undefined) !== (config.GHL_LOCATION_ID === undefined)) {
    problems.push('GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID: set both (real HighLevel) or neither (demo mode)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Demo mode: no HighLevel credentials, so the embedded simulators stand in. */
export function isDemoMode(config: Config): boolean {
  return config.GHL_PRIVATE_INTEGRATION_TOKEN === undefined;
}
