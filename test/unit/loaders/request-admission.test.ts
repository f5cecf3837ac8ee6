import { describe, expect, it } from '@jest/globals';
import { RequestAdmission } from '../../../src/loaders/request-admission.js';

describe('RequestAdmission grants', () => {
  it('when partial, then keys are granted until the calls run out, batched endpoints counting a call per batch', () => {
    const admission = new RequestAdmission();
    admission.grantPartially(3, 500, 'test');
    expect(admission.grantKeys(150, 100)).toBe(150); // two task searches
    expect(admission.grantKeys(5)).toBe(1); // one call left
    expect(admission.grantKeys(5)).toBe(0);
    expect(admission.grantedCalls).toBe(3);
    expect(admission.refusal('GET /x')).toMatchObject({ kind: 'RateLimited', retryAfterMs: 500 });
  });

  it('when normal, then everything is granted; when cache-only, nothing is and loads are refused', () => {
    const admission = new RequestAdmission();
    expect(admission.grantKeys(1_000)).toBe(1_000);
    admission.restrictToCache(200, 'test');
    expect(admission.grantKeys(1)).toBe(0);
    expect(() => admission.guardUpstream('GET /x')).toThrow(/Not sent/);
  });

  it('when a refusal is made, then its stack is its own first line, a plain string with no frames', () => {
    const admission = new RequestAdmission();
    admission.restrictToCache(200, 'test');
    const refusal = admission.refusal('GET /x');
    expect(refusal.stack).toBe(`${refusal.name}: ${refusal.message}`);
    expect(Object.getOwnPropertyDescriptor(refusal, 'stack')).toMatchObject({ value: refusal.stack, writable: true });
  });
});
