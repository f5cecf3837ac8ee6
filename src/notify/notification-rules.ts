/**
 * What each operational fact means for an operator, as pure functions: the gateway event → the
 * condition it opens (kind, location, severity, one sentence of what happened, what fixes it)
 * or resolves. The notifier (notifier.ts) applies the signals; nothing here does I/O.
 *
 * Kinds and what resolves them:
 * | kind                   | opened by                              | resolved by                                   |
 * |------------------------|----------------------------------------|-----------------------------------------------|
 * | sync_run_failed        | a run FAILED                           | a run of the location SUCCEEDED (after quiet)  |
 * | sync_run_partial       | a run PARTIAL                          | a run of the location SUCCEEDED (after quiet)  |
 * | dead_letter            | a Roofr write went dead (outbox)       | no outbox dead letter left after a retry       |
 * | webhook_dead_letter    | a webhook event went dead              | no dead webhook event left after a retry       |
 * | reinstall_required     | HighLevel refused the grant / token    | a HighLevel call answered                      |
 * | budget_reserve_reached | the daily reserve stopped a call       | a HighLevel call answered                      |
 * | roofr_unauthorized     | Roofr refused the credentials          | Roofr accepted a write                         |
 * | roofr_validation       | Roofr refused a record                 | Roofr accepted a write (after quiet)           |
 * "After quiet": a success resolves only once no failure was seen for NOTIFY_QUIET_MS, so runs
 * failing and succeeding in turn during one outage make one message and one recovery.
 */
import type { GatewayEvent } from '../domain/gateway-events.js';
import type { Remedy } from '../store/notifications-repo.js';
import type { NotificationSeverity } from '../store/schema.js';

