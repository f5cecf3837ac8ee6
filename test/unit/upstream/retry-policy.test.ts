import {
  GhlContractError,
  GhlNotFoundError,
  GhlRateLimitedError,
  GhlTimeoutError,
  GhlUnavailableError,
  GhlValidationError,
} from '../../../src/ghl/errors.js';
import { RoofrRateLimitedError, RoofrUnavailableError } from '../../../src/roofr/errors.js';
import {
  backoffDelay,
  decideRetry,
  parseRetryAfter,
  type RetryInput,
  type RetryPolicy,
} from '../../../src/upstream/retry-policy.js';

const policy: RetryPolicy = {
  maxRetries: 3,
  maxRateLimitRetries: 5,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  maxRetryAfterMs: 10_000,
};
const endpoint = 'GET /contacts/{contactId}';

function input(partial: Partial<RetryInput> & Pick<RetryInput, 'error'>): RetryInput {
  return {
    idempotent: true,
    neverSent: false,
    rateLimitRetries: 0,
    otherRetries: 0,
    remainingMs: null,
    random: 0.5,
    ...partial,
  };
}

describe('decideRetry (every upstream)', () => {
  it('when a GET answers 503, then it retries after a jittered exponential delay', () => {
    const decision = decideRetry(input({ error: new GhlUnavailableError(endpoint, 503) }), policy);
    expect(decision).toMatchObject({ retry: true, pauseAll: false, delayMs: 50 });
    expect(decision.reason).toContain('HTTP 503');
  });

  it('when retries grow, then the delay ceiling doubles up to the cap (full jitter)', () => {
    expect(backoffDelay(1, policy, 0.999999)).toBe(99);
    expect(backoffDelay(2, policy, 0.999999)).toBe(199);
    expect(backoffDelay(3, policy, 0.999999)).toBe(399);
    expect(backoffDelay(10, policy, 0.999999)).toBe(999);
    expect(backoffDelay(3, policy, 0)).toBe(0);
  });

  it('when a create (non-idempotent) answers 500 or times out, then it is not retried and the reason says why', () => {
    for (const error of [
      new GhlUnavailableError('POST /contacts/', 500),
      new GhlTimeoutError('POST /contacts/', 100),
    ]) {
      const decision = decideRetry(input({ idempotent: false, error }), policy);
      expect(decision.retry).toBe(false);
      expect(decision.reason).toContain('non-idempotent');
    }
  });

  it('when an idempotent request times out, then it is retried', () => {
    expect(decideRetry(input({ error: new GhlTimeoutError(endpoint, 100) }), policy).retry).toBe(true);
  });

  it('when the request was never sent (connection refused), then even a create is retried', () => {
    const decision = decideRetry(
      input({ idempotent: false, neverSent: true, error: new RoofrUnavailableError('POST /customers', null) }),
      policy,
    );
    expect(decision.retry).toBe(true);
    expect(decision.reason).toContain('nothing was sent');
  });

  it('when the retries are used up, then it stops and says after how many', () => {
    const decision = decideRetry(input({ error: new GhlUnavailableError(endpoint, 502), otherRetries: 3 }), policy);
    expect(decision).toEqual({ retry: false, reason: 'HTTP 502 persisted after 3 retries' });
  });

  it('when a 429 arrives, then even a create is retried after Retry-After plus jitter, pausing every caller', () => {
    for (const error of [
      new GhlRateLimitedError('POST /contacts/', 2000),
      new RoofrRateLimitedError('POST /customers', 2000),
    ]) {
      const decision = decideRetry(input({ idempotent: false, error }), policy);
      expect(decision).toMatchObject({ retry: true, pauseAll: true });
      if (!decision.retry) throw new Error('expected a retry');
      expect(decision.delayMs).toBeGreaterThanOrEqual(2000);
      expect(decision.delayMs).toBeLessThanOrEqual(2200);
    }
  });

  it('when 429s exceed their own cap, then it stops, independently of other retries', () => {
    expect(
      decideRetry(input({ error: new GhlRateLimitedError(endpoint, 10), rateLimitRetries: 5 }), policy).retry,
    ).toBe(false);
    expect(
      decideRetry(input({ error: new GhlRateLimitedError(endpoint, 10), otherRetries: 3, rateLimitRetries: 4 }), policy)
        .retry,
    ).toBe(true);
  });

  it('when Retry-After exceeds the ceiling, then it is not waited out and the reason says why', () => {
    expect(decideRetry(input({ error: new RoofrRateLimitedError('GET /jobs', 60_000) }), policy)).toEqual({
      retry: false,
      reason: 'Retry-After 60000 ms exceeds 10000 ms',
    });
  });

  it('when the wait would pass the deadline, then it stops at once and names the time left', () => {
    const rateLimited = decideRetry(
      input({ error: new GhlRateLimitedError(endpoint, 3000), remainingMs: 1000 }),
      policy,
    );
    expect(rateLimited.retry).toBe(false);
    expect(rateLimited.reason).toContain('would pass the deadline (1000 ms left)');
    const unavailable = decideRetry(input({ error: new GhlUnavailableError(endpoint, 503), remainingMs: 20 }), policy);
    expect(unavailable.retry).toBe(false);
  });

  it('when the wait fits the deadline, then it retries', () => {
    expect(decideRetry(input({ error: new GhlUnavailableError(endpoint, 503), remainingMs: 5000 }), policy).retry).toBe(
      true,
    );
  });

  it('when the error is a 4xx or a contract error, then it is never retried', () => {
    for (const error of [
      new GhlNotFoundError(endpoint, 'x'),
      new GhlValidationError(endpoint, ['bad'], 422),
      new GhlContractError(endpoint, 'contact.id', 'missing'),
    ]) {
      const decision = decideRetry(input({ error }), policy);
      expect(decision.retry).toBe(false);
      expect(decision.reason).toContain('not transient');
    }
  });
});

describe('parseRetryAfter', () => {
  it('when Retry-After is seconds, a decimal or a date, then it becomes milliseconds; otherwise null', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0.25', now)).toBe(250);
    expect(parseRetryAfter(['3', '9'], now)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
