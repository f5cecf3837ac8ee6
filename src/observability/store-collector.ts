/**
 * Scrape-time state from the durable store: outbox depth and dead letters, the webhook queue,
 * and sync runs with their record counts. Read with aggregate queries at each scrape rather than
 * counted in this process, so the numbers survive restarts and agree across replicas sharing
 * PostgreSQL.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { Store } from '../store/open-store.js';
import type { Metrics } from './metrics.js';

export type CollectedStore = { db: Kysely<Database> } & {
  outbox: Pick<Store['outbox'], 'counts'>;
  webhooks: Pick<Store['webhooks'], 'eventCounts'>;
};

const RECORD_OUTCOMES = ['read', 'created', 'updated', 'unchanged', 'failed'] as const;

export async function collectStoreMetrics(metrics: Metrics, store: CollectedStore): Promise<void> {
  const [outbox, inbound, runs, records] = await Promise.all([
    store.outbox.counts(),
    store.webhooks.eventCounts(),
    store.db
      .selectFrom('sync_runs')
      .select((eb) => ['trigger', 'kind', 'status', eb.fn.countAll<string | number>().as('n')])
      .groupBy(['trigger', 'kind', 'status'])
      .execute(),
    store.db
      .selectFrom('sync_runs')
      .select((eb) => [
        eb.fn.sum<string | number | null>('read_count').as('read'),
        eb.fn.sum<string | number | null>('created_count').as('created'),
        eb.fn.sum<string | number | null>('updated_count').as('updated'),
        eb.fn.sum<string | number | null>('unchanged_count').as('unchanged'),
        eb.fn.sum<string | number | null>('failed_count').as('failed'),
      ])
      // A dry run's counts are what a sync would write and a verify's are records checked:
      // counted here they would report writes that never happened.
      .where('kind', '=', 'sync')
      .executeTakeFirst(),
  ]);
  metrics.outboxDepth.set(outbox.pending + outbox.in_flight);
  metrics.deadLetters.set(outbox.dead);
  metrics.webhookQueueDepth.set(inbound.pending + inbound.in_flight);
  metrics.webhookDeadEvents.set(inbound.dead);
  // Reset first: a label set that no longer has runs must not keep its old value.
  metrics.syncRuns.reset();
  for (const row of runs)
    metrics.syncRuns.set({ trigger: row.trigger, kind: row.kind, status: row.status }, Number(row.n));
  for (const outcome of RECORD_OUTCOMES) metrics.syncRecords.set({ outcome }, Number(records?.[outcome] ?? 0));
}
