import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCache } from '../../src/cache/cache-factory.js';
import { recordingLogger, ScriptedLoader } from '../unit/cache/fakes.js';

describe('shared cache on SQLite', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cache-int-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when the gateway restarts, then values read through before are still served from the cache', async () => {
    const url = `sqlite://${join(dir, 'cache.db')}`;
    const loader = new ScriptedLoader({ id: 'c1', tags: ['vip'] });
    const before = await createCache(url, { logger: recordingLogger().logger });
    await before.readThrough(before.keys.contact('loc1', 'c1'), 60_000, loader.load);
    const generation = await before.searchKey('loc1', { q: 'x' });
    await before.close();

    const after = await createCache(url, { logger: recordingLogger().logger });
    expect(await after.readThrough(after.keys.contact('loc1', 'c1'), 60_000, loader.load)).toMatchObject({
      value: { id: 'c1', tags: ['vip'] },
      fromCache: true,
    });
    expect(await after.searchKey('loc1', { q: 'x' })).toBe(generation);
    expect(loader.calls).toBe(1);
    await after.close();
  });
});
