/**
 * Delivers outbox entries to Roofr. Each loop claims a batch under a lease, runs the handler
 * for each entry in order (FIFO: a customer is created before the job that refers to it), and
 * only after the handler resolved (Roofr confirmed) marks the entry done. If the process dies
 * between the confirmation and the mark, the lease expires and the entry is delivered again
 * under the same idempotency key, which Roofr (or the adapter) uses to not write twice.
 * A failure schedules a retry with capped exponential backoff and jitter; after the store's
 * max attempts, or at once for a permanent failure, the entry becomes a dead letter.
 * Leases are short (QUEUE_LEASE_MS) and a heartbeat renews them while the batch is worked, so a
 * killed worker's entries are delivered by another within one lease. A worker whose lease passed
 * to another starts no further delivery of that entry and cannot mark it (leased-queue.ts).
 */
import { createLeaseHeartbeat } from '../store/lease-heartbeat.js';
import { DEFAULT_LEASE_MS } from '../store/leased-queue.js';
import type { OutboxEntry, OutboxRepo } from '../store/outbox-repo.js';
import { backoffDelayMs, DEFAULT_BACKOFF, type BackoffPolicy } from './outbox-backoff.js';

/** Thrown by a handler when retrying cannot help (e.g. Roofr rejected the payload as invalid). */
export class PermanentDeliveryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentDeliveryError';
  }
}

/** The pino-compatible subset the worker logs through. */
export interface WorkerLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

type OutboxQueue = Pick<OutboxRepo, 'claimDue' | 'renew' | 'complete' | 'fail' | 'release'>;

interface OutboxWorkerOptions {
  store: { outbox: OutboxQueue };
  /** Delivers one entry; resolves only once Roofr confirmed the write. */
  handler: (entry: OutboxEntry) => Promise<void>;
  /** Lease owner name, unique per process (e.g. `${hostname}:${pid}`). */
  owner: string;
  /** Wait between polls when the queue had nothing due; default 1000. */
  pollMs?: number;
  backoff?: BackoffPolicy;
  logger?: WorkerLogger;
  /** Entries claimed per poll; default 10. */
  batchSize?: number;
  /** Lease per claim, renewed by a heartbeat every quarter of it (QUEUE_LEASE_MS). */
  leaseMs?: number;
  /** Failures that go straight to the dead letters; default: PermanentDeliveryError. */
  isPermanent?: (error: unknown) => boolean;
  now?: () => Date;
  random?: () => number;
}

export interface DrainResult {
  claimed: number;
  completed: number;
  retried: number;
  dead: number;
  /** Delivered but not marked done (store error): redelivered after the lease expires. */
  unmarked: number;
  /** Claimed but handed back unstarted because the worker is stopping. */
  released: number;
  /** Claimed, then the lease passed to another worker: left to it (not delivered or not marked here). */
  lost: number;
}

export interface OutboxWorker {
  /** Starts polling; a no-op when already started. */
  start(): void;
  /** Stops polling and waits for the entry in progress; unstarted claimed entries are released. */
  stop(): Promise<void>;
  /** One claim-and-deliver pass, for tests and manual triggers. */
  drainOnce(): Promise<DrainResult>;
  /** Polls now instead of at the end of the current wait (e.g. right after an enqueue). */
  nudge(): void;
  readonly running: boolean;
}

const silentLogger: WorkerLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return typeof error === 'string' ? error : 'non-Error thrown';
}

