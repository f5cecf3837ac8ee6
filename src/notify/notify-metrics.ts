/**
 * The notification series of /metrics, registered on the gateway's one registry: notifications
 * produced and deliveries by outcome (counted in this process), and, read from the shared state
 * database at scrape time, open conditions per kind, the delivery queue and Zapier hooks (on
 * PostgreSQL every replica reports the same value: aggregate with max()).
 */
import { Counter, Gauge } from 'prom-client';
import type { Metrics } from '../observability/metrics.js';
import type { DeliveryChannel, HookDeliveriesRepo } from '../store/hook-deliveries-repo.js';
import type { NotificationsRepo, StoredNotification } from '../store/notifications-repo.js';
import type { ZapierHooksRepo } from '../store/zapier-hooks-repo.js';
import type { DeliveryOutcome } from './delivery-worker.js';
import { NOTIFICATION_KINDS } from './notification-rules.js';

interface NotifyMetrics {
  notification(notification: StoredNotification): void;
  delivery(channel: DeliveryChannel, outcome: DeliveryOutcome): void;
}

const OUTCOMES: readonly DeliveryOutcome[] = ['delivered', 'dropped', 'retried', 'dead', 'lost'];

export function registerNotifyMetrics(
  metrics: Metrics,
  store: {
    notifications: Pick<NotificationsRepo, 'openCounts'>;
    hookDeliveries: Pick<HookDeliveriesRepo, 'counts'>;
    zapierHooks: Pick<ZapierHooksRepo, 'count'>;
  },
  channels: readonly DeliveryChannel[],
): NotifyMetrics {
  const registers = [metrics.registry];
  const notifications = new Counter({
    name: 'gateway_notifications_total',
    help: 'Notifications this process produced, by kind and status (firing, reminder, resolved)',
    labelNames: ['kind', 'status'] as const,
    registers,
  });
  const deliveries = new Counter({
    name: 'gateway_notification_deliveries_total',
    help: 'Notification and Zapier deliveries by channel (webhook, slack, email, zapier) and outcome (delivered, dropped, retried, dead, lost)',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const open = new Gauge({
    name: 'gateway_open_conditions',
    help: 'Notification conditions open now (e.g. reinstall_required, sync_run_failed), by kind; read from the state store',
    labelNames: ['kind'] as const,
    registers,
  });
  const queueDepth = new Gauge({
    name: 'gateway_notification_queue_depth',
    help: 'Notification and Zapier deliveries waiting (pending or being sent)',
    registers,
  });
  const deadDeliveries = new Gauge({
    name: 'gateway_notification_dead_deliveries',
    help: 'Notification and Zapier deliveries given up after their attempts',
    registers,
  });
  const hooks = new Gauge({
    name: 'gateway_zapier_hooks',
    help: 'Zapier REST hook subscriptions',
    registers,
  });
  // Zero series from the start, so rates and dashboards see 0 rather than nothing.
  for (const kind of NOTIFICATION_KINDS)
    for (const status of ['firing', 'reminder', 'resolved']) notifications.inc({ kind, status }, 0);
  for (const channel of new Set<DeliveryChannel>([...channels, 'zapier']))
    for (const outcome of OUTCOMES) deliveries.inc({ channel, outcome }, 0);

  metrics.onScrape('notifications', async () => {
    const [counts, queue, hookCount] = await Promise.all([
      store.notifications.openCounts(),
      store.hookDeliveries.counts(),
      store.zapierHooks.count(),
    ]);
    for (const kind of NOTIFICATION_KINDS) open.set({ kind }, counts[kind] ?? 0);
    queueDepth.set(queue.pending + queue.in_flight);
    deadDeliveries.set(queue.dead);
    hooks.set(hookCount);
  });

  return {
    notification: (notification) => notifications.inc({ kind: notification.kind, status: notification.status }),
    delivery: (channel, outcome) => deliveries.inc({ channel, outcome }),
  };
}
