import { describe, expect, it } from '@jest/globals';
import { inPool } from '../../../src/sync/batch-sync.js';

describe('the pool a page of contacts is written in', () => {
  it('when one contact fails, then no further contact starts and the failure is rethrown once the started ones finished', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const pool = inPool([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      await new Promise((resolve) => setImmediate(resolve));
      if (item === 1) throw new Error('the state database did not answer');
      await new Promise((resolve) => setImmediate(resolve));
      finished.push(item);
    });
    await expect(pool).rejects.toThrow('the state database did not answer');
    // 0 and 1 started together; 0 finished after 1 failed, and nothing started after the failure.
    expect({ started, finished }).toEqual({ started: [0, 1], finished: [0] });
  });
});
