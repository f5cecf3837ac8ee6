/**
 * The durable state of the gateway: Kysely table types, identical on SQLite and PostgreSQL.
 *
 * Portable column conventions (so one migration and one set of queries serve both dialects):
 * - Times are ISO-8601 UTC text from `Date.toISOString()` (always `YYYY-MM-DDTHH:mm:ss.sssZ`),
 *   so text order is time order and `<=` comparisons work the same on both dialects.
 * - JSON is stored as text and parsed with zod when read (the database is a trust boundary too:
 *   a row written by an older release must not crash a newer one silently).
 * - Encrypted values are opaque base64 text (ciphertext, iv, auth tag, key id); this layer
 *   never sees plaintext. Encryption belongs to the caller.
 * - Surrogate ids are 32-bit integers (SQLite `integer primary key autoincrement`,
 *   PostgreSQL `serial`) so both drivers return JS numbers; they double as paging cursors.
 *
 * Tables
 * - links             one row per linked pair: GHL entity (contact|task|note|appointment, id)
 *                     ↔ Roofr entity (customer|job|job_task|job_note, id) in a location;
 *                     status active|deleted. Unique per side and opposite kind, so a contact may
 *                     link to one customer AND one job, but never to two customers.
 * - content_hashes    the hash of the content last written per (location, direction, entity
 *                     kind, entity id of the written side). Skips unchanged writes; a webhook
 *                     whose content hashes to what we wrote is our own echo.
 * - outbox            pending writes to Roofr, leased (lease_owner, lease_expires_at) so
 *                     replicas share the queue; idempotency_key unique; status
 *                     pending|in_flight|done|dead. Dead rows are the dead letters.
 * - webhook_receipts  (source, webhook_id) of every webhook accepted, for replay rejection.
 * - inbound_events    durable queue of accepted webhook bodies, leased like the outbox, so the
 *                     HTTP handler answers after one insert.
 * - sync_runs         one row per sync run: trigger, location, business, kind (sync, dry_run,
 *                     verify), mode, status, counts, errors (JSON), cursor reached, summary (JSON).
 * - sync_run_entries  the plan of a dry run (what would be written, field by field) or the
 *                     findings of a verify (with the repair queued), one row per record and
 *                     target, unique (run_id, entry_key); fields as JSON.
 * - sync_cursors      (location, scope) → opaque cursor text (e.g. a dateUpdated watermark).
 * - oauth_tokens      per subject (location or company): encrypted token blob, scopes (JSON),
 *                     expiry, status active|needs_reinstall, version for compare-and-swap
 *                     refreshes across replicas.
 * - api_keys          hashed client API keys with their locations and roles (JSON).
 * - secrets           key → encrypted value (e.g. Roofr credentials).
 * - sync_jobs         the sync engine's work queue (batch and contact runs), leased like the
 *                     outbox; id = the run's id, spec JSON, next_attempt_at for backoff.
 * - notification_conditions  one row per (notification kind, location): open or resolved, with
 *                     occurrence counts; shared by replicas so an outage notifies once.
 * - notifications     every message the notifier produced (firing, reminder, resolved).
 * - hook_deliveries   signed webhook / Slack / e-mail / Zapier deliveries waiting to be sent,
 *                     leased like the outbox.
 * - zapier_hooks      Zapier REST hook subscriptions: event, target URL, location.
 * The four queues (outbox, inbound_events, sync_jobs, hook_deliveries) share the columns status,
 * attempts, next_attempt_at, last_error, lease_owner, lease_expires_at, updated_at, and one
 * protocol over them (leased-queue.ts).
 */
import type { Generated } from 'kysely';

export type GhlEntityKind = 'contact' | 'task' | 'note' | 'appointment';
export type RoofrEntityKind = 'customer' | 'job' | 'job_task' | 'job_note';
export type LinkStatus = 'active' | 'deleted';
export type SyncDirection = 'ghl_to_roofr' | 'roofr_to_ghl';
export type QueueStatus = 'pending' | 'in_flight' | 'done' | 'dead';
export type SyncRunStatus = 'running' | 'succeeded' | 'partial' | 'failed';
/** sync: writes; dry_run: plans the writes a sync would make; verify: compares both sides. */
export type SyncRunKind = 'sync' | 'dry_run' | 'verify';
export type TokenSubjectKind = 'location' | 'company';
export type TokenStatus = 'active' | 'needs_reinstall';
export type WebhookSource = 'ghl' | 'roofr';

export interface LinksTable {
  id: Generated<number>;
  location_id: string;
  ghl_kind: GhlEntityKind;
  ghl_id: string;
  roofr_kind: RoofrEntityKind;
  roofr_id: string;
  status: LinkStatus;
  created_at: string;
  updated_at: string;
}

export interface ContentHashesTable {
  location_id: string;
  direction: SyncDirection;
  entity_kind: string;
  entity_id: string;
  hash: string;
  updated_at: string;
}

