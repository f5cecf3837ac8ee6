/**
 * `npm run chaos`: the fault suite. Proves (or shows broken) the gateway's promises under the
 * faults an operator meets: bounded answers, stale data rather than failure, coded errors, and
 * nothing accepted ever lost. Everything over real HTTP and real processes:
 * - the simulators in a process of their own, steered over /__admin;
 * - the compiled gateway (`npm run build`, `node dist/main.js`, production mode, JWT clients)
 *   on PostgreSQL (a fresh database per run) and a Redis the suite starts (cache, rate budget,
 *   sync queue);
 * - interactive load for `loadMs` while HighLevel and Roofr fail in turn (fault-phases.ts) and
 *   Roofr's own happenings send webhooks; meanwhile a FULL sync of every contact, the gateway
 *   killed -9 at random moments and restarted, Redis stopped and started once;
 * - then the faults end, the system is left to settle, and the end state is compared
 *   (end-state.ts). Figures go to bench/results/chaos.json and a summary is printed with each
 *   target PASS/FAIL (report.ts). Not a timed test: CI runs the short version
 *   (test/e2e/chaos.test.ts). Run: `npm run chaos [-- --short | --help]`.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SignJWT } from 'jose';
import { mulberry32 } from '../../src/simulators/prng.js';
import { checkMirror, checkMutations, checkWebhooks } from './end-state.js';
import { ActiveConditions, faultPhases, runPhases } from './fault-phases.js';
import { runLoad, type LoadResult } from './load.js';
import { fullRun, parseArgs, type ChaosOptions } from './options.js';
import { buildGateway, freePort, gatewayProcess, redisServer, startSimulators } from './processes.js';
import {
  answerFigures,
  deadlineFigures,
  summary,
  targets,
  type Figures,
  type KillRecord,
  type Target,
} from './report.js';
import { createStateDb, type StateDb, type SyncRunRow } from './state-db.js';
import { GhlControl, RoofrControl } from './upstream-control.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROOFR_WEBHOOK_SECRET = 'chaos-roofr-webhook-secret';
const GHL_BASE_LATENCY_MS = 20;
const DEFAULT_OPERATION_TIMEOUT_MS = 15_000;

export interface ChaosResult {
  at: string;
  commit: string;
  options: Omit<ChaosOptions, 'postgresAdminUrl'>;
  machine: { cpus: number; loadAverage: number[] };
  durationsMs: { setup: number; load: number; settle: number; total: number };
  settle: { settled: boolean; reason: string };
  redis: { stoppedAt: number | null; startedAt: number | null };
  roofrEvents: { fired: number; refused: number };
  figures: Figures;
  targets: Target[];
  pass: boolean;
  summary: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function sleepUntil(at: number): Promise<void> {
  return sleep(Math.max(0, at - Date.now()));
}

function commitOf(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

interface GraphQLReply {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

async function graphql(url: string, bearer: string, query: string): Promise<GraphQLReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(60_000),
  });
  return (await response.json()) as GraphQLReply;
}

/**
 * Watches the sync run: its checkpoints (read count, status) in the state database, and its work
 * as HighLevel sees it (requests carrying `sync-<runId>`), each with when it last moved. After a
 * kill, the run has resumed when it calls HighLevel again; its next checkpoint comes a page later.
 */
class SyncWatch {
  latest: SyncRunRow | null = null;
  checkpointAt = Date.now();
  workedAt = Date.now();
  private requests = 0;
  private stopped = false;

  constructor(
    private readonly db: StateDb,
    private readonly ghl: GhlControl,
    private readonly runId: string,
  ) {}

  start(): void {
    void (async () => {
      while (!this.stopped) {
        const [row, seen] = await Promise.all([
          this.db.syncRun(this.runId).catch(() => null),
          this.ghl.requestsOf(`sync-${this.runId}`).catch(() => null),
        ]);
        const now = Date.now();
        if (row !== null) {
          if (this.latest === null || row.read !== this.latest.read || row.status !== this.latest.status)
            this.checkpointAt = now;
          this.latest = row;
        }
        if (seen !== null && seen.count > this.requests) {
          this.requests = seen.count;
          this.workedAt = Math.min(now, Date.parse(seen.lastAt) || now);
        }
        await sleep(250);
      }
    })();
  }

