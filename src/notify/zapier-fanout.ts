/**
 * Zapier REST hook triggers: each gateway event a Zap can subscribe to (contact synced, sync run
 * finished, dead letter) becomes one delivery per subscription of its location, queued in the
 * signed-webhook outbox. (Notifications are queued by the notifier with the notification itself.)
 *
 * Subscriptions are read through a short cache per (event, location), so the common case, no
 * Zap subscribed, costs no query per synced contact; a subscription made on another replica is
 * seen within HOOKS_TTL_MS, one made here at once (`forget`).
 */
import type { GatewayEvent } from '../domain/gateway-events.js';
import type { DeliveryInput, HookDeliveriesRepo } from '../store/hook-deliveries-repo.js';
import type { ZapierHook, ZapierHooksRepo } from '../store/zapier-hooks-repo.js';
import {
  contactSyncedPayload,
  deadLetterPayload,
  syncRunFinishedPayload,
  type ZapierEvent,
  type ZapierPayload,
} from './zapier-payloads.js';

const HOOKS_TTL_MS = 5_000;

interface ZapierFanoutDeps {
  hooks: Pick<ZapierHooksRepo, 'listFor'>;
  deliveries: Pick<HookDeliveriesRepo, 'enqueue'>;
  onQueued?: () => void;
  onError?: (error: unknown, event: ZapierEvent) => void;
  now?: () => number;
}

export interface ZapierFanout {
  listen(event: GatewayEvent): void;
  /** A subscription of this location changed here: read it again at the next event. */
  forget(event: string, locationId: string): void;
  settle(): Promise<void>;
}

/** The Zapier event and payload of a gateway event, or null when no trigger carries it. */
export function zapierEventOf(
  event: GatewayEvent,
): { event: ZapierEvent; locationId: string; payload: ZapierPayload } | null {
  switch (event.type) {
    case 'contact.synced':
      return {
        event: 'contact_synced',
        locationId: event.locationId,
        payload: contactSyncedPayload({ ...event, syncedAt: event.at }),
      };
    case 'sync_run.finished':
      return {
        event: 'sync_run_finished',
        locationId: event.run.locationId,
        payload: syncRunFinishedPayload(event.run),
      };
    case 'dead_letter':
      return event.locationId === null
        ? null
        : {
            event: 'dead_letter',
            locationId: event.locationId,
            payload: deadLetterPayload({ ...event, locationId: event.locationId }),
          };
    default:
      return null;
  }
}

export function createZapierFanout(deps: ZapierFanoutDeps): ZapierFanout {
  const now = deps.now ?? Date.now;
  const cache = new Map<string, { hooks: Promise<ZapierHook[]>; readAt: number }>();
  const pending = new Set<Promise<void>>();

  function hooksFor(event: ZapierEvent, locationId: string): Promise<ZapierHook[]> {
    const key = `${event}\u0000${locationId}`;
    const cached = cache.get(key);
    if (cached !== undefined && now() - cached.readAt <= HOOKS_TTL_MS) return cached.hooks;
    const hooks = deps.hooks.listFor(event, locationId);
    cache.set(key, { hooks, readAt: now() });
    // A failed read is not cached.
    hooks.catch(() => cache.delete(key));
    return hooks;
  }

  async function deliver(found: NonNullable<ReturnType<typeof zapierEventOf>>): Promise<void> {
    const hooks = await hooksFor(found.event, found.locationId);
    if (hooks.length === 0) return;
    const inputs: DeliveryInput[] = hooks.map((hook) => ({
      channel: 'zapier',
      target: hook.id,
      locationId: found.locationId,
      eventKind: found.event,
      payload: found.payload,
    }));
    await deps.deliveries.enqueue(inputs);
    deps.onQueued?.();
  }

  return {
    listen(event) {
      const found = zapierEventOf(event);
      if (found === null) return;
      const work = deliver(found)
        .catch((error: unknown) => deps.onError?.(error, found.event))
        .finally(() => pending.delete(work));
      pending.add(work);
    },
    forget(event, locationId) {
      cache.delete(`${event}\u0000${locationId}`);
    },
    async settle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
