/**
 * The notifier: turns the gateway's events into notifications, deduplicated and rate limited
 * per (kind, location) through the conditions shared in the state database
 * (notifications-repo.ts), and queues each notification for the configured channels and the
 * location's Zapier `notification` hooks in the same transaction (the signed-webhook outbox).
 *
 * Invariants:
 * - One outage, one message, one recovery: the first occurrence opens the condition (exactly
 *   one replica wins the compare-and-set), later ones only count, a success resolves it once,
 *   and a success resolves a failure-prone kind only after NOTIFY_QUIET_MS without failures.
 *   While it stays open and keeps occurring, a reminder at most every NOTIFY_REPEAT_MS.
 * - Bounded cost: signals of one condition are worked one at a time and consecutive
 *   occurrences are merged into one write, so a burst of thousands costs a few transactions;
 *   success signals (every HighLevel answer, every Roofr write) touch the database only while
 *   this process believes the condition may be open (re-read at most every KNOWN_TTL_MS).
 * - Emitting never waits: `listen` only queues; the work runs afterwards. A database error is
 *   logged and the signal dropped: the condition's next occurrence (or success) applies again,
 *   and the metrics alerts (ops/prometheus/alerts.yml) do not depend on this path.
 */
import type { GatewayEvent } from '../domain/gateway-events.js';
import type { DeliveryInput, HookDeliveriesRepo } from '../store/hook-deliveries-repo.js';
import type { NotificationsRepo, StoredNotification } from '../store/notifications-repo.js';
import type { NotificationSeverity } from '../store/schema.js';
import type { Executor } from '../store/store-context.js';
import type { ZapierHooksRepo } from '../store/zapier-hooks-repo.js';
import { emailMessage, slackBody, webhookBody } from './channel-messages.js';
import {
  atLeast,
  reminderSummary,
  resolvedSummary,
  signalsOf,
  type OpenSignal,
  type ResolveSignal,
  type Signal,
} from './notification-rules.js';
import { notificationPayload } from './zapier-payloads.js';

/** How long this process trusts what it last read of a condition before reading it again. */
const KNOWN_TTL_MS = 10_000;
/** Signals waiting per condition; beyond, occurrences are merged and successes dropped. */
const MAX_QUEUED_PER_CONDITION = 100;

interface NotifierChannels {
  webhook: boolean;
  slack: boolean;
  email: boolean;
  /** NOTIFY_MIN_SEVERITY: the least severe notification sent to those channels. */
  minSeverity: NotificationSeverity;
}

interface NotifierLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

interface NotifierDeps {
  store: {
    db: Executor;
    notifications: NotificationsRepo;
    hookDeliveries: Pick<HookDeliveriesRepo, 'enqueue'>;
    zapierHooks: Pick<ZapierHooksRepo, 'listFor'>;
  };
  channels: NotifierChannels;
  /** NOTIFY_QUIET_MS. */
  quietMs: number;
  /** NOTIFY_REPEAT_MS (0: no reminders). */
  remindAfterMs: number;
  logger?: NotifierLogger;
  /** Sees every notification this process produced (metrics), after it was stored. */
  onNotification?: (notification: StoredNotification) => void;
  /** Sees every queued delivery after the notification's transaction committed (nudges the worker). */
  onQueued?: () => void;
  now?: () => Date;
}

export interface Notifier {
  /** The event listener to subscribe to the hub. */
  listen(event: GatewayEvent): void;
  /** Resolves once every signal received so far was applied (tests; shutdown). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

interface Known {
  open: boolean;
  /** Last occurrence this process knows of (for the quiet rule). */
  lastSeenAt: number;
  readAt: number;
}

type Queued = { signal: OpenSignal; count: number } | { signal: ResolveSignal };

