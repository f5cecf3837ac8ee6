import {
  GhlContractError,
  GhlNotFoundError,
  GhlRateLimitedError,
  GhlTimeoutError,
  GhlUnavailableError,
  GhlValidationError,
} from '../../../src/ghl/errors.js';
import { backoffDelay, decideRetry, type RetryInput, type RetryPolicyOptions } from '../../../src/ghl/retry-policy.js';

const options: RetryPolicyOptions = {
  maxRetries: 3,
  maxRateLimitRetries: 5,
  baseDelayMs: 100,
  maxDelayMs: 1000,
  random: () => 0.5,
};
const endpoint = 'GET /contacts/{contactId}';

function input(partial: Partial<RetryInput> & Pick<RetryInput, 'error'>): RetryInput {
  return { idempotent: true, attempt: 1, rateLimitRetries: 0, otherRetries: 0, ...partial };
}

describe('decideRetry', () => {
  it('when a GET answers 503, then it retries after a jittered exponential delay', () => {
    const decision = decideRetry(input({ error: new GhlUnavailableError(endpoint, 503) }), options);
    expect(decision).toMatchObject({ retry: true, pauseLocation: false, delayMs: 50 });
    expect(decision.reason).toContain('HTTP 503');
  });

  it('when retries grow, then the delay ceiling doubles up to the cap (full jitter)', () => {
    const max = { ...options, random: () => 0.999999 };
    expect(backoffDelay(1, max)).toBe(99);
    expect(backoffDelay(2, max)).toBe(199);
    expect(backoffDelay(3, max)).toBe(399);
    expect(backoffDelay(10, max)).toBe(999);
    expect(backoffDelay(3, { ...options, random: () => 0 })).toBe(0);
  });

  it('when a create (non-idempotent POST) answers 500, then it is not retried and the reason says why', () => {
    const decision = decideRetry(
      input({ idempotent: false, error: new GhlUnavailableError('POST /contacts/', 500) }),
      options,
    );
    expect(decision.retry).toBe(false);
    expect(decision.reason).toContain('non-idempotent');
  });

  it('when a create times out, then it is not retried', () => {
    expect(
      decideRetry(input({ idempotent: false, error: new GhlTimeoutError('POST /contacts/', 100) }), options).retry,
    ).toBe(false);
  });

  it('when an idempotent request times out, then it is retried', () => {
    expect(decideRetry(input({ error: new GhlTimeoutError(endpoint, 100) }), options).retry).toBe(true);
  });

  it('when the connection was refused, then even a create is retried because nothing was sent', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const error = new GhlUnavailableError('POST /contacts/', null, undefined, { cause: refused });
    const decision = decideRetry(input({ idempotent: false, error }), options);
    expect(decision.retry).toBe(true);
    expect(decision.reason).toContain('refused');
  });

  it('when a connection reset hits a create, then it is not retried', () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const error = new GhlUnavailableError('POST /contacts/', null, undefined, { cause: reset });
    expect(decideRetry(input({ idempotent: false, error }), options).retry).toBe(false);
  });

  it('when the retries are used up, then it stops', () => {
    const decision = decideRetry(input({ error: new GhlUnavailableError(endpoint, 502), otherRetries: 3 }), options);
    expect(decision.retry).toBe(false);
    expect(decision.reason).toContain('after 3 retries');
  });

  it('when a 429 arrives, then even a create is retried after Retry-After plus jitter, pausing the location', () => {
    const decision = decideRetry(
      input({ idempotent: false, error: new GhlRateLimitedError('POST /contacts/', 2000) }),
      options,
    );
    expect(decision).toMatchObject({ retry: true, pauseLocation: true });
    expect(decision.delayMs).toBeGreaterThanOrEqual(2000);
    expect(decision.delayMs).toBeLessThanOrEqual(2200);
  });

  it('when 429s exceed their own cap, then it stops, independently of other retries', () => {
    expect(
      decideRetry(input({ error: new GhlRateLimitedError(endpoint, 10), rateLimitRetries: 5 }), options).retry,
    ).toBe(false);
    expect(
      decideRetry(
        input({ error: new GhlRateLimitedError(endpoint, 10), otherRetries: 3, rateLimitRetries: 4 }),
        options,
      ).retry,
    ).toBe(true);
  });

  it('when the error is a 4xx or a contract error, then it is never retried', () => {
    for (const error of [
      new GhlNotFoundError(endpoint, 'x'),
      new GhlValidationError(endpoint, ['bad'], 422),
      new GhlContractError(endpoint, 'contact.id', 'missing'),
    ]) {
      const decision = decideRetry(input({ error }), options);
      expect(decision.retry).toBe(false);
      expect(decision.reason).toContain('not transient');
    }
  });
});
