/**
 * Every environment variable the gateway reads, in one zod schema. Nothing else reads
 * process.env. A bad or missing value stops start-up with one message listing every problem.
 * The README config table is checked against `configDocs` by a test: keep descriptions here.
 */
import { z } from 'zod';
import { DocumentsModeSchema } from './auth/caller-identity.js';
import { authConfigProblems } from './auth/config-checks.js';
import { CacheTtlsEnvSchema, describeTtlDefaults } from './cache/cache-ttls.js';
import { CacheUrlEnvSchema } from './cache/cache-url.js';
import { notifyConfigEntries, notifyConfigProblems } from './notify/notify-config.js';
import { RoofrPathsEnvSchema, roofrConfigProblems } from './roofr/roofr-config.js';

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
  NODE_ENV: [
    z.enum(['development', 'production', 'test']).default('development'),
    'development, production or test; production refuses to start without client auth',
  ],
  PORT: [port.default(4000), 'port of the gateway (GraphQL, webhooks, OAuth, health)'],
  HOST: [
    z.string().min(1).default('127.0.0.1'),
    'interface the gateway listens on: this machine only by default; 0.0.0.0 for every interface (the Docker image sets it)',
  ],
  LOG_LEVEL: [z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), 'pino log level'],
  HEAP_GROWING_PERCENT: [
    nonNegativeInt.default(50),
    "how far V8 lets the heap grow past what survived its last full GC before collecting again, in percent (V8 flag --heap-growing-percent, set at start); 0: V8's own factor, up to 4× the live heap in RSS (faster, bigger)",
  ],
  SHUTDOWN_TIMEOUT_MS: [
    positiveInt.default(10000),
    'on SIGTERM/SIGINT: how long draining requests, checkpointing syncs and closing stores may take before the process exits anyway',
  ],
  PLAYGROUND: [
    booleanFlag.optional(),
    'serve GraphiQL at /playground (and to browsers opening /graphql); unset: on except in production',
  ],
  GHL_API_BASE_URL: [z.url().default('https://services.leadconnectorhq.com'), 'HighLevel API base URL'],
  GHL_PRIVATE_INTEGRATION_TOKEN: [
    optionalText,
    'a sub-account Private Integration Token (pit-…); with GHL_LOCATION_ID it turns demo mode off',
  ],
  GHL_LOCATION_ID: [optionalText, 'the HighLevel location (sub-account) the Private Integration Token belongs to'],
  GHL_TOKEN_SCOPES: [
    spaceSeparated,
    'scopes the Private Integration Token holds, space separated; unset: learned (tasks search) / contacts.readonly only (writes)',
  ],
  GHL_SIM_PORT: [port.default(4010), 'port of the HighLevel simulator (npm run simulate, demo mode)'],
  GHL_REQUEST_TIMEOUT_MS: [
    positiveInt.default(4000),
    'timeout of one attempt of a HighLevel request that may be repeated (reads, searches, PUT, DELETE): a hung read is retried within the operation; never more than the time left before its deadline',
  ],
  GHL_WRITE_TIMEOUT_MS: [
    positiveInt.default(10000),
    'timeout of one attempt of a HighLevel create, which is not repeated after a timeout (it is reconciled instead); never more than the time left before its deadline',
  ],
  GHL_MAX_RETRIES: [nonNegativeInt.default(4), 'retries of idempotent HighLevel requests on 5xx, resets and timeouts'],
  GHL_CONCURRENCY_PER_LOCATION: [positiveInt.default(8), 'HighLevel requests in flight at once per location'],
  GHL_DAILY_RESERVE: [
    nonNegativeInt.default(1000),
    'daily HighLevel requests kept in reserve: the client refuses to spend them',
  ],
  GHL_INTERACTIVE_SHARE: [
    z.coerce.number().min(0).max(1).default(0.3),
    'share of each burst window reserved for interactive (GraphQL) traffic over background sync',
  ],
  DEMO_CONTACTS: [positiveInt.default(300), 'contacts seeded into the embedded simulator in demo mode'],
  DEMO_SEED: [z.coerce.number().int().default(42), 'seed of the demo data'],
  SIM_CONTACTS: [
    nonNegativeInt.max(1_000_000).default(1000),
    'contacts seeded per location by the standalone simulator (npm run simulate)',
  ],
  SIM_SEED: [z.coerce.number().int().default(42), 'seed of the data the standalone simulator generates'],
  SIM_HOST: [
    z.string().min(1).default('127.0.0.1'),
    'interface the standalone simulators listen on (npm run simulate); 0.0.0.0 in a container (docker-compose.yml)',
  ],
  GHL_SIM_WEBHOOK_URL: [
    z.url().optional(),
    'where the standalone HighLevel simulator POSTs its signed webhooks (e.g. http://127.0.0.1:4000/webhooks/ghl); unset: none sent',
  ],
  // Shared cache (src/cache): store, freshness and failure behaviour.
  CACHE_URL: [
    CacheUrlEnvSchema,
    'shared cache store: memory://[?maxEntries=50000&maxBytes=67108864] (LRU, this process), sqlite://<path> (survives restarts) or redis://host:port (shared by replicas)',
  ],
  CACHE_TTLS: [
    CacheTtlsEnvSchema,
    `JSON of per-kind freshness in ms overriding the defaults ${describeTtlDefaults()}; e.g. {"contact":600000}`,
  ],
  CACHE_STALE_GRACE_MS: [
    nonNegativeInt.default(60000),
    'how long past its TTL a cached value is still served (stale) while it is refreshed in the background',
  ],
  CACHE_MAX_STALE_MS: [
    nonNegativeInt.default(3600000),
    'how long past its TTL a cached value may stand in when HighLevel is rate limited, unavailable or slow',
  ],
  CACHE_OP_TIMEOUT_MS: [
    positiveInt.default(150),
    'longest a shared-cache operation may take; past it the request goes on without the cache',
  ],
  RESPONSE_CACHE_MAX_ENTRIES: [
    nonNegativeInt.default(5000),
    'whole query responses kept in this process and reused while every cached value they were built from is unchanged and fresh; 0 turns the response cache off',
  ],
  RESPONSE_CACHE_MAX_BYTES: [
    positiveInt.default(33554432),
    'memory budget of the response cache (bytes, LRU); one response larger than a sixteenth of it is not kept',
  ],
  // Shared rate budget and admission control (src/ghl/redis-rate-budget.ts, src/graphql/plugins/admission.ts).
  REDIS_URL: [
    optionalText,
    'redis://host:port: the HighLevel rate budget (burst window, daily counter, pauses, learnt limits) is shared by every replica through it; unset: per process',
  ],
  GHL_REPLICAS_HINT: [
    positiveInt.default(2),
    'replicas assumed when Redis is unreachable: each then spends only 1/n of the limits HighLevel reports',
  ],
  ADMISSION_MAX_WAIT_MS: [
    nonNegativeInt.default(2000),
    'an operation whose estimated HighLevel calls need more than this long to fit the rate budget is answered from the cache, the rest RATE_LIMITED (one larger than a whole burst window spends what the window has left, so retries complete it)',
  ],
  DATABASE_URL: [
    z
      .string()
      .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'use sqlite://<path>, sqlite::memory: or postgres://…')
      .default('sqlite://./data/gateway.db'),
    'durable state: sqlite://<file> (directory created), sqlite::memory: or postgres://user@host:5432/db',
  ],
  DATABASE_POOL_SIZE: [
    positiveInt.max(500).default(10),
    "PostgreSQL connections one process keeps at most (ignored for SQLite); a store call waiting for one counts against DEPENDENCY_TIMEOUT_MS, so an agency running many sync jobs per process raises it with SYNC_CONCURRENCY (docs/operations.md), keeping replicas × this under the server's max_connections",
  ],
  OUTBOX_MAX_ATTEMPTS: [positiveInt.default(8), 'attempts of a pending Roofr write before it becomes a dead letter'],
  OUTBOX_POLL_MS: [positiveInt.default(1000), 'how often the outbox worker looks for queued Roofr writes that are due'],
  ROOFR_DELETE_POLICY: [
    z.enum(['archive', 'delete', 'ignore']).default('archive'),
    'what a HighLevel contact delete does in Roofr: archive (the job, keeping history), delete (the customer) or ignore; the link is marked deleted either way',
  ],
  // Roofr (src/roofr): which adapter carries writes, its access, the simulator and the field mapping.
  ROOFR_ADAPTER: [
    z.enum(['rest', 'zapier', 'simulator']).default('simulator'),
    'how the gateway reaches Roofr: rest (partner REST API, ROOFR_API_*), zapier (ROOFR_ZAPIER_HOOK_URL; creates job and customer only) or simulator (the embedded Roofr simulator)',
  ],
  ROOFR_API_BASE_URL: [
    z.url().optional(),
    'Roofr REST API base URL for ROOFR_ADAPTER=rest; Roofr publishes no API, the assumed shape is in docs/roofr-api.md',
  ],
  ROOFR_API_KEY: [optionalText, 'Roofr API key for ROOFR_ADAPTER=rest'],
  ROOFR_AUTH_HEADER: [z.string().min(1).default('Authorization'), 'header that carries the Roofr API key'],
  ROOFR_AUTH_SCHEME: [
    z.string().default('Bearer'),
    'prefix of the key in ROOFR_AUTH_HEADER; set it empty to send the bare key',
  ],
  ROOFR_API_PATHS: [
    RoofrPathsEnvSchema,
    'JSON overriding Roofr REST routes by endpoint, e.g. {"jobs.archive":"PATCH /jobs/{jobId}/archive"}; defaults in docs/roofr-api.md',
  ],
  ROOFR_REQUEST_TIMEOUT_MS: [
    positiveInt.default(5000),
    'timeout of one attempt of a Roofr (REST or Zapier) request; a mutation tries Roofr for at most this long before it queues the write in the outbox (roofrSync QUEUED)',
  ],
  ROOFR_MAX_RETRIES: [
    nonNegativeInt.default(3),
    'retries of Roofr requests on 429, 5xx, resets and timeouts (writes only with an Idempotency-Key; Zapier posts only on 429 or refused connections)',
  ],
  ROOFR_MAX_IN_FLIGHT: [
    positiveInt.max(256).default(4),
    "Roofr REST requests in flight at once per process (Roofr's rate-limit headers still pace them); a batch's Roofr writes per second are about this × replicas ÷ Roofr's answer time, which bounds an agency's nightly sync (docs/operations.md)",
  ],
  ROOFR_ZAPIER_HOOK_URL: [
    z.url().optional(),
    'Zapier catch-hook URL of the Zap that runs Roofr "Create Job and Customer" (ROOFR_ADAPTER=zapier)',
  ],
  ROOFR_SIM_PORT: [port.default(4020), 'port of the Roofr simulator (npm run simulate)'],
  ROOFR_SIM_API_KEY: [
    z.string().min(1).default('roofr-sim-key'),
    'API key the Roofr simulator accepts (ROOFR_ADAPTER=simulator uses it)',
  ],
  ROOFR_SIM_WEBHOOK_URL: [
    z.url().optional(),
    'where the standalone Roofr simulator POSTs its signed webhooks (e.g. http://127.0.0.1:4000/webhooks/roofr); unset: none sent',
  ],
  ROOFR_WEBHOOK_SECRET: [
    optionalText,
    'shared secret of Roofr webhooks (x-roofr-signature: sha256=<hex HMAC-SHA256 of the raw body>); the Roofr simulator signs with it',
  ],
  MAPPING_FILE: [
    z.string().min(1).default('mapping/default.yaml'),
    'the GHL ↔ Roofr field mapping (YAML or JSON), validated at start-up',
  ],
  PHONE_DEFAULT_COUNTRY: [
    z
      .string()
      .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. US')
      .default('US'),
    'country assumed for phone numbers without a +country code when the mapping file names none',
  ],
  // Sync engine (src/sync): schedule, webhooks, Roofr events.
  SYNC_SCHEDULE: [
    z.string().min(1).default('0 2 * * *'),
    'cron expression (croner syntax) of the nightly incremental sync of every location; "off" disables it',
  ],
  SYNC_TIMEZONE: [z.string().min(1).default('UTC'), 'IANA time zone SYNC_SCHEDULE is read in, e.g. America/Chicago'],
  SYNC_PAGE_SIZE: [
    positiveInt.max(500).default(100),
    'contacts per page of a batch sync; the cursor is checkpointed after each page Roofr confirmed',
  ],
  SYNC_EVENT_TASKS: [
    z.string().default('{}'),
    'JSON: Roofr events that create a HighLevel task, e.g. {"proposal.signed":{"title":"Proposal signed: schedule the install","dueInDays":2}}',
  ],
  SYNC_WORKER_POLL_MS: [
    positiveInt.default(500),
    'how often the sync workers look for queued webhook events and sync jobs',
  ],
  SYNC_QUEUE: [
    z.enum(['store', 'bullmq']).default('store'),
    'where sync jobs queue: store (rows of DATABASE_URL, shared by replicas on PostgreSQL; works while Redis is down) or bullmq (Redis at REDIS_URL)',
  ],
  SYNC_CONCURRENCY: [
    positiveInt.max(500).default(1),
    'sync jobs (batch runs, verifies) one process runs at once; runs of different locations spend different HighLevel budgets and progress side by side, so an agency sets it to its locations ÷ replicas (and DATABASE_POOL_SIZE with it, docs/operations.md); two jobs of one location never run at once, on either queue and across replicas: the later one waits (default 1, one at a time)',
  ],
  SYNC_QUEUE_NAME: [
    z
      .string()
      .regex(/^[\w-]{1,100}$/, 'letters, digits, _ and - only')
      .default('sync-jobs'),
    'BullMQ queue of sync jobs with SYNC_QUEUE=bullmq; every replica of one deployment uses the same name, deployments sharing a Redis use different ones',
  ],
  QUEUE_LEASE_MS: [
    z.coerce.number().int().min(1000).default(8000),
    "lease of claimed queue work (webhook events, Roofr writes, sync jobs), renewed every quarter of it while the work runs; a killed worker's work resumes elsewhere within it",
  ],
  DEPENDENCY_TIMEOUT_MS: [
    positiveInt.default(3000),
    'longest one PostgreSQL connection attempt or query, or one BullMQ enqueue, may take; past it the operation answers UNAVAILABLE_DEPENDENCY (webhooks: 503)',
  ],
  WEBHOOK_QUEUE_MAX: [
    positiveInt.default(10000),
    'webhook events waiting at which POST /webhooks/* answers 429 with Retry-After (HighLevel retries only then); exact under concurrent deliveries',
  ],
  GHL_WEBHOOK_ED25519_PUBLIC_KEY: [
    optionalText,
    'PEM of the Ed25519 key verifying x-ghl-signature on HighLevel webhooks; demo mode uses the embedded simulator key',
  ],
  GHL_WEBHOOK_RSA_PUBLIC_KEY: [
    optionalText,
    "PEM of the RSA key verifying x-wh-signature; default: HighLevel's published key (demo mode: the simulator key)",
  ],
  // Auth and security (issue 7): OAuth installs, token encryption, client auth, GraphQL limits.
  GHL_CLIENT_ID: [
    optionalText,
    'HighLevel Marketplace app client id; with GHL_CLIENT_SECRET and GHL_REDIRECT_URI it enables OAuth installs (/oauth/install)',
  ],
  GHL_CLIENT_SECRET: [optionalText, 'HighLevel Marketplace app client secret'],
  GHL_REDIRECT_URI: [z.url().optional(), 'the OAuth redirect URI registered with the app, ending in /oauth/callback'],
  GHL_SCOPES: [
    spaceSeparated,
    'scopes requested at install besides contacts.readonly, e.g. "contacts.write locations/tasks.readonly calendars/events.readonly"',
  ],
  GHL_OAUTH_CONSENT_URL: [
    z.url().default('https://marketplace.gohighlevel.com/v2/oauth/chooselocation'),
    'HighLevel consent page (white-label: marketplace.leadconnectorhq.com; tests: the simulator)',
  ],
  GHL_OAUTH_USER_TYPE: [
    z.enum(['Location', 'Company']).default('Location'),
    'user_type of the code exchange: Location (sub-account install) or Company (agency install, location tokens minted per location)',
  ],
  TOKEN_ENCRYPTION_KEY: [
    optionalText,
    'AES-256-GCM key ring for OAuth tokens and secrets at rest: "k2:<base64 32 bytes>,k1:<…>", the first encrypts, all decrypt (npm run auth -- key generate)',
  ],
  TOKEN_REFRESH_MARGIN_MS: [
    nonNegativeInt.default(60000),
    'refresh an OAuth access token when less than this much of its life is left',
  ],
  OAUTH_STATE_SECRET: [
    optionalText,
    'HMAC key signing the OAuth state parameter; unset: a random key per process (an install must then finish on the replica that started it)',
  ],
  OAUTH_STATE_TTL_MS: [positiveInt.default(600000), 'how long an install link (its state) stays valid'],
  CLIENT_AUTH: [
    z.enum(['demo', 'required', 'anonymous-read']).optional(),
    'required: an API key or JWT is needed; anonymous-read: requests without credentials may only read GHL_LOCATION_ID; demo: they act with every role (demo mode on the simulators only). Unset: demo in demo mode, else required',
  ],
  JWT_SECRET: [optionalText, 'HS256 secret of client JWTs (claims: sub, locations[], roles[]); at least 32 characters'],
  JWT_JWKS_URL: [
    z.url().optional(),
    'JWKS URL of an identity provider issuing RS256/ES256 client JWTs (instead of JWT_SECRET)',
  ],
  JWT_ISSUER: [optionalText, 'required iss of client JWTs'],
  JWT_AUDIENCE: [optionalText, 'required aud of client JWTs'],
  JWT_MAX_LIFETIME_MS: [
    positiveInt.default(86400000),
    'longest life a client JWT may have (exp minus iat, or minus now without iat); every JWT must carry exp',
  ],
  JWT_CLOCK_SKEW_MS: [
    nonNegativeInt.max(300000).default(60000),
    'clock difference tolerated on exp, nbf and iat of client JWTs',
  ],
  GRAPHQL_INTROSPECTION: [booleanFlag.optional(), 'allow introspection; unset: on except in production'],
  TRUSTED_DOCUMENTS: [
    spaceSeparated,
    'trusted-document manifests read at start, comma or space separated: files or directories of *.json, each a codegen client-preset persisted-documents.json or an Apollo persisted query manifest (more with npm run auth -- documents register)',
  ],
  TRUSTED_DOCUMENTS_DEFAULT_MODE: [
    DocumentsModeSchema.default('allow-any'),
    'documents a client may run when its API key or JWT (claim "documents") names no mode, and for anonymous callers: allow-any, or trusted-only (registered documents only)',
  ],
  APQ_TTL_MS: [
    nonNegativeInt.default(86400000),
    'how long an automatically persisted query stays in the shared cache store (shared by replicas); 0 turns APQ off',
  ],
  GRAPHQL_MAX_DEPTH: [positiveInt.default(8), 'deepest selection an operation may have'],
  GRAPHQL_MAX_COST: [
    positiveInt.default(50000),
    'largest cost of an operation: each field costs 1, times the list sizes (first/limit) above it',
  ],
  GRAPHQL_MAX_ALIASES: [nonNegativeInt.default(20), 'most aliases in one operation'],
  GRAPHQL_MAX_ROOT_FIELDS: [positiveInt.default(10), 'most root fields in one operation'],
  GRAPHQL_BODY_LIMIT: [
    z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'e.g. 100kb')
      .default('100kb'),
    'largest accepted /graphql request body',
  ],
  GRAPHQL_OPERATION_TIMEOUT_MS: [
    positiveInt.default(15000),
    'deadline of an operation: its upstream calls get the time left (less a margin of a tenth, 0.2 to 1 s, to answer), fields that cannot finish fail alone or are served stale; what still runs at the deadline is aborted with OPERATION_TIMEOUT',
  ],
  // Notifications and Zapier REST hooks (src/notify/notify-config.ts).
  ...notifyConfigEntries,
} as const;