export const NOTIFICATION_KINDS = [
  'sync_run_failed',
  'sync_run_partial',
  'dead_letter',
  'webhook_dead_letter',
  'reinstall_required',
  'budget_reserve_reached',
  'roofr_unauthorized',
  'roofr_validation',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export interface OpenSignal {
  op: 'open';
  kind: NotificationKind;
  locationId: string;
  severity: NotificationSeverity;
  summary: string;
  remedy: Remedy;
  details: Record<string, unknown>;
}

export interface ResolveSignal {
  op: 'resolve';
  kind: NotificationKind;
  locationId: string;
  /**
   * `quiet`: a success was seen, which resolves only after a quiet period without failures;
   * `now`: the cause is verifiably gone (e.g. a grant answered); `if-no-dead-letters`: after the
   * notifier checked the location has no dead letter of that queue left.
   */
  when: 'quiet' | 'now' | 'if-no-dead-letters';
}

export type Signal = OpenSignal | ResolveSignal;

const SEVERITY_RANK: Readonly<Record<NotificationSeverity, number>> = { info: 0, warning: 1, critical: 2 };

export function atLeast(severity: NotificationSeverity, threshold: NotificationSeverity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

function firstError(errors: ReadonlyArray<{ code?: string | undefined; message: string }>): string {
  const first = errors[0];
  if (first === undefined) return 'no error was recorded';
  const message = first.message.length > 160 ? `${first.message.slice(0, 159)}…` : first.message;
  return first.code === undefined ? message : `${first.code}: ${message}`;
}

function quote(value: string): string {
  return JSON.stringify(value);
}

/** The signals one event carries (none for facts that concern no operator). */
export function signalsOf(event: GatewayEvent): Signal[] {
  switch (event.type) {
    case 'sync_run.finished': {
      const { run } = event;
      const location = run.locationId;
      if (run.status === 'succeeded')
        return [
          { op: 'resolve', kind: 'sync_run_failed', locationId: location, when: 'quiet' },
          { op: 'resolve', kind: 'sync_run_partial', locationId: location, when: 'quiet' },
        ];
      const failed = run.status === 'failed';
      const what = run.mode.startsWith('event:') ? `the ${run.mode.slice(6)} webhook event` : `the ${run.mode} sync`;
      return [
        {
          op: 'open',
          kind: failed ? 'sync_run_failed' : 'sync_run_partial',
          locationId: location,
          severity: failed ? 'critical' : 'warning',
          summary: failed
            ? `Sync run ${run.id} (${run.trigger}, ${what}) failed in location ${location}: ${firstError(run.errors)}.`
            : `Sync run ${run.id} (${run.trigger}, ${what}) finished PARTIAL in location ${location}: ${run.counts.failed} of ${run.counts.read} records failed (${firstError(run.errors)}).`,
          remedy: {
            text: `Read the run's errors, fix their cause (Roofr or HighLevel down, a mapping or data problem), then sync again; records already in Roofr are skipped.`,
            mutation: `mutation { startSync(mode: FULL${run.businessId === null ? '' : `, businessId: ${quote(run.businessId)}`}) { id status } }`,
            command: `npm run sync -- --full${run.businessId === null ? '' : ` --business ${run.businessId}`}`,
          },
          details: { runId: run.id, trigger: run.trigger, mode: run.mode, status: run.status, counts: run.counts },
        },
      ];
    }
    case 'dead_letter': {
      const location = event.locationId ?? '';
      const where = event.locationId === null ? 'without a location' : `in location ${event.locationId}`;
      if (event.queue === 'outbox')
        return [
          {
            op: 'open',
            kind: 'dead_letter',
            locationId: location,
            severity: 'warning',
            summary: `A Roofr write (${event.kind}, outbox entry ${event.id}) ${where} was given up after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'}: ${event.error ?? 'no error recorded'}.`,
            remedy: {
              text: 'Fix the cause (a validation refusal: the record in HighLevel or the mapping, previewed with previewRoofrRecord; an outage: wait for Roofr), then put the write back in the outbox.',
              mutation: `mutation { retryDeadLetter(id: ${quote(String(event.id))}) }`,
            },
            details: { queue: 'outbox', id: event.id, kind: event.kind, attempts: event.attempts, error: event.error },
          },
        ];
      return [
        {
          op: 'open',
          kind: 'webhook_dead_letter',
          locationId: location,
          severity: 'warning',
          summary: `A webhook event (${event.kind}, event ${event.id}) ${where} was given up after ${event.attempts} attempt${event.attempts === 1 ? '' : 's'}: ${event.error ?? 'no error recorded'}.`,
          remedy: {
            text: 'Fix the cause, then run a full sync: it brings Roofr up to date with every change the event carried.',
            mutation: 'mutation { startSync(mode: FULL) { id status } }',
            command: 'npm run sync -- --full',
          },
          details: { queue: 'webhook', id: event.id, kind: event.kind, attempts: event.attempts, error: event.error },
        },
      ];
    }
    case 'dead_letter.retried':
      return event.locationId === null
        ? []
        : [
            {
              op: 'resolve',
              kind: event.queue === 'outbox' ? 'dead_letter' : 'webhook_dead_letter',
              locationId: event.locationId,
              when: 'if-no-dead-letters',
            },
          ];
    case 'ghl.auth_refused':
      return [
        {
          op: 'open',
          kind: 'reinstall_required',
          locationId: event.locationId,
          severity: 'critical',
          summary:
            event.installUrl === null
              ? `HighLevel refuses the Private Integration Token of location ${event.locationId}: every call for it fails until the token is replaced.`
              : event.reason === 'not_installed'
                ? `The HighLevel app is not installed for location ${event.locationId}: every call for it fails until it is installed.`
                : `HighLevel no longer accepts the OAuth grant of location ${event.locationId} (${event.reason}): every call for it fails until the app is installed again.`,
          remedy:
            event.installUrl === null
              ? {
                  text: 'Create a new Private Integration Token in HighLevel (Settings → Private Integrations), set GHL_PRIVATE_INTEGRATION_TOKEN to it and restart the gateway.',
                }
              : {
                  text: 'Open the install link as a HighLevel user of the location and approve the app; the location works again at once on every replica.',
                  url: event.installUrl,
                  command: 'npm run auth -- url',
                },
          details: { reason: event.reason, installUrl: event.installUrl },
        },
      ];
    case 'ghl.answered':
      return [
        { op: 'resolve', kind: 'reinstall_required', locationId: event.locationId, when: 'now' },
        { op: 'resolve', kind: 'budget_reserve_reached', locationId: event.locationId, when: 'now' },
      ];
    case 'ghl.budget_reserve_reached': {
      const hours = Math.max(1, Math.round(event.retryAfterMs / 3_600_000));
      return [
        {
          op: 'open',
          kind: 'budget_reserve_reached',
          locationId: event.locationId,
          severity: 'warning',
          summary: `Location ${event.locationId} has ${event.dailyRemaining} HighLevel requests left today and ${event.reserve} are kept in reserve, so the gateway refuses further calls (answered from the cache where it can) until the daily budget resets in about ${hours} h.`,
          remedy: {
            text: 'Nothing is lost: calls resume when HighLevel resets the daily budget. To spend less, move large syncs to the night (SYNC_SCHEDULE), look for another tool spending the same app and location, or lower GHL_DAILY_RESERVE.',
            mutation: '{ rateLimit { dailyRemaining burstRemaining } }',
          },
          details: { dailyRemaining: event.dailyRemaining, reserve: event.reserve, retryAfterMs: event.retryAfterMs },
        },
      ];
    }
    case 'roofr.refused':
      if (event.reason === 'unauthorized')
        return [
          {
            op: 'open',
            kind: 'roofr_unauthorized',
            locationId: event.locationId,
            severity: 'critical',
            summary: `Roofr refuses the gateway's credentials, so no change of location ${event.locationId} reaches Roofr (${event.message}).`,
            remedy: {
              text: 'Set a valid Roofr API key (ROOFR_API_KEY, or stored encrypted with the command below) and restart; the writes wait in the outbox and are delivered once Roofr accepts the key.',
              command: 'npm run auth -- secret set roofr.api_key -',
            },
            details: { entity: event.entity, message: event.message },
          },
        ];
      return [
        {
          op: 'open',
          kind: 'roofr_validation',
          locationId: event.locationId,
          severity: 'warning',
          summary: `Roofr refused ${event.entity.kind} ${event.entity.id} of location ${event.locationId} as invalid: ${event.message}.`,
          remedy: {
            text: 'Fix the record in HighLevel or the field mapping (MAPPING_FILE), check what would be sent, then retry the dead letter it left.',
            mutation:
              event.entity.kind === 'contact'
                ? `{ previewRoofrRecord(contactId: ${quote(event.entity.id)}) { customer job } }`
                : '{ deadLetters(first: 20) { edges { node { id kind lastError } } } }',
          },
          details: { entity: event.entity, message: event.message },
        },
      ];
    case 'roofr.accepted':
      return [
        { op: 'resolve', kind: 'roofr_unauthorized', locationId: event.locationId, when: 'now' },
        { op: 'resolve', kind: 'roofr_validation', locationId: event.locationId, when: 'quiet' },
      ];
    case 'contact.synced':
      return [];
  }
}

/** The one sentence of a recovery. */
export function resolvedSummary(
  kind: NotificationKind,
  locationId: string,
  occurrences: number,
  openedAt: string,
): string {
  const times = `${occurrences} occurrence${occurrences === 1 ? '' : 's'} since ${openedAt}`;
  const what: Record<NotificationKind, string> = {
    sync_run_failed: 'Sync runs succeed again',
    sync_run_partial: 'Sync runs succeed again',
    dead_letter: 'No Roofr write is left in the dead letters',
    webhook_dead_letter: 'No webhook event is left in the dead letters',
    reinstall_required: 'HighLevel accepts the credentials again',
    budget_reserve_reached: 'HighLevel calls are allowed again (the daily budget reset)',
    roofr_unauthorized: 'Roofr accepts the credentials again',
    roofr_validation: 'Roofr accepts the writes again',
  };
  return `Resolved: ${what[kind]} in location ${locationId} (${times}).`;
}

/** The one sentence of a reminder while a condition stays open. */
export function reminderSummary(firing: string, occurrences: number, openedAt: string): string {
  return `Still happening (${occurrences} occurrences since ${openedAt}). Last: ${firing}`;
}
