import { afterEach, describe, expect, it } from '@jest/globals';
import Keyv, { type StoredData } from 'keyv';
import { cacheKeys } from '../../../src/cache/cache-keys.js';
import { CacheStats, type CacheEvent } from '../../../src/cache/cache-stats.js';
import { MemoryLruStore } from '../../../src/cache/memory-lru-store.js';
import { ResilientStore } from '../../../src/cache/resilient-store.js';
import { recordingLogger } from './fakes.js';

/** A keyv store that fails (or hangs) on demand, like a Redis going away and coming back. */
class SwitchableStore extends MemoryLruStore {
  mode: 'ok' | 'failing' | 'hanging' = 'ok';
  calls = 0;

  constructor() {
    super({ maxEntries: 100, maxBytes: 1_000_000 });
  }

  override async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    await this.gate();
    return super.get<Value>(key);
  }

  override async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    await this.gate();
    return super.getMany<Value>(keys);
  }

  override async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.gate();
    return super.set(key, value, ttl);
  }

  override async deleteMany(keys: string[]): Promise<boolean> {
    await this.gate();
    return super.deleteMany(keys);
  }

  private async gate(): Promise<void> {
    this.calls += 1;
    if (this.mode === 'failing') throw new Error('connection refused');
    if (this.mode === 'hanging') await new Promise(() => {});
  }
}

function nextEvent(stats: CacheStats, kind: CacheEvent['kind']): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = stats.subscribe((event) => {
      if (event.kind === kind) {
        unsubscribe();
        resolve();
      }
    });
  });
}

describe('ResilientStore', () => {
  let store: ResilientStore | undefined;
  afterEach(async () => store?.close());

  function build(options: { probeIntervalMs: number; opTimeoutMs?: number }) {
    const backing = new SwitchableStore();
    const stats = new CacheStats();
    const log = recordingLogger();
    store = new ResilientStore(new Keyv(backing, { namespace: 't', throwOnErrors: true }), {
      logger: log.logger,
      stats,
      label: 'fake://',
      opTimeoutMs: options.opTimeoutMs ?? 1000,
      probeIntervalMs: options.probeIntervalMs,
      dispose: async () => {},
    });
    return { backing, stats, log, store };
  }

  it('when the store fails, then operations return misses without throwing, the outage is logged once, and the store is no longer called', async () => {
    const { backing, stats, log, store } = build({ probeIntervalMs: 60_000 });
    await store.set('k', 'v');
    backing.mode = 'failing';
    const key = cacheKeys.contact('l', 'c');
    expect(await store.get(key)).toBeUndefined();
    const callsWhenDown = backing.calls;
    for (let i = 0; i < 5; i += 1) {
      expect(await store.get('k')).toBeUndefined();
      expect(await store.getMany(['k', 'x'])).toEqual([undefined, undefined]);
      await store.set('k', 'w');
      await store.deleteMany(['k']);
    }
    expect(backing.calls).toBe(callsWhenDown);
    expect(store.health()).toMatchObject({ state: 'down', lastError: 'Error: connection refused' });
    expect(log.warnings()).toHaveLength(1);
    expect(stats.snapshot()).toMatchObject({ store_error: 1, store_down: 1 });
  });

  it('when the store answers again, then the probe brings it back, logged once, and values flow again', async () => {
    const { backing, stats, log, store } = build({ probeIntervalMs: 5 });
    backing.mode = 'failing';
    await store.get('k');
    expect(store.health().state).toBe('down');
    const up = nextEvent(stats, 'store_up');
    backing.mode = 'ok';
    await up;
    expect(store.health()).toMatchObject({ state: 'up', lastError: null });
    await store.set('k', 'v');
    expect(await store.get('k')).toBe('v');
    expect(log.infos().filter((line) => /recovered/.test(line.msg ?? ''))).toHaveLength(1);
    expect(log.warnings()).toHaveLength(1);
  });

  it('when the store hangs, then the operation gives up after the timeout and the store is marked down', async () => {
    const { backing, store } = build({ probeIntervalMs: 60_000, opTimeoutMs: 20 });
    backing.mode = 'hanging';
    expect(await store.get('k')).toBeUndefined();
    expect(store.health()).toMatchObject({
      state: 'down',
      lastError: expect.stringMatching(/did not answer within 20 ms/),
    });
  });
});

describe('CacheStats', () => {
  it('when events are recorded, then counters and listeners see them, and a throwing listener is ignored', () => {
    const seen: CacheEvent[] = [];
    const stats = new CacheStats((event) => seen.push(event));
    stats.subscribe(() => {
      throw new Error('broken metrics');
    });
    stats.record('hit', 'contact');
    stats.record('stale', 'search');
    stats.record('stale_on_error', 'contact');
    expect(seen).toEqual([
      { kind: 'hit', entity: 'contact' },
      { kind: 'stale', entity: 'search' },
      { kind: 'stale_on_error', entity: 'contact' },
    ]);
    expect([stats.hits, stats.misses, stats.staleServes]).toEqual([1, 0, 2]);
  });
});