/** A handler error may say when to retry (e.g. from a 429 Retry-After). */
function retryAfterMsOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'retryAfterMs' in error) {
    const value = error.retryAfterMs;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  }
  return 0;
}

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { store, handler, owner } = options;
  const pollMs = options.pollMs ?? 1000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const logger = options.logger ?? silentLogger;
  const batchSize = options.batchSize ?? 10;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const isPermanent = options.isPermanent ?? ((error: unknown) => error instanceof PermanentDeliveryError);
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;

  let running = false;
  let stopping = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;
  // A nudge during a drain must not be lost: the loop checks it before going to sleep.
  let nudged = false;
  const drains = new Set<Promise<DrainResult>>();

  async function deliver(entry: OutboxEntry, result: DrainResult): Promise<void> {
    try {
      await handler(entry);
    } catch (error) {
      const permanent = isPermanent(error);
      const delay = Math.max(backoffDelayMs(entry.attempts, backoff, random), retryAfterMsOf(error));
      const nextAttemptAt = new Date(now().getTime() + delay);
      try {
        const status = await store.outbox.fail(entry.id, describeError(error), nextAttemptAt, { owner, permanent });
        if (status === 'dead') {
          result.dead += 1;
          logger.error(
            {
              outboxId: entry.id,
              kind: entry.kind,
              locationId: entry.locationId,
              attempts: entry.attempts,
              err: describeError(error),
            },
            'outbox entry is a dead letter; fix the cause, then retry it from the dead letters',
          );
        } else if (status === 'pending') {
          result.retried += 1;
          logger.warn(
            {
              outboxId: entry.id,
              kind: entry.kind,
              attempts: entry.attempts,
              retryInMs: delay,
              err: describeError(error),
            },
            'outbox delivery failed; will retry',
          );
        } else {
          logger.warn(
            { outboxId: entry.id },
            'outbox delivery failed after the lease passed to another worker; it retries there',
          );
        }
      } catch (storeError) {
        logger.error(
          { outboxId: entry.id, err: describeError(storeError) },
          'could not record an outbox failure; the entry is retried when its lease expires',
        );
      }
      return;
    }
    try {
      if (await store.outbox.complete(entry.id, owner)) {
        result.completed += 1;
        logger.debug({ outboxId: entry.id, kind: entry.kind }, 'outbox entry delivered');
      } else {
        // The new holder redelivers with the same idempotency key: Roofr answers it from its store.
        result.lost += 1;
        logger.warn(
          { outboxId: entry.id, kind: entry.kind },
          'outbox entry delivered after its lease passed to another worker; that worker completes it',
        );
      }
    } catch (storeError) {
      // Roofr has it, we could not record that: redelivered under the same idempotency key.
      result.unmarked += 1;
      logger.error(
        { outboxId: entry.id, idempotencyKey: entry.idempotencyKey, err: describeError(storeError) },
        'delivered but not marked done; it is redelivered with the same idempotency key after the lease expires',
      );
    }
  }

  async function drain(): Promise<DrainResult> {
    const result: DrainResult = {
      claimed: 0,
      completed: 0,
      retried: 0,
      dead: 0,
      unmarked: 0,
      released: 0,
      lost: 0,
    };
    const claimedAt = now().getTime();
    const entries = await store.outbox.claimDue(owner, batchSize, leaseMs);
    result.claimed = entries.length;
    if (entries.length === 0) return result;
    const heartbeat = createLeaseHeartbeat<number>({
      renew: (ids) => store.outbox.renew(ids, owner, leaseMs),
      leaseMs,
      now: () => now().getTime(),
      onLost: (id) => logger.warn({ outboxId: id }, 'outbox lease lost to another worker; it delivers the entry'),
      onError: (error) =>
        logger.warn({ err: describeError(error) }, 'could not renew outbox leases; retrying at the next beat'),
    });
    heartbeat.hold(
      entries.map((entry) => entry.id),
      claimedAt,
    );
    try {
      for (const [index, entry] of entries.entries()) {
        if (stopping) {
          for (const unstarted of entries.slice(index)) {
            if (await store.outbox.release(unstarted.id, owner).catch(() => false)) result.released += 1;
          }
          break;
        }
        // Between steps: an entry whose lease passed to another worker is that worker's now.
        if (!heartbeat.holds(entry.id)) {
          result.lost += 1;
          continue;
        }
        await deliver(entry, result);
        heartbeat.drop(entry.id);
      }
    } finally {
      heartbeat.stop();
    }
    return result;
  }

  function drainOnce(): Promise<DrainResult> {
    const pass = drain();
    drains.add(pass);
    const forget = () => drains.delete(pass);
    pass.then(forget, forget);
    return pass;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      wake = () => {
        clearTimeout(wakeTimer);
        wake = undefined;
        resolve();
      };
      wakeTimer = setTimeout(wake, ms);
    });
  }

  async function run(): Promise<void> {
    while (!stopping) {
      let claimedFullBatch = false;
      try {
        const result = await drainOnce();
        claimedFullBatch = result.claimed >= batchSize;
      } catch (error) {
        logger.error({ err: describeError(error) }, 'outbox poll failed; retrying after the poll interval');
      }
      // A full batch means more may be due, a nudge that something was queued: go again at once.
      if (!claimedFullBatch && !nudged && !stopping) await sleep(pollMs);
      nudged = false;
    }
  }

  return {
    get running() {
      return running;
    },

    start() {
      if (running) return;
      running = true;
      stopping = false;
      logger.info({ owner, pollMs, batchSize }, 'outbox worker started');
      loop = run();
    },

    async stop() {
      stopping = true;
      wake?.();
      await loop;
      await Promise.allSettled([...drains]);
      loop = undefined;
      if (running) logger.info({ owner }, 'outbox worker stopped');
      running = false;
      stopping = false;
    },

    drainOnce,

    nudge() {
      nudged = true;
      wake?.();
    },
  };
}
