/**
 * Composition of notifications and Zapier hooks for startGateway (like src/wiring/write-path.ts for
 * writes): the notifier and the Zapier fan-out listen to the gateway's event hub; the delivery
 * worker sends what they queue through the configured channels (signed webhook, Slack, e-mail)
 * and to Zapier hooks; the notification series join /metrics. Stopping unsubscribes first, lets
 * queued signals settle, then stops the worker (it finishes the deliveries in progress).
 */
import { newLeaseOwner } from '../store/lease-owners.js';
import type { Router } from 'express';
import type { RequestLike } from '../auth/authenticate-request.js';
import type { Logger } from 'pino';
import { createZapierRouter, type AuthenticatedRequest } from '../http/zapier-routes.js';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import type { DeliveryChannel } from '../store/hook-deliveries-repo.js';
import type { Store } from '../store/open-store.js';
import { createUndiciTransport } from '../upstream/transport.js';
import { createDeliveryWorker, type DeliveryWorker } from './delivery-worker.js';
import type { GatewayEventHub } from './event-hub.js';
import { createNotifier, type Notifier } from './notifier.js';
import { registerNotifyMetrics } from './notify-metrics.js';
import {
  createEmailSender,
  createSlackSender,
  createWebhookSender,
  createZapierSender,
  type EmailSender,
  type Sender,
} from './senders.js';
import { createZapierFanout, type ZapierFanout } from './zapier-fanout.js';

/** Bodies of receivers' answers are only read for their status; a little is plenty. */
const MAX_ANSWER_BYTES = 64 * 1024;

type NotifyConfigSlice = Pick<
  Config,
  | 'NOTIFY_WEBHOOK_URL'
  | 'NOTIFY_WEBHOOK_SECRET'
  | 'NOTIFY_SLACK_WEBHOOK_URL'
  | 'NOTIFY_SMTP_URL'
  | 'NOTIFY_EMAIL_TO'
  | 'NOTIFY_EMAIL_FROM'
  | 'NOTIFY_MIN_SEVERITY'
  | 'NOTIFY_QUIET_MS'
  | 'NOTIFY_REPEAT_MS'
  | 'NOTIFY_POLL_MS'
  | 'NOTIFY_TIMEOUT_MS'
  | 'ZAPIER_TARGET_HOSTS'
  | 'QUEUE_LEASE_MS'
  | 'WEBHOOK_QUEUE_MAX'
>;

interface NotifyDeps {
  events: GatewayEventHub;
  store: Pick<Store, 'db' | 'notifications' | 'hookDeliveries' | 'zapierHooks' | 'webhooks'>;
  metrics: Metrics;
  logger: Logger;
}

export interface StartedNotify {
  notifier: Notifier;
  zapier: ZapierFanout;
  worker: DeliveryWorker;
  /** The channels configured (webhook, slack, email). */
  channels: DeliveryChannel[];
  /** Waits until every event received so far became notifications and deliveries (tests). */
  settle(): Promise<void>;
  /**
   * The /zapier/* routes and the API-key Roofr intake, authenticated like /graphql; mount it in
   * front of the signed webhook routes.
   */
  router(options: {
    authenticate: (req: RequestLike) => Promise<AuthenticatedRequest>;
    /** A Roofr event was queued (wakes the sync engine's webhook worker). */
    onRoofrEvent?: () => void;
  }): Router;
  stop(): Promise<void>;
}

