import { backoffMs, decideRetry, parseRetryAfterMs, type RetryInput } from '../../../src/roofr/retry-policy.js';

const base: RetryInput = {
  method: 'POST',
  hasIdempotencyKey: true,
  result: { kind: 'response', status: 503, retryAfterMs: null },
  retriesSoFar: 0,
  maxRetries: 3,
  baseDelayMs: 100,
  maxRetryAfterMs: 10_000,
  random: 0.5,
};

describe('Roofr retry policy', () => {
  it('when a keyed write gets a 503, then it is retried with backoff', () => {
    expect(decideRetry(base)).toEqual({ retry: true, delayMs: 75, reason: 'server error 503' });
  });

  it('when a write without a key gets a 503, then it is not retried because it may have been applied', () => {
    expect(decideRetry({ ...base, hasIdempotencyKey: false })).toMatchObject({
      retry: false,
      reason: expect.stringContaining('may have been applied'),
    });
  });

  it('when a write without a key gets a 429, then it is retried after Retry-After because nothing was processed', () => {
    expect(
      decideRetry({ ...base, hasIdempotencyKey: false, result: { kind: 'response', status: 429, retryAfterMs: 2000 } }),
    ).toMatchObject({ retry: true, delayMs: 2000 });
  });

  it('when Retry-After exceeds the ceiling, then the decision is to give up and say why', () => {
    expect(decideRetry({ ...base, result: { kind: 'response', status: 429, retryAfterMs: 60_000 } })).toMatchObject({
      retry: false,
      reason: 'Retry-After 60000 ms exceeds 10000 ms',
    });
  });

  it('when a GET times out, then it is retried', () => {
    expect(
      decideRetry({ ...base, method: 'GET', hasIdempotencyKey: false, result: { kind: 'timeout' } }),
    ).toMatchObject({ retry: true, reason: 'timeout' });
  });

  it('when a keyless POST meets a refused connection, then it is retried because nothing was sent', () => {
    expect(
      decideRetry({ ...base, hasIdempotencyKey: false, result: { kind: 'network', code: 'ECONNREFUSED' } }),
    ).toMatchObject({ retry: true });
  });

  it('when a keyless POST meets a reset, then it is not retried', () => {
    expect(
      decideRetry({ ...base, hasIdempotencyKey: false, result: { kind: 'network', code: 'ECONNRESET' } }),
    ).toMatchObject({ retry: false });
  });

  it('when the status is a 4xx other than 429, then it is final', () => {
    expect(decideRetry({ ...base, result: { kind: 'response', status: 422, retryAfterMs: null } })).toEqual({
      retry: false,
      reason: 'status 422 is final',
    });
  });

  it('when the retries are spent, then it gives up', () => {
    expect(decideRetry({ ...base, retriesSoFar: 3 })).toEqual({ retry: false, reason: 'gave up after 3 retries' });
  });

  it('when backoff grows, then it doubles per retry and stays within half to full of the ceiling', () => {
    expect([0, 1, 2].map((retries) => backoffMs(retries, 100, 0))).toEqual([50, 100, 200]);
    expect(backoffMs(2, 100, 1)).toBe(400);
  });

  it('when Retry-After is seconds, a decimal or a date, then it becomes milliseconds', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfterMs('2', now)).toBe(2000);
    expect(parseRetryAfterMs('0.25', now)).toBe(250);
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfterMs('soon', now)).toBeNull();
    expect(parseRetryAfterMs(undefined, now)).toBeNull();
  });
});
