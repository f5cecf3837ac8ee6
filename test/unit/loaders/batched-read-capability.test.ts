import { describe, expect, it } from '@jest/globals';
import { GHL_SCOPES } from '../../../src/domain/types.js';
import { TaskSearchCapability } from '../../../src/loaders/task-search-capability.js';

describe('TaskSearchCapability', () => {
  it('when locations hold different grants, then each gets the mode its own scopes allow, looked up once a minute', async () => {
    const grants: Record<string, string[]> = {
      withSearch: ['contacts.readonly', GHL_SCOPES.tasksSearch],
      withoutSearch: ['contacts.readonly'],
    };
    const lookups: string[] = [];
    let now = 0;
    const capability = new TaskSearchCapability(
      async (locationId) => {
        lookups.push(locationId);
        return new Set(grants[locationId] ?? []);
      },
      () => now,
    );
    expect(await capability.modeFor('withSearch')).toBe('batched');
    expect(await capability.modeFor('withoutSearch')).toBe('per-contact');
    expect(await capability.modeFor('withSearch')).toBe('batched');
    expect(lookups).toEqual(['withSearch', 'withoutSearch']);
    // The agency reinstalls with the scope: seen once the remembered scopes are a minute old.
    grants['withoutSearch']?.push(GHL_SCOPES.tasksSearch);
    now += 60_001;
    expect(await capability.modeFor('withoutSearch')).toBe('batched');
  });

  it('when the scopes are unknown, then the search is tried until a 401 says it is missing for that location only', async () => {
    const capability = new TaskSearchCapability(async () => null);
    expect(await capability.modeFor('a')).toBe('batched');
    capability.markMissing('a');
    expect(await capability.modeFor('a')).toBe('per-contact');
    expect(await capability.modeFor('b')).toBe('batched');
  });

  it('when the scope lookup fails, then the search is tried (the call itself reports what is wrong)', async () => {
    const capability = new TaskSearchCapability(async () => {
      throw new Error('not installed');
    });
    expect(await capability.modeFor('a')).toBe('batched');
  });
});
