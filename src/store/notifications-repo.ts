/**
 * Notifications and their dedup state, shared by every replica through the state database.
 *
 * A condition is one (kind, location) pair, open or resolved. Invariants:
 * - Opening is a compare-and-set (insert-if-absent, or resolved → open), so when several
 *   replicas see the same failure at once exactly one of them opens the condition and produces
 *   the firing notification; the others only count an occurrence.
 * - Resolving is a compare-and-set open → resolved, so exactly one recovery is produced.
 * - A reminder while a condition stays open is also a compare-and-set on `last_notified_at`.
 * - Every write method takes the caller's transaction, so the notification and its deliveries
 *   (hook-deliveries-repo.ts) are stored together or not at all.
 * The list is paged newest first within ONE location: the filter is in SQL, the page is taken
 * after it, and the cursor names its location, so a cursor of another location is refused.
 */
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { clampPageSize, InvalidCursorError, toPage, type Page } from './paging.js';
import type {
  NotificationConditionsTable,
  NotificationSeverity,
  NotificationStatus,
  NotificationsTable,
} from './schema.js';
import { isoAt, type Executor, type StoreContext } from './store-context.js';

export interface ConditionKey {
  kind: string;
  locationId: string;
}

export interface Condition extends ConditionKey {
  state: 'open' | 'resolved';
  severity: NotificationSeverity;
  occurrences: number;
  openedAt: string;
  lastSeenAt: string;
  lastNotifiedAt: string;
  resolvedAt: string | null;
}

export const RemedySchema = z.object({
  text: z.string(),
  mutation: z.string().optional(),
  command: z.string().optional(),
  url: z.string().optional(),
});
/** What fixes it: a sentence, and the mutation, CLI command or URL to use. */
export type Remedy = z.infer<typeof RemedySchema>;

export interface StoredNotification {
  id: number;
  locationId: string;
  kind: string;
  severity: NotificationSeverity;
  status: NotificationStatus;
  summary: string;
  remedy: Remedy;
  details: Record<string, unknown>;
  occurrences: number;
  firstSeenAt: string;
  createdAt: string;
}

export type NotificationInput = Omit<StoredNotification, 'id' | 'createdAt'>;

/** What one occurrence did to its condition. */
export type Occurrence =
  | { transition: 'opened'; condition: Condition }
  | { transition: 'counted'; condition: Condition }
  | { transition: 'reminder'; condition: Condition };

export interface NotificationsRepo {
  /**
   * Records `count` occurrences of a condition at `at`: opens it when absent or resolved, else
   * counts them, and turns a count into a reminder when the last message is older than
   * `remindAfterMs` (0: never).
   */
  occur(
    key: ConditionKey,
    input: { severity: NotificationSeverity; count: number; at: Date; remindAfterMs: number },
    trx: Executor,
  ): Promise<Occurrence>;
  /**
   * Resolves an open condition; with `quietMs`, only when its last occurrence is at least that
   * old. Returns the condition as it was while open, or null when nothing was resolved.
   */
  resolve(key: ConditionKey, input: { at: Date; quietMs: number | null }, trx: Executor): Promise<Condition | null>;
  getCondition(key: ConditionKey): Promise<Condition | null>;
  insert(input: NotificationInput, trx: Executor): Promise<StoredNotification>;
  /** Newest first, within one location. */
  list(locationId: string, first: number, after?: string | null): Promise<Page<StoredNotification>>;
  /** The latest `limit` of one location, newest first (Zapier samples). */
  latest(locationId: string, limit: number): Promise<StoredNotification[]>;
  /** Open conditions per kind, every replica's (metrics). */
  openCounts(): Promise<Record<string, number>>;
  /** Dead letters of a location still waiting in a queue (resolves a dead-letter condition at 0). */
  deadLettersLeft(queue: 'outbox' | 'webhook', locationId: string): Promise<number>;
}

function toCondition(row: Selectable<NotificationConditionsTable>): Condition {
  return {
    kind: row.kind,
    locationId: row.location_id,
    state: row.state,
    severity: row.severity,
    occurrences: row.occurrences,
    openedAt: row.opened_at,
    lastSeenAt: row.last_seen_at,
    lastNotifiedAt: row.last_notified_at,
    resolvedAt: row.resolved_at,
  };
}

const DetailsSchema = z.record(z.string(), z.unknown());

