import { RatePacer, readRateHeaders } from '../../../src/roofr/rate-pacer.js';

describe('Roofr rate pacer', () => {
  it('when the headers are read, then reset seconds become milliseconds', () => {
    expect(
      readRateHeaders({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '1.5' }),
    ).toEqual({ limit: 100, remaining: 7, resetMs: 1500 });
    expect(readRateHeaders({})).toEqual({ limit: null, remaining: null, resetMs: null });
  });

  it('when the last response left no requests, then the next acquire waits for the reset before resolving', async () => {
    const pacer = new RatePacer(4);
    await pacer.acquire({ endpoint: 'GET /x' });
    pacer.release({ limit: 10, remaining: 0, resetMs: 50 });
    let acquired = false;
    const pending = pacer.acquire({ endpoint: 'GET /x' }).then(() => {
      acquired = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(acquired).toBe(false);
    expect(pacer.snapshot()).toMatchObject({ remaining: 0, waiting: 1 });
    await pending;
    expect(acquired).toBe(true);
  });

  it('when a 429 blocked the pacer, then acquire waits until the block passes', async () => {
    const pacer = new RatePacer(4);
    pacer.block(30);
    let acquired = false;
    const pending = pacer.acquire({ endpoint: 'GET /x' }).then(() => {
      acquired = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(acquired).toBe(false);
    await pending;
    expect(acquired).toBe(true);
  });

  it('when the in-flight cap is reached, then the next request waits for a release', async () => {
    const pacer = new RatePacer(1);
    await pacer.acquire({ endpoint: 'GET /x' });
    let second = false;
    const pending = pacer.acquire({ endpoint: 'GET /x' }).then(() => {
      second = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(second).toBe(false);
    pacer.release(null);
    await pending;
    expect(second).toBe(true);
  });
});
