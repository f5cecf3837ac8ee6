/**
 * Queues the fixes a verify found (verify-contact.ts) through the outbox, where the outbox worker
 * delivers them like any sync write: retried, ordered per record, dead-lettered when refused.
 * Idempotent by construction: a record with a write already queued gets no second one
 * (`already_queued`), and once the fixes landed a second verify finds nothing to queue. A fix
 * shared by several findings (a contact's customer and job) is one write. The outbox key of a
 * repair is the record's entity key plus the run, so the writes of one run are queued once even
 * when a page is redone after a crash.
 */
import type { Kysely } from 'kysely';
import type { HashesRepo } from '../store/hashes-repo.js';
import type { LinksRepo } from '../store/links-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { Database } from '../store/schema.js';
import type { RepairStatus, SyncRunEntriesRepo } from '../store/sync-run-entries-repo.js';
import { ghlRepairEntityKey } from './ghl-repair-write.js';
import { hasPendingWrite } from './outbox-ordering.js';
import { entityKeyPrefix, entityOf } from './roofr-writes.js';
import type { Fix } from './verify-contact.js';

interface RepairDeps {
  locationId: string;
  runId: string;
  store: {
    db: Kysely<Database>;
    outbox: Pick<OutboxRepo, 'enqueue'>;
    links: Pick<LinksRepo, 'markDeleted'>;
    hashes: Pick<HashesRepo, 'delete'>;
  };
  /** Called after a write was queued, e.g. to nudge the outbox worker. */
  onQueued?: () => void;
}

interface RepairOutcome {
  status: RepairStatus;
  outboxId: number | null;
}

async function enqueueOnce(
  deps: RepairDeps,
  entityKey: string,
  kind: string,
  payload: unknown,
): Promise<RepairOutcome> {
  if (await hasPendingWrite(deps.store.db, entityKey)) return { status: 'already_queued', outboxId: null };
  const { entry } = await deps.store.outbox.enqueue({
    locationId: deps.locationId,
    kind,
    payload,
    idempotencyKey: `${entityKey}repair:${deps.runId}:${kind}`,
    entityKey,
  });
  deps.onQueued?.();
  return { status: 'queued', outboxId: entry.id };
}

/** Applies (queues) each distinct fix once; the outcome per fix. */
export async function queueRepairs(deps: RepairDeps, fixes: readonly Fix[]): Promise<Map<Fix, RepairOutcome>> {
  const outcomes = new Map<Fix, RepairOutcome>();
  for (const fix of fixes) {
    if (outcomes.has(fix)) continue;
    switch (fix.kind) {
      case 'roofr':
        outcomes.set(
          fix,
          await enqueueOnce(deps, entityKeyPrefix(deps.locationId, entityOf(fix.write)), fix.write.kind, fix.write),
        );
        break;
      case 'ghl':
        outcomes.set(
          fix,
          await enqueueOnce(
            deps,
            ghlRepairEntityKey(deps.locationId, fix.write.ghlContactId),
            fix.write.kind,
            fix.write,
          ),
        );
        break;
      case 'retire':
        // What the sync does for a HighLevel delete under ROOFR_DELETE_POLICY=ignore (roofr-push.ts).
        await deps.store.links.markDeleted(fix.link.id);
        await deps.store.hashes.delete({
          locationId: deps.locationId,
          direction: 'ghl_to_roofr',
          entityKind: fix.link.roofrKind,
          entityId: fix.link.roofrId,
        });
        outcomes.set(fix, { status: 'retired', outboxId: null });
        break;
      case 'manual':
        outcomes.set(fix, { status: 'manual', outboxId: null });
        break;
    }
  }
  return outcomes;
}

interface DeliveryReport {
  delivered: number;
  dead: number;
  /** Still queued when the wait ended. */
  waiting: number;
}

/**
 * Waits until the repairs a verify queued were delivered (done), refused (dead letters) or the
 * time is up: the CLI reports what landed before it exits.
 */
export async function awaitRepairs(
  deps: { entries: Pick<SyncRunEntriesRepo, 'list'>; outbox: Pick<OutboxRepo, 'get'> },
  runId: string,
  options: { timeoutMs: number; sleep?: (ms: number) => Promise<void> },
): Promise<DeliveryReport> {
  const ids = new Set<number>();
  let after: string | null = null;
  for (;;) {
    const page = await deps.entries.list(runId, { first: 500, after });
    for (const entry of page.items) if (entry.repair === 'queued' && entry.outboxId !== null) ids.add(entry.outboxId);
    if (!page.hasNextPage) break;
    after = page.endCursor;
  }
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = Date.now() + options.timeoutMs;
  let report: DeliveryReport = { delivered: 0, dead: 0, waiting: ids.size };
  for (;;) {
    report = { delivered: 0, dead: 0, waiting: 0 };
    for (const id of ids) {
      const entry = await deps.outbox.get(id);
      if (entry === null || entry.status === 'done') report.delivered += 1;
      else if (entry.status === 'dead') report.dead += 1;
      else report.waiting += 1;
    }
    if (report.waiting === 0 || Date.now() >= deadline) return report;
    await sleep(250);
  }
}