export function createNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? (() => new Date());
  const queues = new Map<string, Queued[]>();
  const running = new Map<string, Promise<void>>();
  const known = new Map<string, Known>();
  let stopped = false;

  const keyOf = (signal: Signal) => `${signal.kind}\u0000${signal.locationId}`;

  function deliveriesFor(notification: StoredNotification): DeliveryInput[] {
    const base = { locationId: notification.locationId, eventKind: 'notification' };
    if (!atLeast(notification.severity, deps.channels.minSeverity)) return [];
    const inputs: DeliveryInput[] = [];
    if (deps.channels.webhook)
      inputs.push({ ...base, channel: 'webhook', target: 'webhook', payload: webhookBody(notification) });
    if (deps.channels.slack)
      inputs.push({ ...base, channel: 'slack', target: 'slack', payload: slackBody(notification) });
    if (deps.channels.email)
      inputs.push({ ...base, channel: 'email', target: 'email', payload: emailMessage(notification) });
    return inputs;
  }

  /** Stores the notification and queues its deliveries, in the caller's transaction. */
  async function publish(
    trx: Executor,
    input: Omit<StoredNotification, 'id' | 'createdAt'>,
  ): Promise<StoredNotification> {
    const notification = await deps.store.notifications.insert(input, trx);
    const hooks = await deps.store.zapierHooks.listFor('notification', notification.locationId, trx);
    await deps.store.hookDeliveries.enqueue(
      [
        ...deliveriesFor(notification),
        ...hooks.map((hook) => ({
          channel: 'zapier' as const,
          target: hook.id,
          locationId: notification.locationId,
          eventKind: 'notification',
          payload: notificationPayload(notification),
        })),
      ],
      trx,
    );
    return notification;
  }

  function announce(notification: StoredNotification): void {
    deps.logger?.info(
      {
        notificationId: notification.id,
        kind: notification.kind,
        status: notification.status,
        severity: notification.severity,
        locationId: notification.locationId,
      },
      notification.summary,
    );
    deps.onNotification?.(notification);
    deps.onQueued?.();
  }

  async function applyOpen(signal: OpenSignal, count: number): Promise<void> {
    const at = now();
    const key = { kind: signal.kind, locationId: signal.locationId };
    const produced = await deps.store.db.transaction().execute(async (trx) => {
      const outcome = await deps.store.notifications.occur(
        key,
        { severity: signal.severity, count, at, remindAfterMs: deps.remindAfterMs },
        trx,
      );
      if (outcome.transition === 'counted') return null;
      const { condition } = outcome;
      return publish(trx, {
        locationId: signal.locationId,
        kind: signal.kind,
        severity: condition.severity,
        status: outcome.transition === 'opened' ? 'firing' : 'reminder',
        summary:
          outcome.transition === 'opened'
            ? signal.summary
            : reminderSummary(signal.summary, condition.occurrences, condition.openedAt),
        remedy: signal.remedy,
        details: signal.details,
        occurrences: condition.occurrences,
        firstSeenAt: condition.openedAt,
      });
    });
    known.set(keyOf(signal), { open: true, lastSeenAt: at.getTime(), readAt: at.getTime() });
    if (produced !== null) announce(produced);
  }

  /** Whether a success could resolve anything: false when this process recently read it closed. */
  async function mayResolve(signal: ResolveSignal): Promise<boolean> {
    const key = keyOf(signal);
    const nowMs = now().getTime();
    let state = known.get(key);
    if (state === undefined || nowMs - state.readAt > KNOWN_TTL_MS) {
      const condition = await deps.store.notifications.getCondition({
        kind: signal.kind,
        locationId: signal.locationId,
      });
      state = {
        open: condition?.state === 'open',
        lastSeenAt: condition === null ? 0 : Date.parse(condition.lastSeenAt),
        readAt: nowMs,
      };
      known.set(key, state);
    }
    if (!state.open) return false;
    if (signal.when === 'quiet' && nowMs - state.lastSeenAt < deps.quietMs) return false;
    if (signal.when === 'if-no-dead-letters') {
      const queue = signal.kind === 'dead_letter' ? 'outbox' : 'webhook';
      if ((await deps.store.notifications.deadLettersLeft(queue, signal.locationId)) > 0) return false;
    }
    return true;
  }

  async function applyResolve(signal: ResolveSignal): Promise<void> {
    if (!(await mayResolve(signal))) return;
    const at = now();
    const produced = await deps.store.db.transaction().execute(async (trx) => {
      const condition = await deps.store.notifications.resolve(
        { kind: signal.kind, locationId: signal.locationId },
        { at, quietMs: signal.when === 'quiet' ? deps.quietMs : null },
        trx,
      );
      if (condition === null) return null;
      return publish(trx, {
        locationId: signal.locationId,
        kind: signal.kind,
        severity: condition.severity,
        status: 'resolved',
        summary: resolvedSummary(signal.kind, signal.locationId, condition.occurrences, condition.openedAt),
        remedy: { text: 'Nothing: it works again.' },
        details: { occurrences: condition.occurrences, openedAt: condition.openedAt, resolvedAt: at.toISOString() },
        occurrences: condition.occurrences,
        firstSeenAt: condition.openedAt,
      });
    });
    // Resolved here, or found not resolvable (quiet not reached elsewhere, or closed): read again later.
    known.set(keyOf(signal), {
      open: produced === null,
      lastSeenAt: known.get(keyOf(signal))?.lastSeenAt ?? 0,
      readAt: produced === null ? 0 : at.getTime(),
    });
    if (produced !== null) announce(produced);
  }

  async function drain(key: string): Promise<void> {
    const queue = queues.get(key);
    while (queue !== undefined && queue.length > 0) {
      const head = queue.shift() as Queued;
      try {
        if (head.signal.op === 'open') {
          // Consecutive occurrences become one write.
          let count = 'count' in head ? head.count : 1;
          let latest = head.signal;
          while (queue[0]?.signal.op === 'open') {
            const next = queue.shift() as { signal: OpenSignal; count: number };
            count += next.count;
            latest = next.signal;
          }
          await applyOpen(latest, count);
        } else {
          while (queue[0]?.signal.op === 'resolve') queue.shift();
          await applyResolve(head.signal);
        }
      } catch (error) {
        deps.logger?.warn(
          { err: error, kind: head.signal.kind, locationId: head.signal.locationId },
          'a notification could not be recorded (state database unavailable?); the next occurrence applies again',
        );
      }
    }
    queues.delete(key);
    running.delete(key);
  }

  function enqueue(signal: Signal): void {
    const key = keyOf(signal);
    if (signal.op === 'resolve') {
      // The cheap path of every success: nothing this process knows to be open, nothing to do.
      const state = known.get(key);
      if (state !== undefined && !state.open && now().getTime() - state.readAt <= KNOWN_TTL_MS) return;
    }
    let queue = queues.get(key);
    if (queue === undefined) {
      queue = [];
      queues.set(key, queue);
    }
    const last = queue[queue.length - 1];
    if (signal.op === 'open' && last !== undefined && last.signal.op === 'open' && 'count' in last) {
      queue[queue.length - 1] = { signal, count: last.count + 1 };
    } else if (signal.op === 'resolve' && last?.signal.op === 'resolve') {
      // One pending success is as good as many.
    } else if (queue.length >= MAX_QUEUED_PER_CONDITION) {
      // Full (occurrences and successes alternating): count the occurrence in the last one queued.
      if (signal.op === 'open') {
        const index = queue.map((entry) => entry.signal.op).lastIndexOf('open');
        const entry = queue[index];
        if (entry !== undefined && 'count' in entry) queue[index] = { signal, count: entry.count + 1 };
      }
    } else {
      queue.push(signal.op === 'open' ? { signal, count: 1 } : { signal });
    }
    if (!running.has(key)) running.set(key, drain(key));
  }

  return {
    listen(event) {
      if (stopped) return;
      for (const signal of signalsOf(event)) enqueue(signal);
    },
    async settle() {
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
    async stop() {
      stopped = true;
      while (running.size > 0) await Promise.allSettled([...running.values()]);
    },
  };
}
