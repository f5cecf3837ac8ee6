import { callsPerContact, etaSeconds, progressLine } from '../../../src/sync/sync-progress.js';

const counts = { read: 50, created: 40, updated: 5, unchanged: 5, failed: 0, skipped: 0, conflicts: 0 };

describe('sync progress', () => {
  test('when 50 of 250 contacts are done at 10 calls/s and ~1.02 calls per contact, then the ETA is the rate-budget time of the 200 left', () => {
    expect(
      etaSeconds({ processed: 50, total: 250, callsPerContact: callsPerContact(100), allowedPerSecond: 10 }),
    ).toBeCloseTo((200 * 1.02) / 10, 5);
  });

  test('when the total or the rate is unknown, then there is no ETA', () => {
    expect(etaSeconds({ processed: 1, total: null, callsPerContact: 1, allowedPerSecond: 10 })).toBeNull();
    expect(etaSeconds({ processed: 1, total: 10, callsPerContact: 1, allowedPerSecond: null })).toBeNull();
  });

  test('when progress is rendered, then it shows the bar, counts and ETA', () => {
    const line = progressLine({ processed: 50, total: 100, counts, callsPerContact: 1, allowedPerSecond: 1 }, 10);
    expect(line).toBe('[#####-----] 50% 50/100 contacts · created 40 updated 5 unchanged 5 failed 0 · ETA 50s');
  });
});