export interface OutboxTable {
  id: Generated<number>;
  location_id: string;
  kind: string;
  payload: string;
  idempotency_key: string;
  /** The entity the write is about (EnqueueInput.entityKey); null on rows without one. */
  entity_key: string | null;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  status: QueueStatus;
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface WebhookReceiptsTable {
  source: WebhookSource;
  webhook_id: string;
  received_at: string;
}

export interface InboundEventsTable {
  id: Generated<number>;
  source: WebhookSource;
  webhook_id: string;
  location_id: string | null;
  event_type: string;
  payload: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  status: QueueStatus;
  lease_owner: string | null;
  lease_expires_at: string | null;
  received_at: string;
  updated_at: string;
}

export interface SyncRunsTable {
  id: string;
  trigger: string;
  location_id: string;
  business_id: string | null;
  mode: string;
  status: SyncRunStatus;
  read_count: number;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  failed_count: number;
  started_at: string;
  finished_at: string | null;
  errors: string;
  cursor: string | null;
  /** Added by 0008_run_reports; older rows are 'sync'. */
  kind: Generated<SyncRunKind>;
  skipped_count: Generated<number>;
  conflict_count: Generated<number>;
  /** RunSummary JSON (sync-runs-repo.ts); null until the run reports one. */
  summary: string | null;
}

/** A dry run's plan entry or a verify's finding (src/store/sync-run-entries-repo.ts). */
export interface SyncRunEntriesTable {
  id: Generated<number>;
  run_id: string;
  /** Unique per run: the same record and target recorded twice (a redone page) is one entry. */
  entry_key: string;
  /** The HighLevel record: contact, task, note, appointment. */
  entity_kind: string;
  entity_id: string;
  /** What the entry is about: customer, job, job_task, job_note (Roofr) or contact (HighLevel). */
  target_kind: string;
  roofr_id: string | null;
  action: string;
  reason: string | null;
  /** JSON array of {field, from, to}. */
  fields: string;
  fields_omitted: number;
  /** Verify: what repair did (queued, already_queued, manual, retired, none). */
  repair: string | null;
  outbox_id: number | null;
  created_at: string;
}

export interface SyncCursorsTable {
  location_id: string;
  scope: string;
  value: string;
  updated_at: string;
}

export interface OAuthTokensTable {
  subject_kind: TokenSubjectKind;
  subject_id: string;
  company_id: string | null;
  ciphertext: string;
  iv: string;
  auth_tag: string;
  key_id: string;
  scopes: string;
  expires_at: string;
  last_refresh_at: string | null;
  status: TokenStatus;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  key_hash: string;
  name: string;
  locations: string;
  roles: string;
  created_at: string;
  revoked_at: string | null;
  /** allow-any | trusted-only; null: the gateway's default (migration 0004). */
  documents: string | null;
}

export interface TrustedDocumentsTable {
  id: string;
  sha256: string;
  body: string;
  operation_name: string | null;
  app: string | null;
  created_at: string;
}

export interface SecretsTable {
  key: string;
  ciphertext: string;
  iv: string;
  auth_tag: string;
  key_id: string;
  updated_at: string;
}

/** Sync jobs, the store-backed work queue of the sync engine (src/store/sync-jobs-repo.ts). */
export interface SyncJobsTable {
  id: string;
  /** The job's SyncJobSpec as JSON. */
  spec: string;
  status: QueueStatus;
  attempts: number;
  /** Due time (backoff after a failure). Added by 0004_sync_jobs_due; older rows got created_at. */
  next_attempt_at: string;
  /**
   * The spec's location: at most one job of a location is in flight (0009_sync_jobs_per_location,
   * which left it null on rows in flight when it ran).
   */
  location_id: string | null;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export type ConditionState = 'open' | 'resolved';
export type NotificationSeverity = 'critical' | 'warning' | 'info';
export type NotificationStatus = 'firing' | 'reminder' | 'resolved';

/** Dedup state of one notification kind in one location (src/store/notifications-repo.ts). */
export interface NotificationConditionsTable {
  kind: string;
  location_id: string;
  state: ConditionState;
  severity: NotificationSeverity;
  /** Occurrences since the condition opened. */
  occurrences: number;
  opened_at: string;
  last_seen_at: string;
  /** When the last message about it (firing or reminder) was produced. */
  last_notified_at: string;
  resolved_at: string | null;
  updated_at: string;
}

export interface NotificationsTable {
  id: Generated<number>;
  location_id: string;
  kind: string;
  severity: NotificationSeverity;
  status: NotificationStatus;
  summary: string;
  /** JSON: { text, mutation?, command?, url? }. */
  remedy: string;
  /** JSON: the facts the message was built from. */
  details: string;
  occurrences: number;
  first_seen_at: string;
  created_at: string;
}

/** The signed-webhook outbox: one row per message to send to one channel target. */
export interface HookDeliveriesTable {
  id: Generated<number>;
  /** webhook, slack, email or zapier. */
  channel: string;
  /** The channel's target: the Zapier hook id; for configured channels, the channel name. */
  target: string;
  location_id: string;
  /** What is delivered: notification, contact_synced, sync_run_finished, dead_letter. */
  event_kind: string;
  /** JSON of what to send. */
  payload: string;
  attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  status: QueueStatus;
  lease_owner: string | null;
  lease_expires_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ZapierHooksTable {
  id: string;
  location_id: string;
  event: string;
  target_url: string;
  /** HMAC key the deliveries to this hook are signed with; a signing key, not a credential. */
  secret: string;
  /** The API key (or JWT subject) that subscribed. */
  subscriber: string;
  created_at: string;
}

export interface Database {
  links: LinksTable;
  content_hashes: ContentHashesTable;
  outbox: OutboxTable;
  webhook_receipts: WebhookReceiptsTable;
  inbound_events: InboundEventsTable;
  sync_runs: SyncRunsTable;
  sync_cursors: SyncCursorsTable;
  oauth_tokens: OAuthTokensTable;
  api_keys: ApiKeysTable;
  trusted_documents: TrustedDocumentsTable;
  secrets: SecretsTable;
  sync_jobs: SyncJobsTable;
  notification_conditions: NotificationConditionsTable;
  notifications: NotificationsTable;
  hook_deliveries: HookDeliveriesTable;
  zapier_hooks: ZapierHooksTable;
  sync_run_entries: SyncRunEntriesTable;
}
