/**
 * Works the signed-webhook outbox (hook_deliveries): claims due deliveries under a short lease
 * its heartbeat renews (the store's one leased-queue protocol), hands each to its channel's
 * sender, and completes it, or fails it with capped exponential backoff (a receiver's
 * Retry-After wins when longer), dead at once when the receiver refused it for good and after
 * NOTIFY_MAX_ATTEMPTS otherwise. Deliveries to one target go in order, different targets in
 * parallel, so a slow receiver delays only its own messages. A stopping worker finishes what it
 * started and hands the rest of its batch back; a killed one leaves its leases to run out.
 */
import { createLeaseHeartbeat } from '../store/lease-heartbeat.js';
import { DEFAULT_LEASE_MS } from '../store/leased-queue.js';
import type { DeliveryChannel, HookDelivery, HookDeliveriesRepo } from '../store/hook-deliveries-repo.js';
import { SendRefusedError, SendRetryableError, type Sender } from './senders.js';

export type DeliveryOutcome = 'delivered' | 'dropped' | 'retried' | 'dead' | 'lost';

interface DeliveryWorkerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

interface DeliveryWorkerOptions {
  repo: Pick<HookDeliveriesRepo, 'claim' | 'renew' | 'complete' | 'fail' | 'release' | 'purgeDone'>;
  /** A sender per configured channel; a delivery for a channel without one is refused (dead). */
  senders: Partial<Record<DeliveryChannel, Sender>>;
  owner: string;
  pollMs: number;
  leaseMs?: number;
  batchSize?: number;
  /** First retry delay (doubles per attempt, capped at maxDelayMs, ±20 % jitter). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  logger?: DeliveryWorkerLogger;
  onOutcome?: (channel: DeliveryChannel, outcome: DeliveryOutcome) => void;
  random?: () => number;
  /** Delivered rows are deleted once this old (default a day), checked every purgeEveryMs (an hour). */
  keepDoneMs?: number;
  purgeEveryMs?: number;
}

export interface DeliveryWorker {
  start(): void;
  stop(): Promise<void>;
  /** One claim-and-send pass; resolves with how many deliveries were claimed. */
  drainOnce(): Promise<number>;
  nudge(): void;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function createDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { repo, owner } = options;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const batchSize = options.batchSize ?? 20;
  const baseDelayMs = options.baseDelayMs ?? 2_000;
  const maxDelayMs = options.maxDelayMs ?? 15 * 60_000;
  const random = options.random ?? Math.random;
  let stopping = false;
  let loop: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  let nudged = false;
  const keepDoneMs = options.keepDoneMs ?? 86_400_000;
  const purgeEveryMs = options.purgeEveryMs ?? 3_600_000;
  let purgedAt = 0;

  /** Delivered rows are only history: a busy Zap (a message per synced contact) must not grow the table for ever. */
  async function purge(): Promise<void> {
    if (Date.now() - purgedAt < purgeEveryMs) return;
    purgedAt = Date.now();
    try {
      await repo.purgeDone(new Date(Date.now() - keepDoneMs));
    } catch (error) {
      options.logger?.warn({ err: describe(error) }, 'could not purge delivered notifications; retrying later');
    }
  }

  function backoff(attempts: number, retryAfterMs: number): number {
    const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempts - 1));
    return Math.max(retryAfterMs, Math.round(exponential * (0.8 + 0.4 * random())));
  }

  async function sendOne(delivery: HookDelivery): Promise<DeliveryOutcome> {
    const sender = options.senders[delivery.channel];
    try {
      if (sender === undefined)
        throw new SendRefusedError(`the ${delivery.channel} channel is not configured any more`);
      const sent = await sender(delivery);
      return (await repo.complete(delivery.id, owner)) ? sent : 'lost';
    } catch (error) {
      const permanent = error instanceof SendRefusedError;
      const retryAfterMs = error instanceof SendRetryableError ? error.retryAfterMs : 0;
      const status = await repo.fail(
        delivery.id,
        describe(error),
        new Date(Date.now() + backoff(delivery.attempts, retryAfterMs)),
        {
          owner,
          permanent,
        },
      );
      const outcome: DeliveryOutcome = status === 'dead' ? 'dead' : status === 'pending' ? 'retried' : 'lost';
      const fields = {
        deliveryId: delivery.id,
        channel: delivery.channel,
        attempts: delivery.attempts,
        err: describe(error),
      };
      if (outcome === 'dead')
        options.logger?.error(
          fields,
          'a notification delivery was given up; the notification is still listed by the notifications query',
        );
      else options.logger?.warn(fields, 'a notification delivery failed; it is retried with backoff');
      return outcome;
    }
  }

  async function drainOnce(): Promise<number> {
    const claimedAt = Date.now();
    const deliveries = await repo.claim(owner, batchSize, leaseMs);
    if (deliveries.length === 0) return 0;
    const heartbeat = createLeaseHeartbeat<number>({
      renew: (ids) => repo.renew(ids, owner, leaseMs),
      leaseMs,
      onError: (error) => options.logger?.warn({ err: describe(error) }, 'could not renew delivery leases; retrying'),
    });
    heartbeat.hold(
      deliveries.map((delivery) => delivery.id),
      claimedAt,
    );
    const byTarget = new Map<string, HookDelivery[]>();
    for (const delivery of deliveries) {
      const key = `${delivery.channel}:${delivery.target}`;
      byTarget.set(key, [...(byTarget.get(key) ?? []), delivery]);
    }
    try {
      await Promise.all(
        [...byTarget.values()].map(async (inOrder) => {
          for (const delivery of inOrder) {
            if (stopping) {
              await repo.release(delivery.id, owner).catch(() => false);
              continue;
            }
            if (!heartbeat.holds(delivery.id)) {
              options.onOutcome?.(delivery.channel, 'lost');
              continue;
            }
            const outcome = await sendOne(delivery).catch((error: unknown) => {
              options.logger?.error(
                { deliveryId: delivery.id, err: describe(error) },
                'could not record a delivery; its lease runs out and it is retried',
              );
              return 'lost' as const;
            });
            heartbeat.drop(delivery.id);
            options.onOutcome?.(delivery.channel, outcome);
          }
        }),
      );
    } finally {
      heartbeat.stop();
    }
    return deliveries.length;
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });
  }

  async function run(): Promise<void> {
    while (!stopping) {
      let full = false;
      try {
        full = (await drainOnce()) >= batchSize;
      } catch (error) {
        options.logger?.warn({ err: describe(error) }, 'delivery poll failed; retrying after the poll interval');
      }
      await purge();
      if (!full && !nudged && !stopping) await sleep(options.pollMs);
      nudged = false;
    }
  }

  return {
    start() {
      if (loop !== null) return;
      stopping = false;
      loop = run();
    },
    async stop() {
      stopping = true;
      wake?.();
      await loop;
      loop = null;
    },
    drainOnce,
    nudge() {
      nudged = true;
      wake?.();
    },
  };
}