  /** The moment `which` moved after `since`, or null when it did not within `waitMs`. */
  async movedAfter(which: 'workedAt' | 'checkpointAt', since: number, waitMs: number): Promise<number | null> {
    const deadline = since + waitMs;
    while (Date.now() < deadline) {
      if (this[which] > since) return this[which];
      await sleep(100);
    }
    return null;
  }

  stop(): void {
    this.stopped = true;
  }
}

/** Per contact, its last mutation as answered: for the examples of contacts Roofr has out of date. */
function lastChanges(mutations: LoadResult['mutations']): Map<string, string> {
  const last = new Map<string, string>();
  for (const mutation of mutations) {
    if (mutation.contactId === null && mutation.entityId === null) continue;
    const contactId = mutation.contactId ?? mutation.entityId ?? '';
    last.set(
      contactId,
      `${mutation.kind} ${mutation.marker} at ${(mutation.at / 1000).toFixed(1)} s answered ${mutation.outcome}, roofrSync ${mutation.roofrSync ?? '-'}`,
    );
  }
  return last;
}

export async function run(
  overrides: Partial<ChaosOptions> & { log?: (line: string) => void; write?: boolean } = {},
): Promise<ChaosResult> {
  const { log = (line: string) => console.log(line), write = true, ...given } = overrides;
  const options: ChaosOptions = { ...fullRun(), ...given };
  const began = Date.now();
  // Read now: the tree may move on (another commit) while a long run goes.
  const commit = commitOf();
  const random = mulberry32(options.seed ^ 0xc4a05);
  const runTag = `${options.seed}${Date.now().toString(36)}`;
  mkdirSync(join(ROOT, 'bench/results/tmp'), { recursive: true });
  const logDir = mkdtempSync(join(ROOT, 'bench/results/tmp/chaos-'));
  const cleanups: Array<() => Promise<void>> = [];
  log(
    `chaos: ${options.loadMs / 1000} s of load, ${options.contacts} contacts, ${options.kills} kills; logs in ${logDir}`,
  );

  try {
    if (options.build) {
      log('compiling the gateway (npm run build)…');
      buildGateway(ROOT);
    }
    const [gatewayPort, redisPort] = [await freePort(), await freePort()];
    const db = await createStateDb(options.postgresAdminUrl);
    cleanups.push(async () => {
      await db.close();
      if (!options.keepState) await db.drop();
    });
    const redis = redisServer(redisPort, logDir, join(logDir, 'redis.log'));
    await redis.start();
    cleanups.push(() => redis.stop());
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const sims = await startSimulators(
      ROOT,
      {
        CHAOS_CONTACTS: String(options.contacts),
        CHAOS_GATEWAY_URL: gatewayUrl,
        CHAOS_SEED: String(options.seed),
        CHAOS_GHL_RATE_MAX: String(options.ghlRateMax),
        CHAOS_GHL_RATE_INTERVAL_MS: String(options.ghlRateIntervalMs),
        CHAOS_GHL_LATENCY_MS: String(GHL_BASE_LATENCY_MS),
        CHAOS_ROOFR_WEBHOOK_SECRET: ROOFR_WEBHOOK_SECRET,
      },
      join(logDir, 'simulators.log'),
    );
    cleanups.push(() => sims.stop());
    const { ghl: ghlReady, roofr: roofrReady } = sims.ready;
    const ghl = new GhlControl(ghlReady.url, ghlReady.token, GHL_BASE_LATENCY_MS);
    const roofr = new RoofrControl(roofrReady.url);
    const keys = await ghl.webhookKeys();
    const jwtSecret = randomBytes(32).toString('hex');
    const gatewayEnv: Record<string, string> = {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      JWT_SECRET: jwtSecret,
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      CACHE_URL: redis.url,
      GHL_API_BASE_URL: ghlReady.url,
      GHL_PRIVATE_INTEGRATION_TOKEN: ghlReady.token,
      GHL_LOCATION_ID: ghlReady.locationId,
      GHL_TOKEN_SCOPES: ghlReady.scopes.join(' '),
      GHL_WEBHOOK_ED25519_PUBLIC_KEY: keys.ed25519Pem,
      GHL_WEBHOOK_RSA_PUBLIC_KEY: keys.rsaPem,
      ROOFR_ADAPTER: 'rest',
      ROOFR_API_BASE_URL: roofrReady.apiBaseUrl,
      ROOFR_API_KEY: roofrReady.apiKey,
      ROOFR_WEBHOOK_SECRET,
      SYNC_SCHEDULE: 'off',
      SYNC_EVENT_TASKS: JSON.stringify({ 'proposal.signed': { title: 'Proposal signed: schedule the install' } }),
      ...options.gatewayEnv,
    };
    const operationTimeoutMs = Number(gatewayEnv.GRAPHQL_OPERATION_TIMEOUT_MS ?? DEFAULT_OPERATION_TIMEOUT_MS);
    const gateway = gatewayProcess(ROOT, gatewayPort, gatewayEnv, (start) => join(logDir, `gateway-${start}.log`));
    await gateway.start();
    cleanups.push(() => gateway.stop());
    const graphqlUrl = `${gatewayUrl}/graphql`;
    const bearer = await new SignJWT({ locations: [ghlReady.locationId], roles: ['read', 'write', 'sync-admin'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('chaos-suite')
      .setIssuedAt()
      .setExpirationTime('1d')
      .sign(new TextEncoder().encode(jwtSecret));
    const contactIds = (await ghl.contacts()).map((contact) => contact.id);
    log(`gateway up at ${gatewayUrl} (compiled, production mode); ${contactIds.length} contacts in HighLevel`);

    // The FULL sync, started as a client would; retried while the system warms up.
    let runId: string | null = null;
    for (let attempt = 0; attempt < 20 && runId === null; attempt += 1) {
      const reply = await graphql(graphqlUrl, bearer, 'mutation { startSync(mode: FULL) { id status } }').catch(
        (error: unknown) => ({ errors: [{ message: String(error) }] }) as GraphQLReply,
      );
      const id = (reply.data?.startSync as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string') runId = id;
      else {
        log(`  startSync refused: ${reply.errors?.[0]?.message ?? 'no id'}; retrying`);
        await sleep(500);
      }
    }
    if (runId === null) throw new Error('startSync never answered with a run id');
    const watch = new SyncWatch(db, ghl, runId);
    watch.start();
    cleanups.push(async () => watch.stop());
    log(`FULL sync ${runId} started`);
    const setupMs = Date.now() - began;

    const conditions = new ActiveConditions();
    const liveness = { down: false, kills: 0 };
    const loadStart = Date.now();
    const stopAt = loadStart + options.loadMs;
    const since = (): number => Date.now() - loadStart;

    // Kills: random moments (seeded) over the load; each waits for the sync to have moved again
    // after the previous one, so every kill's resume delay is its own. Once a sync did not come
    // back within resumeWaitMs it is taken as lost: later kills keep to their moments.
    const killMoments = Array.from({ length: options.kills }, () => (0.1 + random() * 0.75) * options.loadMs).sort(
      (a, b) => a - b,
    );
    const kills: KillRecord[] = [];
    const killing = (async () => {
      let previousResume: Promise<unknown> = Promise.resolve();
      const measurements: Array<Promise<unknown>> = [];
      for (const moment of killMoments) {
        await sleepUntil(loadStart + moment);
        await previousResume;
        const before = watch.latest;
        const record: KillRecord = {
          at: since(),
          syncStatusAtKill: before?.status ?? null,
          readAtKill: before?.read ?? null,
          restartAt: null,
          listeningAt: null,
          resumedAt: null,
          resumeDelayMs: null,
          checkpointDelayMs: null,
          note: null,
        };
        kills.push(record);
        liveness.down = true;
        liveness.kills += 1;
        conditions.enter('gateway killed');
        log(
          `  kill -9 at ${(record.at / 1000).toFixed(1)} s (sync ${before?.status ?? '?'}, ${before?.read ?? '?'} read)`,
        );
        await gateway.kill();
        await sleep(options.restartDelayMs);
        const restartedAt = Date.now();
        record.restartAt = restartedAt - loadStart;
        try {
          await gateway.start();
        } catch (error) {
          record.note = `restart failed: ${String(error).slice(0, 300)}`;
          log(`  ${record.note}`);
          await sleep(2_000);
          await gateway.start();
        }
        record.listeningAt = since();
        liveness.down = false;
        conditions.leave('gateway killed');
        if (before?.status !== 'RUNNING') {
          record.note = 'the sync was not running at the kill';
          continue;
        }
        const resumed = watch.movedAfter('workedAt', restartedAt, options.resumeWaitMs).then((movedAt) => {
          if (movedAt === null) {
            record.note = `the sync made no HighLevel call within ${options.resumeWaitMs} ms of the restart`;
            log(`  after the kill at ${(record.at / 1000).toFixed(1)} s: ${record.note}`);
            return;
          }
          record.resumedAt = movedAt - loadStart;
          record.resumeDelayMs = movedAt - restartedAt;
          log(`  sync working again ${record.resumeDelayMs} ms after the restart`);
        });
        const checkpointed = watch.movedAfter('checkpointAt', restartedAt, options.resumeWaitMs).then((movedAt) => {
          if (movedAt !== null) record.checkpointDelayMs = movedAt - restartedAt;
        });
        const measuring = Promise.all([resumed, checkpointed]);
        measurements.push(measuring);
        const lost = kills.some(
          (kill) => kill !== record && kill.syncStatusAtKill === 'RUNNING' && kill.resumeDelayMs === null,
        );
        previousResume = lost ? Promise.resolve() : measuring;
      }
      await Promise.all(measurements);
    })();

    const redisEvent = { stoppedAt: null as number | null, startedAt: null as number | null };
    const redisRestart = (async () => {
      if (options.redisDownMs <= 0) return;
      await sleepUntil(loadStart + (0.25 + random() * 0.4) * options.loadMs);
      conditions.enter('Redis down');
      redisEvent.stoppedAt = since();
      log(`  Redis stopped at ${(redisEvent.stoppedAt / 1000).toFixed(1)} s`);
      await redis.stop();
      await sleep(options.redisDownMs);
      await redis.start();
      redisEvent.startedAt = since();
      conditions.leave('Redis down');
      log(`  Redis started again at ${(redisEvent.startedAt / 1000).toFixed(1)} s (empty)`);
    })();

    // Roofr's own happenings: stage moves, and now and then a signed proposal (which, by
    // SYNC_EVENT_TASKS, makes a HighLevel task that must then reach Roofr as a job task).
    const roofrEvents = { fired: 0, refused: 0 };
    const happenings = (async () => {
      const stages = ['Appointment Scheduled', 'Proposal Sent', 'Pre-Production'];
      for (let tick = 0; Date.now() < stopAt; tick += 1) {
        await sleep(1_500);
        const fired =
          tick % 4 === 3
            ? roofr.proposalSigned(5_000 + Math.round(random() * 20_000))
            : roofr.stageChanged(stages[tick % stages.length] ?? 'Proposal Sent');
        await fired.then(
          () => (roofrEvents.fired += 1),
          () => (roofrEvents.refused += 1),
        );
      }
    })();

    log(`load: ${options.clients} clients for ${options.loadMs / 1000} s`);
    const [load] = (await Promise.all([
      runLoad(
        {
          graphqlUrl,
          bearer,
          contactIds,
          clients: options.clients,
          thinkMs: options.thinkMs,
          clientTimeoutMs: options.clientTimeoutMs,
          seed: options.seed,
          runTag,
          conditions,
          gateway: liveness,
        },
        loadStart,
        stopAt,
      ),
      runPhases(faultPhases(ghl, roofr), loadStart, options.loadMs, conditions, log),
      happenings,
      redisRestart,
    ])) as [LoadResult, ...unknown[]];
    const loadMs = Date.now() - loadStart;
    log(`load done: ${load.samples.length} answers; waiting for the kills' resumes…`);
    await killing;
    await Promise.all([ghl.clearFaults(), ghl.restoreToken(), roofr.clearFaults()]);

    // Settle: the sync finished, the webhook queue and the outbox empty, or nothing moving for long.
    const settleStart = Date.now();
    let settle = { settled: false, reason: `still busy after ${options.settleMaxMs} ms` };
    let lastDepths = '';
    let lastChange = Date.now();
    let lastLog = 0;
    const stallMs = Math.min(options.settleMaxMs, options.settleStallMs);
    while (Date.now() - settleStart < options.settleMaxMs) {
      const depths = await db.queueDepths();
      const busy =
        (depths.inbound.pending ?? 0) +
        (depths.inbound.in_flight ?? 0) +
        (depths.outbox.pending ?? 0) +
        (depths.outbox.in_flight ?? 0);
      const status = watch.latest?.status ?? '?';
      const now = JSON.stringify([depths, status, watch.latest?.read]);
      if (now !== lastDepths) {
        lastDepths = now;
        lastChange = Date.now();
      }
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(
          `  settling: sync ${status} (${watch.latest?.read ?? '?'} read), webhooks ${JSON.stringify(depths.inbound)}, outbox ${JSON.stringify(depths.outbox)}`,
        );
      }
      if (status !== 'RUNNING' && busy === 0) {
        settle = { settled: true, reason: `sync ${status}, queues empty` };
        break;
      }
      if (Date.now() - lastChange > stallMs) {
        settle = {
          settled: false,
          reason: `nothing moved for ${stallMs} ms (sync ${status}, webhooks ${JSON.stringify(depths.inbound)}, outbox ${JSON.stringify(depths.outbox)})`,
        };
        break;
      }
      await sleep(1_000);
    }
    // Deliveries already sent finish within their own timeout (10 s); let them land.
    await sleep(2_000);
    const settleMs = Date.now() - settleStart;
    log(`settle: ${settle.reason} after ${Math.round(settleMs / 1000)} s`);

    const [ghlContacts, roofrRecords, ghlDeliveries, roofrDeliveries, queued, finalRun] = await Promise.all([
      ghl.contacts(),
      roofr.records(),
      ghl.deliveries(),
      roofr.deliveries(),
      db.inboundEvents(),
      db.syncRun(runId),
    ]);
    const figures: Figures = {
      answers: answerFigures(load.samples),
      deadline: deadlineFigures(load.samples, operationTimeoutMs),
      mutations: checkMutations(load.mutations, ghlContacts),
      sync: { runId, final: finalRun === null ? null : { ...finalRun, errors: finalRun.errors.slice(0, 10) } },
      kills,
      webhooks: checkWebhooks(ghlDeliveries, roofrDeliveries, queued),
      roofr: checkMirror(ghlContacts, roofrRecords, lastChanges(load.mutations)),
    };
    const checks = targets(figures, options.kills);
    const pass = checks.every((check) => check.pass);
    const extra = [
      `kills: ${kills.map((kill) => `at ${(kill.at / 1000).toFixed(1)} s → ${kill.resumeDelayMs === null ? (kill.note ?? 'not resumed') : `working again after ${kill.resumeDelayMs} ms, next checkpoint after ${kill.checkpointDelayMs === null ? '-' : `${kill.checkpointDelayMs} ms`}`}`).join('; ') || 'none'}`,
      `Redis: stopped at ${redisEvent.stoppedAt === null ? '-' : (redisEvent.stoppedAt / 1000).toFixed(1)} s, back at ${redisEvent.startedAt === null ? '-' : (redisEvent.startedAt / 1000).toFixed(1)} s`,
      `Roofr happenings fired: ${roofrEvents.fired} (${roofrEvents.refused} refused: no job mirrored yet, or Roofr faults)`,
      `settle: ${settle.reason} (${Math.round(settleMs / 1000)} s)`,
    ];
    const text = summary(figures, checks, extra);
    const { postgresAdminUrl: _adminUrl, ...shownOptions } = options;
    const result: ChaosResult = {
      at: new Date().toISOString(),
      commit,
      options: shownOptions,
      machine: { cpus: (await import('node:os')).cpus().length, loadAverage: loadavg() },
      durationsMs: { setup: setupMs, load: loadMs, settle: settleMs, total: Date.now() - began },
      settle,
      redis: redisEvent,
      roofrEvents,
      figures,
      targets: checks,
      pass,
      summary: text,
    };
    log(text);
    log(pass ? 'chaos: every target met' : `chaos: ${checks.filter((check) => !check.pass).length} targets missed`);
    if (write && options.resultFile !== null) {
      const file = resolve(ROOT, options.resultFile);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
      log(`wrote ${options.resultFile}`);
    }
    return result;
  } finally {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => log(`cleanup: ${String(error)}`));
    if (!options.keepState) rmSync(logDir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let options: ChaosOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const result = await run(options);
  process.exitCode = result.pass ? 0 : 1;
}