type Entries = typeof entries;
type Shape = { [K in keyof Entries]: Entries[K][0] };

const shape = Object.fromEntries(Object.entries(entries).map(([name, [schema]]) => [name, schema])) as Shape;

export const ConfigSchema = z.object(shape);
export type Config = z.infer<typeof ConfigSchema>;

function describeDefault(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const json = JSON.stringify(value);
  // Structured defaults (route maps, TTL tables) are documented in the description instead.
  return json.length <= 40 ? json : '(see meaning)';
}

/** Name, default and description of every variable, for README and `--help`. */
export const configDocs = Object.entries(entries).map(([name, [schema, description]]) => {
  const parsed = (schema as z.ZodType).safeParse(undefined);
  const fallback = parsed.success && parsed.data !== undefined ? describeDefault(parsed.data) : '';
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
    problems.push(
      'GHL_PRIVATE_INTEGRATION_TOKEN and GHL_LOCATION_ID: set both (real HighLevel) or neither (demo mode)',
    );
  }
  if (config.SYNC_QUEUE === 'bullmq' && config.REDIS_URL === undefined)
    problems.push('SYNC_QUEUE: bullmq needs REDIS_URL (or use the default, store)');
  problems.push(...authConfigProblems(config));
  problems.push(...notifyConfigProblems(config));
  // With an encryption key, Roofr credentials may come from the encrypted store instead: the
  // gateway checks them once it has read the store (auth/stored-roofr-credentials.ts).
  if (config.TOKEN_ENCRYPTION_KEY === undefined) problems.push(...roofrConfigProblems(config));
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Demo mode: no HighLevel credentials, so the embedded simulators stand in. */
export function isDemoMode(config: Pick<Config, 'GHL_PRIVATE_INTEGRATION_TOKEN' | 'GHL_CLIENT_ID'>): boolean {
  return config.GHL_PRIVATE_INTEGRATION_TOKEN === undefined && config.GHL_CLIENT_ID === undefined;
}
