import { describe, expect, it } from '@jest/globals';
import { GHL_SCOPES } from '../../../src/domain/types.js';
import { BatchedReadCapability } from '../../../src/loaders/batched-read-capability.js';

const SEARCH = GHL_SCOPES.tasksSearch;

describe('BatchedReadCapability', () => {
  it('when locations hold different grants, then each gets the mode its own scopes allow, looked up once a minute', async () => {
    const grants: Record<string, string[]> = {
      withSearch: ['contacts.readonly', GHL_SCOPES.tasksSearch],
      withoutSearch: ['contacts.readonly'],
    };
    const lookups: string[] = [];
    let now = 0;
    const capability = new BatchedReadCapability(
      async (locationId) => {
        lookups.push(locationId);
        return new Set(grants[locationId] ?? []);
      },
      () => now,
    );
    expect(await capability.modeFor('withSearch', SEARCH)).toBe('batched');
    expect(await capability.modeFor('withoutSearch', SEARCH)).toBe('per-contact');
    expect(await capability.modeFor('withSearch', SEARCH)).toBe('batched');
    expect(lookups).toEqual(['withSearch', 'withoutSearch']);
    // The agency reinstalls with the scope: seen once the remembered scopes are a minute old.
    grants['withoutSearch']?.push(GHL_SCOPES.tasksSearch);
    now += 60_001;
    expect(await capability.modeFor('withoutSearch', SEARCH)).toBe('batched');
  });

  it('when the scopes are unknown, then the search is tried until a 401 says it is missing for that location only', async () => {
    const capability = new BatchedReadCapability(async () => null);
    expect(await capability.modeFor('a', SEARCH)).toBe('batched');
    capability.markMissing('a', SEARCH);
    expect(await capability.modeFor('a', SEARCH)).toBe('per-contact');
    expect(await capability.modeFor('b', SEARCH)).toBe('batched');
  });

  it('when the scope lookup fails, then the search is tried (the call itself reports what is wrong)', async () => {
    const capability = new BatchedReadCapability(async () => {
      throw new Error('not installed');
    });
    expect(await capability.modeFor('a', SEARCH)).toBe('batched');
  });

  it('when one batched scope is learnt missing, then another scope of the same location is still tried', async () => {
    const capability = new BatchedReadCapability(async () => null);
    capability.markMissing('a', SEARCH);
    expect(await capability.modeFor('a', SEARCH)).toBe('per-contact');
    expect(await capability.modeFor('a', 'other/batch.readonly')).toBe('batched');
  });
});
