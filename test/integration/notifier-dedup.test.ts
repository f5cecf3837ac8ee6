/**
 * The notifier's promise "one outage, one message, one recovery", on SQLite and PostgreSQL:
 * two notifiers over the same database (two replicas on PostgreSQL) fed the same burst of failures produce
 * one FIRING notification; failures and successes interleaved within the quiet period produce
 * no recovery; the first success after it produces exactly one; a reminder comes only after
 * NOTIFY_REPEAT_MS. Time is a clock the test moves (the store's and the notifier's).
 */
import { afterEach, expect, it } from '@jest/globals';
import type { GatewayEvent } from '../../src/domain/gateway-events.js';
import { createNotifier, type Notifier } from '../../src/notify/notifier.js';
import type { Store } from '../../src/store/open-store.js';
import { storeBackends } from './store-backends.js';

const LOCATION = 'loc-dedup';
const QUIET_MS = 60_000;
const REPEAT_MS = 3_600_000;

function run(status: 'succeeded' | 'failed', id: string, at: Date): GatewayEvent {
  return {
    type: 'sync_run.finished',
    at: at.toISOString(),
    run: {
      id,
      trigger: 'schedule',
      locationId: LOCATION,
      businessId: null,
      mode: 'INCREMENTAL',
      status,
      counts: { read: 10, created: 0, updated: 0, unchanged: 0, failed: status === 'failed' ? 10 : 0 },
      startedAt: at.toISOString(),
      finishedAt: at.toISOString(),
      errors: status === 'failed' ? [{ code: 'SYNC_FAILED', message: 'HighLevel is unavailable (503)' }] : [],
    },
  };
}

for (const backend of storeBackends()) {
  backend.describe(`notifier dedup on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    it('when two replicas see a burst of failures, interleaved with successes inside the quiet period, then one FIRING, then one RESOLVED after the quiet period', async () => {
      let now = new Date('2026-12-01T10:00:00.000Z');
      const clock = () => now;
      const database = await backend.createDatabase();
      // PostgreSQL: two stores, as two replicas have. SQLite serves one process (two handles on
      // one file in one thread would wait on each other's write lock): two notifiers, one store.
      const one = await database.open({ now: clock });
      const stores: Store[] = [one, backend.name === 'postgres' ? await database.open({ now: clock }) : one];
      const notifiers: Notifier[] = stores.map((store) =>
        createNotifier({
          store,
          channels: { webhook: true, slack: false, email: false, minSeverity: 'warning' },
          quietMs: QUIET_MS,
          remindAfterMs: REPEAT_MS,
          now: clock,
        }),
      );
      const [first, second] = notifiers as [Notifier, Notifier];

      for (let index = 0; index < 50; index += 1) {
        first.listen(run('failed', `a${index}`, now));
        second.listen(run('failed', `b${index}`, now));
        // A success in between (another contact's webhook event) does not end the outage.
        if (index % 10 === 0) first.listen(run('succeeded', `ok${index}`, now));
      }
      await Promise.all(notifiers.map((notifier) => notifier.settle()));
      const store = stores[0] as Store;
      let page = await store.notifications.list(LOCATION, 50);
      expect(page.items.map((item) => `${item.kind}:${item.status}`)).toEqual(['sync_run_failed:firing']);
      const condition = await store.notifications.getCondition({ kind: 'sync_run_failed', locationId: LOCATION });
      expect(condition?.occurrences).toBe(100);
      // The webhook channel got exactly one delivery queued.
      expect((await store.hookDeliveries.counts()).pending).toBe(1);

      // Still inside the quiet period: a success resolves nothing.
      now = new Date(now.getTime() + QUIET_MS / 2);
      second.listen(run('succeeded', 'ok-early', now));
      await second.settle();
      expect((await store.notifications.list(LOCATION, 50)).items).toHaveLength(1);

      // Past it, successes on both replicas: one recovery.
      now = new Date(now.getTime() + QUIET_MS);
      first.listen(run('succeeded', 'ok-late-1', now));
      second.listen(run('succeeded', 'ok-late-2', now));
      await Promise.all(notifiers.map((notifier) => notifier.settle()));
      page = await store.notifications.list(LOCATION, 50);
      expect(page.items.map((item) => `${item.kind}:${item.status}`)).toEqual([
        'sync_run_failed:resolved',
        'sync_run_failed:firing',
      ]);
      expect(page.items[0]?.summary).toContain('100 occurrences');
      expect((await store.hookDeliveries.counts()).pending).toBe(2);
    });

    it('when a condition keeps occurring, then a reminder comes only after NOTIFY_REPEAT_MS, with the count so far', async () => {
      let now = new Date('2026-12-01T10:00:00.000Z');
      const clock = () => now;
      const store = await (await backend.createDatabase()).open({ now: clock });
      const notifier = createNotifier({
        store,
        channels: { webhook: false, slack: false, email: false, minSeverity: 'warning' },
        quietMs: QUIET_MS,
        remindAfterMs: REPEAT_MS,
        now: clock,
      });
      notifier.listen(run('failed', 'r1', now));
      await notifier.settle();
      now = new Date(now.getTime() + REPEAT_MS - 1000);
      notifier.listen(run('failed', 'r2', now));
      await notifier.settle();
      expect((await store.notifications.list(LOCATION, 10)).items).toHaveLength(1);
      now = new Date(now.getTime() + 2000);
      notifier.listen(run('failed', 'r3', now));
      await notifier.settle();
      const items = (await store.notifications.list(LOCATION, 10)).items;
      expect(items.map((item) => item.status)).toEqual(['reminder', 'firing']);
      expect(items[0]?.summary).toMatch(/^Still happening \(3 occurrences since 2026-12-01T10:00:00.000Z\)/);
      // No channel configured: nothing queued, the list still has them.
      expect((await store.hookDeliveries.counts()).pending).toBe(0);
    });

    it('when the state database is unavailable, then emitting still returns at once and the notifier recovers on the next occurrence', async () => {
      const store = await (await backend.createDatabase()).open();
      const notifier = createNotifier({
        store,
        channels: { webhook: false, slack: false, email: false, minSeverity: 'warning' },
        quietMs: 0,
        remindAfterMs: 0,
      });
      const broken = createNotifier({
        store: {
          ...store,
          db: {
            ...store.db,
            transaction: () => {
              throw new Error('database down');
            },
          } as unknown as Store['db'],
        },
        channels: { webhook: false, slack: false, email: false, minSeverity: 'warning' },
        quietMs: 0,
        remindAfterMs: 0,
      });
      expect(() => broken.listen(run('failed', 'x1', new Date()))).not.toThrow();
      await broken.settle();
      expect((await store.notifications.list(LOCATION, 10)).items).toHaveLength(0);
      notifier.listen(run('failed', 'x2', new Date()));
      await notifier.settle();
      expect((await store.notifications.list(LOCATION, 10)).items).toHaveLength(1);
    });
  });
}
