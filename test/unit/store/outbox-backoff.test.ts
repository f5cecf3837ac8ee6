import { backoffDelayMs } from '../../../src/sync/outbox-backoff.js';

describe('backoffDelayMs', () => {
  const policy = { baseMs: 1000, maxMs: 10_000, factor: 2 };

  test('when attempts grow, then the delay ceiling doubles until the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, policy, () => 1));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  test('when the random draw is lowest, then the delay is still half the ceiling (never an immediate retry)', () => {
    expect([1, 3, 9].map((attempt) => backoffDelayMs(attempt, policy, () => 0))).toEqual([500, 2000, 5000]);
  });

  test('when the random source misbehaves, then the delay stays within the cap', () => {
    expect(backoffDelayMs(50, policy, () => 7)).toBe(10_000);
    expect(backoffDelayMs(0, policy, () => -1)).toBe(500);
  });
});