function toNotification(row: Selectable<NotificationsTable>): StoredNotification {
  // The database is a trust boundary too: a malformed remedy or details column degrades, never crashes.
  const remedy = RemedySchema.safeParse(safeJson(row.remedy));
  const details = DetailsSchema.safeParse(safeJson(row.details));
  return {
    id: row.id,
    locationId: row.location_id,
    kind: row.kind,
    severity: row.severity,
    status: row.status,
    summary: row.summary,
    remedy: remedy.success ? remedy.data : { text: 'the stored remedy of this notification is unreadable' },
    details: details.success ? details.data : {},
    occurrences: row.occurrences,
    firstSeenAt: row.first_seen_at,
    createdAt: row.created_at,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const CursorSchema = z.object({ l: z.string(), i: z.number().int().positive() });

/** Cursors name the location they page, so one cannot be replayed against another location. */
export function notificationCursor(locationId: string, id: number): string {
  return Buffer.from(JSON.stringify({ l: locationId, i: id })).toString('base64url');
}

function decodeCursor(locationId: string, after: string): number {
  let parsed;
  try {
    parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(after, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidCursorError(after);
  }
  if (!parsed.success || parsed.data.l !== locationId) throw new InvalidCursorError(after);
  return parsed.data.i;
}

export function createNotificationsRepo(ctx: StoreContext): NotificationsRepo {
  const { db } = ctx;

  const whereKey = (key: ConditionKey) => (executor: Executor) =>
    executor
      .updateTable('notification_conditions')
      .where('kind', '=', key.kind)
      .where('location_id', '=', key.locationId);

  return {
    async occur(key, input, trx) {
      const at = isoAt(input.at);
      const opened = {
        state: 'open' as const,
        severity: input.severity,
        occurrences: input.count,
        opened_at: at,
        last_seen_at: at,
        last_notified_at: at,
        resolved_at: null,
        updated_at: at,
      };
      const inserted = await trx
        .insertInto('notification_conditions')
        .values({ kind: key.kind, location_id: key.locationId, ...opened })
        .onConflict((oc) => oc.columns(['kind', 'location_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (inserted !== undefined) return { transition: 'opened', condition: toCondition(inserted) };
      const reopened = await whereKey(key)(trx)
        .set(opened)
        .where('state', '=', 'resolved')
        .returningAll()
        .executeTakeFirst();
      if (reopened !== undefined) return { transition: 'opened', condition: toCondition(reopened) };
      const counted = await whereKey(key)(trx)
        .set((eb) => ({
          occurrences: eb('occurrences', '+', input.count),
          last_seen_at: at,
          updated_at: at,
          // A worse occurrence raises the condition's severity (warning → critical), never lowers it.
          ...(input.severity === 'critical' ? { severity: 'critical' as const } : {}),
        }))
        .where('state', '=', 'open')
        .returningAll()
        .executeTakeFirst();
      if (counted === undefined) {
        // Another replica resolved it between our statements; the next occurrence reopens it.
        const row = await trx
          .selectFrom('notification_conditions')
          .selectAll()
          .where('kind', '=', key.kind)
          .where('location_id', '=', key.locationId)
          .executeTakeFirstOrThrow();
        return { transition: 'counted', condition: toCondition(row) };
      }
      if (input.remindAfterMs > 0) {
        const dueBefore = isoAt(new Date(input.at.getTime() - input.remindAfterMs));
        const reminded = await whereKey(key)(trx)
          .set({ last_notified_at: at })
          .where('state', '=', 'open')
          .where('last_notified_at', '<=', dueBefore)
          .returningAll()
          .executeTakeFirst();
        if (reminded !== undefined) return { transition: 'reminder', condition: toCondition(reminded) };
      }
      return { transition: 'counted', condition: toCondition(counted) };
    },

    async resolve(key, input, trx) {
      const at = isoAt(input.at);
      let query = whereKey(key)(trx)
        .set({ state: 'resolved', resolved_at: at, updated_at: at })
        .where('state', '=', 'open');
      if (input.quietMs !== null)
        query = query.where('last_seen_at', '<=', isoAt(new Date(input.at.getTime() - input.quietMs)));
      const row = await query.returningAll().executeTakeFirst();
      return row === undefined ? null : { ...toCondition(row), state: 'open', resolvedAt: null };
    },

    async getCondition(key) {
      const row = await db
        .selectFrom('notification_conditions')
        .selectAll()
        .where('kind', '=', key.kind)
        .where('location_id', '=', key.locationId)
        .executeTakeFirst();
      return row === undefined ? null : toCondition(row);
    },

    async insert(input, trx) {
      const row = await trx
        .insertInto('notifications')
        .values({
          location_id: input.locationId,
          kind: input.kind,
          severity: input.severity,
          status: input.status,
          summary: input.summary,
          remedy: JSON.stringify(input.remedy),
          details: JSON.stringify(input.details),
          occurrences: input.occurrences,
          first_seen_at: input.firstSeenAt,
          created_at: isoAt(ctx.now()),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toNotification(row);
    },

    async list(locationId, first, after) {
      const limit = clampPageSize(first);
      let query = db
        .selectFrom('notifications')
        .selectAll()
        .where('location_id', '=', locationId)
        .orderBy('id', 'desc')
        .limit(limit + 1);
      if (after !== undefined && after !== null && after !== '')
        query = query.where('id', '<', decodeCursor(locationId, after));
      const rows = await query.execute();
      return toPage(rows.map(toNotification), limit, (notification) => notificationCursor(locationId, notification.id));
    },

    async latest(locationId, limit) {
      const rows = await db
        .selectFrom('notifications')
        .selectAll()
        .where('location_id', '=', locationId)
        .orderBy('id', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toNotification);
    },

    async openCounts() {
      const rows = await db
        .selectFrom('notification_conditions')
        .select((eb) => ['kind', eb.fn.countAll<string | number>().as('n')])
        .where('state', '=', 'open')
        .groupBy('kind')
        .execute();
      return Object.fromEntries(rows.map((row) => [row.kind, Number(row.n)]));
    },

    async deadLettersLeft(queue, locationId) {
      const row = await db
        .selectFrom(queue === 'outbox' ? 'outbox' : 'inbound_events')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('location_id', '=', locationId)
        .where('status', '=', 'dead')
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
