/**
 * Stopping the sync engine while its webhook worker is in the middle of a batch: the event in
 * progress finishes, the batch's unstarted events go back to the queue at once (no attempt
 * spent, no lease left to run out), so a restart or another replica takes them immediately.
 */
import { startSyncHarness, type SyncHarness } from '../support/sync-harness.js';

describe('webhook worker on shutdown', () => {
  let harness: SyncHarness;

  afterEach(async () => {
    await harness.close();
  });

  test('when the engine stops during a batch of events, then the one in progress completes and the rest are released unattempted', async () => {
    harness = await startSyncHarness({ contacts: 3 });
    const ids = harness.ghlSim.data.listContactIds(harness.locationId);
    for (const [index, id] of ids.entries())
      await harness.store.webhooks.accept({
        source: 'ghl',
        webhookId: `stop-${index}`,
        locationId: harness.locationId,
        eventType: 'ContactUpdate',
        payload: {
          type: 'ContactUpdate',
          locationId: harness.locationId,
          id,
          webhookId: `stop-${index}`,
          timestamp: new Date().toISOString(),
        },
      });
    // Slow HighLevel reads: the first event is still in progress when stop is called.
    harness.ghlSim.faults.setLatency({ ms: 300, method: 'GET' });
    harness.engine.start();
    const deadline = Date.now() + 10_000;
    while ((await harness.store.webhooks.eventCounts()).in_flight === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await harness.engine.stop();
    const rows = await harness.store.db
      .selectFrom('inbound_events')
      .select(['webhook_id', 'status', 'attempts', 'lease_owner'])
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { webhook_id: 'stop-0', status: 'done', attempts: 1, lease_owner: null },
      { webhook_id: 'stop-1', status: 'pending', attempts: 0, lease_owner: null },
      { webhook_id: 'stop-2', status: 'pending', attempts: 0, lease_owner: null },
    ]);
  });
});
