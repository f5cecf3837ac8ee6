import { ConcurrencyLimiter, LocationLimiters } from '../../../src/loaders/concurrency-limit.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('ConcurrencyLimiter', () => {
  it('when more tasks than the cap are started, then at most the cap run at once and all finish', async () => {
    const limiter = new ConcurrencyLimiter(2);
    const gates = Array.from({ length: 5 }, () => deferred());
    let running = 0;
    let peak = 0;
    const runs = gates.map((gate, index) =>
      limiter.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await gate.promise;
        running -= 1;
        return index;
      }),
    );
    await Promise.resolve();
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued).toBe(3);
    for (const gate of gates) gate.resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(limiter.inFlight).toBe(0);
  });

  it('when a task fails, then its slot is released for the next one', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('upstream down')))).rejects.toThrow('upstream down');
    await expect(limiter.run(async () => 'next')).resolves.toBe('next');
  });

  it('when two locations are used, then each has its own cap, shared by every caller of that location', () => {
    const limiters = new LocationLimiters(3);
    expect(limiters.for('a')).toBe(limiters.for('a'));
    expect(limiters.for('a')).not.toBe(limiters.for('b'));
    expect(limiters.for('b').max).toBe(3);
  });

  it('when the cap is not a positive integer, then construction fails', () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});