export function startNotify(config: NotifyConfigSlice, deps: NotifyDeps): StartedNotify {
  const logger = deps.logger.child({ component: 'notify' });
  const transport = createUndiciTransport({ maxBodyBytes: MAX_ANSWER_BYTES, connections: 8 });
  const senders: Partial<Record<DeliveryChannel, Sender>> = {
    zapier: createZapierSender({
      transport,
      hooks: deps.store.zapierHooks,
      allowedHosts: config.ZAPIER_TARGET_HOSTS,
      timeoutMs: config.NOTIFY_TIMEOUT_MS,
    }),
  };
  if (config.NOTIFY_WEBHOOK_URL !== undefined && config.NOTIFY_WEBHOOK_SECRET !== undefined)
    senders.webhook = createWebhookSender({
      transport,
      url: config.NOTIFY_WEBHOOK_URL,
      secret: config.NOTIFY_WEBHOOK_SECRET,
      timeoutMs: config.NOTIFY_TIMEOUT_MS,
    });
  if (config.NOTIFY_SLACK_WEBHOOK_URL !== undefined)
    senders.slack = createSlackSender({
      transport,
      url: config.NOTIFY_SLACK_WEBHOOK_URL,
      timeoutMs: config.NOTIFY_TIMEOUT_MS,
    });
  let email: EmailSender | null = null;
  if (
    config.NOTIFY_SMTP_URL !== undefined &&
    config.NOTIFY_EMAIL_FROM !== undefined &&
    config.NOTIFY_EMAIL_TO.length > 0
  ) {
    email = createEmailSender({
      smtpUrl: config.NOTIFY_SMTP_URL,
      from: config.NOTIFY_EMAIL_FROM,
      to: config.NOTIFY_EMAIL_TO,
      timeoutMs: config.NOTIFY_TIMEOUT_MS,
    });
    senders.email = email.send;
  }
  const channels = (['webhook', 'slack', 'email'] as const).filter((channel) => senders[channel] !== undefined);
  const metrics = registerNotifyMetrics(deps.metrics, deps.store, channels);

  const worker = createDeliveryWorker({
    repo: deps.store.hookDeliveries,
    senders,
    owner: newLeaseOwner(),
    pollMs: config.NOTIFY_POLL_MS,
    leaseMs: config.QUEUE_LEASE_MS,
    logger,
    onOutcome: (channel, outcome) => metrics.delivery(channel, outcome),
  });
  const notifier = createNotifier({
    store: deps.store,
    channels: {
      webhook: senders.webhook !== undefined,
      slack: senders.slack !== undefined,
      email: senders.email !== undefined,
      minSeverity: config.NOTIFY_MIN_SEVERITY,
    },
    quietMs: config.NOTIFY_QUIET_MS,
    remindAfterMs: config.NOTIFY_REPEAT_MS,
    logger,
    onNotification: (notification) => metrics.notification(notification),
    onQueued: () => worker.nudge(),
  });
  const zapier = createZapierFanout({
    hooks: deps.store.zapierHooks,
    deliveries: deps.store.hookDeliveries,
    onQueued: () => worker.nudge(),
    onError: (error, event) =>
      logger.warn({ err: error, event }, 'a Zapier hook delivery could not be queued (state database unavailable?)'),
  });
  const unlisten = [
    deps.events.listen((event) => notifier.listen(event)),
    deps.events.listen((event) => zapier.listen(event)),
  ];
  worker.start();
  if (channels.length > 0) logger.info({ channels }, 'notifications are sent to the configured channels');

  let stopping: Promise<void> | null = null;
  return {
    notifier,
    zapier,
    worker,
    channels,
    async settle() {
      await notifier.settle();
      await zapier.settle();
    },
    router: ({ authenticate, onRoofrEvent }) =>
      createZapierRouter({
        authenticate,
        hooks: deps.store.zapierHooks,
        notifications: deps.store.notifications,
        allowedHosts: config.ZAPIER_TARGET_HOSTS,
        onSubscriptionChanged: (event, locationId) => zapier.forget(event, locationId),
        roofrIntake: {
          webhooks: deps.store.webhooks,
          queueMax: config.WEBHOOK_QUEUE_MAX,
          ...(onRoofrEvent === undefined ? {} : { onAccepted: onRoofrEvent }),
        },
        logger,
      }),
    stop() {
      stopping ??= (async () => {
        for (const stop of unlisten) stop();
        await notifier.stop();
        await zapier.settle();
        await worker.stop();
        email?.close();
        await transport.close();
      })();
      return stopping;
    },
  };
}
