/**
 * What a Zapier trigger receives, one flat object per event, identical whether it arrives by
 * REST hook delivery or from the editor's sample endpoint (Zapier requires the two to match).
 * Every object carries a unique `id` (Zapier dedupes polled items by it) and the `event` name.
 */
import type { FinishedSyncRun } from '../domain/gateway-events.js';
import type { StoredNotification } from '../store/notifications-repo.js';

export const ZAPIER_EVENTS = ['contact_synced', 'sync_run_finished', 'dead_letter', 'notification'] as const;
export type ZapierEvent = (typeof ZAPIER_EVENTS)[number];

export function isZapierEvent(value: string): value is ZapierEvent {
  return (ZAPIER_EVENTS as readonly string[]).includes(value);
}

export type ZapierPayload = Record<string, string | number | boolean | null | Record<string, number>>;

export function contactSyncedPayload(input: {
  locationId: string;
  contactId: string;
  roofrCustomerId: string | null;
  roofrJobId: string | null;
  syncedAt: string;
}): ZapierPayload {
  return {
    id: `contact:${input.contactId}:${input.syncedAt}`,
    event: 'contact_synced',
    locationId: input.locationId,
    contactId: input.contactId,
    roofrCustomerId: input.roofrCustomerId,
    roofrJobId: input.roofrJobId,
    syncedAt: input.syncedAt,
  };
}

export function syncRunFinishedPayload(
  run: Omit<FinishedSyncRun, 'errors'> & Partial<Pick<FinishedSyncRun, 'errors'>>,
): ZapierPayload {
  const first = run.errors?.[0];
  return {
    id: `run:${run.id}`,
    event: 'sync_run_finished',
    locationId: run.locationId,
    runId: run.id,
    trigger: run.trigger,
    mode: run.mode,
    status: run.status.toUpperCase(),
    counts: { ...run.counts },
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    firstError: first === undefined ? null : first.message,
  };
}

export function deadLetterPayload(input: {
  locationId: string;
  queue: 'outbox' | 'webhook';
  id: number;
  kind: string;
  error: string | null;
  attempts: number;
  at: string;
}): ZapierPayload {
  return {
    id: `${input.queue}:${input.id}:${input.at}`,
    event: 'dead_letter',
    locationId: input.locationId,
    queue: input.queue,
    deadLetterId: String(input.id),
    kind: input.kind,
    error: input.error,
    attempts: input.attempts,
    at: input.at,
  };
}

export function notificationPayload(notification: StoredNotification): ZapierPayload {
  return {
    id: `notification:${notification.id}`,
    event: 'notification',
    locationId: notification.locationId,
    notificationId: String(notification.id),
    kind: notification.kind,
    severity: notification.severity.toUpperCase(),
    status: notification.status.toUpperCase(),
    summary: notification.summary,
    remedy: notification.remedy.text,
    remedyMutation: notification.remedy.mutation ?? null,
    remedyCommand: notification.remedy.command ?? null,
    remedyUrl: notification.remedy.url ?? null,
    occurrences: notification.occurrences,
    firstSeenAt: notification.firstSeenAt,
    createdAt: notification.createdAt,
  };
}
