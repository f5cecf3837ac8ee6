/**
 * What one fault-suite run does: the full run (`npm run chaos`: 2 minutes of load, a sync of
 * 10,000 contacts, three kills, one Redis restart) and the short one CI runs as a test, plus the
 * command-line flags that change either. Every duration is in milliseconds.
 */
export interface ChaosOptions {
  /** Interactive load; the HighLevel and Roofr fault phases are spread over it. */
  loadMs: number;
  /** Contacts seeded in HighLevel; the FULL sync reads them all. */
  contacts: number;
  /** Load clients, each one request at a time (a closed loop). */
  clients: number;
  /** Pause of a client between two requests. */
  thinkMs: number;
  /** kill -9 of the gateway, each followed by a restart. */
  kills: number;
  /** How long the gateway stays dead before it is started again. */
  restartDelayMs: number;
  /** Longest wait, after a kill, for the sync to move again before the next kill. */
  resumeWaitMs: number;
  /** Redis stopped once for this long, then started again (empty: no persistence); 0: never. */
  redisDownMs: number;
  /** After the load: longest wait for the sync, the webhook queue and the outbox to finish. */
  settleMaxMs: number;
  /** Settling stops early when nothing (sync checkpoints, queue depths) moved for this long. */
  settleStallMs: number;
  /** A client gives up on an answer after this long (well past any deadline, to measure it). */
  clientTimeoutMs: number;
  /** HighLevel simulator rate limit (100 per 1,000 ms: ten times GHL's, so the sync fits the run). */
  ghlRateMax: number;
  ghlRateIntervalMs: number;
  /** Seeds the simulators' data and faults and the suite's own choices (kill moments, mix). */
  seed: number;
  /** PostgreSQL server where a fresh database is created for the run (and dropped after). */
  postgresAdminUrl: string;
  /** Keep the run's database and logs (for a post-mortem). */
  keepState: boolean;
  /** Extra gateway environment (e.g. GRAPHQL_OPERATION_TIMEOUT_MS), over the suite's own. */
  gatewayEnv: Record<string, string>;
  /** Where chaos.json is written; null: not written. */
  resultFile: string | null;
  /** Compile the gateway first (`npm run build`); off only when dist/ was just built. */
  build: boolean;
}

const POSTGRES_DEFAULT = 'postgres://postgres@127.0.0.1:5432/test';

export function fullRun(env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  return {
    loadMs: 120_000,
    contacts: 10_000,
    clients: 6,
    thinkMs: 50,
    kills: 3,
    restartDelayMs: 1_000,
    resumeWaitMs: 150_000,
    redisDownMs: 10_000,
    settleMaxMs: 600_000,
    settleStallMs: 180_000,
    clientTimeoutMs: 120_000,
    ghlRateMax: 100,
    ghlRateIntervalMs: 1_000,
    seed: 42,
    postgresAdminUrl: env.CHAOS_POSTGRES_URL ?? env.DATABASE_URL_PG ?? POSTGRES_DEFAULT,
    keepState: false,
    gatewayEnv: {},
    resultFile: 'bench/results/chaos.json',
    build: true,
  };
}

/** CI's version: 20 s of load, 1,000 contacts, one kill, one Redis restart. */
export function shortRun(env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  return {
    ...fullRun(env),
    loadMs: 20_000,
    contacts: 1_000,
    clients: 4,
    kills: 1,
    // The target is 10 s: a minute tells a slow resume from a lost sync.
    resumeWaitMs: 60_000,
    redisDownMs: 4_000,
    settleMaxMs: 240_000,
    settleStallMs: 90_000,
    resultFile: null,
  };
}

const USAGE = `npm run chaos [-- options]
  --short                 CI's version (20 s, 1,000 contacts, one kill)
  --load-seconds N        interactive load (default 120)
  --contacts N            contacts seeded and synced (default 10000)
  --clients N             concurrent load clients (default 6)
  --kills N               kill -9 + restart of the gateway (default 3; 0: none)
  --redis-down-seconds N  Redis stopped once for this long (default 10; 0: never)
  --settle-seconds N      longest wait for the system to settle after the load (default 600)
  --seed N                seed of data, faults and the suite's choices (default 42)
  --env KEY=VALUE         extra gateway environment (repeatable)
  --out FILE              result file (default bench/results/chaos.json; "-" for none)
  --keep-state            keep the run's database and logs
  --no-build              use dist/ as it is (only right after npm run build)`;

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ChaosOptions {
  const options = argv.includes('--short')
    ? { ...shortRun(env), resultFile: 'bench/results/chaos.json' }
    : fullRun(env);
  const number = (flag: string, value: string | undefined): number => {
    const parsed = Number(value);
    if (value === undefined || !Number.isFinite(parsed) || parsed < 0)
      throw new Error(`${flag} needs a number, got ${value ?? 'nothing'}\n${USAGE}`);
    return parsed;
  };
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index] ?? '';
    const value = argv[index + 1];
    const next = (): string | undefined => {
      index += 1;
      return value;
    };
    switch (flag) {
      case '--short':
        break;
      case '--load-seconds':
        options.loadMs = number(flag, next()) * 1000;
        break;
      case '--contacts':
        options.contacts = number(flag, next());
        break;
      case '--clients':
        options.clients = Math.max(1, number(flag, next()));
        break;
      case '--kills':
        options.kills = number(flag, next());
        break;
      case '--redis-down-seconds':
        options.redisDownMs = number(flag, next()) * 1000;
        break;
      case '--settle-seconds':
        options.settleMaxMs = number(flag, next()) * 1000;
        break;
      case '--seed':
        options.seed = number(flag, next());
        break;
      case '--env': {
        const pair = next() ?? '';
        const at = pair.indexOf('=');
        if (at < 1) throw new Error(`--env needs KEY=VALUE, got ${pair}\n${USAGE}`);
        options.gatewayEnv[pair.slice(0, at)] = pair.slice(at + 1);
        break;
      }
      case '--out': {
        const file = next();
        options.resultFile = file === '-' || file === undefined ? null : file;
        break;
      }
      case '--keep-state':
        options.keepState = true;
        break;
      case '--no-build':
        options.build = false;
        break;
      case '--help':
      case '-h':
        throw new Error(USAGE);
      default:
        throw new Error(`unknown option ${flag}\n${USAGE}`);
    }
  }
  return options;
}
