import { afterEach, describe, expect, it } from '@jest/globals';
import { createCache } from '../../../src/cache/cache-factory.js';
import type { LoaderContext } from '../../../src/cache/read-through.js';
import type { SharedCache } from '../../../src/cache/shared-cache.js';
import { GhlRateLimitedError, GhlUnauthorizedError } from '../../../src/ghl/errors.js';
import { FakeClock, recordingLogger } from './fakes.js';

const TTL = 10_000;
const GRACE = 5_000;

/** A batch upstream that records every batch of keys it received, like a DataLoader test would. */
class RecordingBatchUpstream {
  readonly batches: string[][] = [];
  readonly lanes: string[] = [];
  failure: unknown = null;
  private gate: Promise<void> = Promise.resolve();
  constructor(private readonly data: Map<string, string>) {}

  set(key: string, value: string): void {
    this.data.set(key, value);
  }

  hold(): () => void {
    let release: () => void = () => {};
    this.gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    return release;
  }

  readonly loadMissing = async (keys: string[], context: LoaderContext): Promise<Map<string, string>> => {
    this.batches.push([...keys]);
    this.lanes.push(context.lane);
    await this.gate;
    if (this.failure !== null) throw this.failure;
    return new Map(keys.flatMap((key) => (this.data.has(key) ? [[key, this.data.get(key) ?? '']] : [])));
  };
}

describe('readThroughMany', () => {
  let cache: SharedCache;
  let clock: FakeClock;
  afterEach(async () => cache.close());

  async function setup(): Promise<void> {
    clock = new FakeClock();
    cache = await createCache('memory://', {
      logger: recordingLogger().logger,
      now: clock.now,
      graceMs: GRACE,
      maxStaleMs: 60_000,
    });
  }

  it('when some keys are cached, then only the misses are loaded, in one batch, and results keep key order', async () => {
    await setup();
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => cache.keys.contact('loc1', id)) as [
      string,
      string,
      string,
      string,
    ];
    const upstream = new RecordingBatchUpstream(
      new Map([
        [a, 'A'],
        [b, 'B'],
        [c, 'C'],
      ]),
    );
    await cache.readThroughMany([a], TTL, upstream.loadMissing);

    const results = await cache.readThroughMany([c, a, d, b, c], TTL, upstream.loadMissing);
    expect(upstream.batches).toEqual([[a], [c, d, b]]);
    expect(results).toEqual([
      { value: 'C', stale: false, ageMs: 0, fromCache: false, version: null },
      { value: 'A', stale: false, ageMs: 0, fromCache: true, version: expect.any(String) },
      undefined,
      { value: 'B', stale: false, ageMs: 0, fromCache: false, version: null },
      { value: 'C', stale: false, ageMs: 0, fromCache: false, version: null },
    ]);

    const again = await cache.readThroughMany([a, b, c], TTL, upstream.loadMissing);
    expect(
      again.map((result) => (result instanceof Error || result === undefined ? result : result.fromCache)),
    ).toEqual([true, true, true]);
    expect(upstream.batches).toHaveLength(2);
  });

  it('when values are past their TTL within the grace window, then they are served stale and refreshed in one background batch', async () => {
    await setup();
    const keys = ['a', 'b'].map((id) => cache.keys.listOfContact('tasksOfContact', 'loc1', id));
    const upstream = new RecordingBatchUpstream(new Map(keys.map((key) => [key, 'old'])));
    await cache.readThroughMany(keys, TTL, upstream.loadMissing);
    for (const key of keys) upstream.set(key, 'new');
    clock.advance(TTL + 1);

    const stale = await cache.readThroughMany(keys, TTL, upstream.loadMissing);
    expect(stale).toEqual(
      keys.map(() => ({ value: 'old', stale: true, ageMs: TTL + 1, fromCache: true, version: expect.any(String) })),
    );
    await cache.idle();
    expect(upstream.batches).toEqual([keys, keys]);
    expect(upstream.lanes).toEqual(['interactive', 'background']);
    const fresh = await cache.readThroughMany(keys, TTL, upstream.loadMissing);
    expect(fresh.map((result) => (result instanceof Error ? result : result?.value))).toEqual(['new', 'new']);
  });

  it('when the batch fails retryably, then keys with a stale value get it and the others get the error', async () => {
    await setup();
    const [a, b] = ['a', 'b'].map((id) => cache.keys.contact('loc1', id)) as [string, string];
    const upstream = new RecordingBatchUpstream(new Map([[a, 'A']]));
    await cache.readThroughMany([a], TTL, upstream.loadMissing);
    const failure = new GhlRateLimitedError('POST /contacts/search', 1000);
    upstream.failure = failure;
    clock.advance(TTL + GRACE + 1);

    const [first, second] = await cache.readThroughMany([a, b], TTL, upstream.loadMissing);
    expect(first).toEqual({
      value: 'A',
      stale: true,
      ageMs: TTL + GRACE + 1,
      fromCache: true,
      version: expect.any(String),
    });
    expect(second).toBe(failure);
  });

  it('when the batch is refused, then no key is served stale', async () => {
    await setup();
    const a = cache.keys.contact('loc1', 'a');
    const upstream = new RecordingBatchUpstream(new Map([[a, 'A']]));
    await cache.readThroughMany([a], TTL, upstream.loadMissing);
    upstream.failure = new GhlUnauthorizedError('POST /contacts/search', 'revoked');
    clock.advance(TTL + GRACE + 1);
    const [result] = await cache.readThroughMany([a], TTL, upstream.loadMissing);
    expect(result).toBeInstanceOf(GhlUnauthorizedError);
  });

  it('when a key disappears upstream, then its cached copy is evicted', async () => {
    await setup();
    const a = cache.keys.contact('loc1', 'a');
    const data = new Map([[a, 'A']]);
    const upstream = new RecordingBatchUpstream(data);
    await cache.readThroughMany([a], TTL, upstream.loadMissing);
    data.delete(a);
    clock.advance(TTL + GRACE + 1);
    expect(await cache.readThroughMany([a], TTL, upstream.loadMissing)).toEqual([undefined]);
    // Nothing stale left to stand in during a later outage.
    upstream.failure = new GhlRateLimitedError('POST /contacts/search', 1000);
    const [result] = await cache.readThroughMany([a], TTL, upstream.loadMissing);
    expect(result).toBeInstanceOf(GhlRateLimitedError);
  });

  it('when two batches overlap while the first is in flight, then the shared keys are loaded once', async () => {
    await setup();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => cache.keys.contact('loc1', id)) as [string, string, string];
    const upstream = new RecordingBatchUpstream(
      new Map([
        [a, 'A'],
        [b, 'B'],
        [c, 'C'],
      ]),
    );
    const release = upstream.hold();
    const first = cache.readThroughMany([a, b], TTL, upstream.loadMissing);
    await new Promise((resolve) => setImmediate(resolve));
    const second = cache.readThroughMany([b, c], TTL, upstream.loadMissing);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const [one, two] = await Promise.all([first, second]);
    expect(upstream.batches).toEqual([[a, b], [c]]);
    expect([...one, ...two].map((result) => (result instanceof Error ? result : result?.value))).toEqual([
      'A',
      'B',
      'B',
      'C',
    ]);
  });

  it('when one key of a batch fails retryably, then only that key is answered from its stale copy (or its error) and the others load and are stored', async () => {
    await setup();
    const [a, b, c] = ['a', 'b', 'c'].map((id) => cache.keys.contact('loc1', id)) as [string, string, string];
    const first = new RecordingBatchUpstream(new Map([[a, 'A1']]));
    await cache.readThroughMany([a], TTL, first.loadMissing);
    clock.advance(TTL + GRACE + 1);
    const timedOut = new GhlRateLimitedError('GET /contacts/{contactId}', 1000);
    const loadMissing = async (keys: string[]): Promise<Map<string, string | Error>> =>
      new Map(keys.map((key) => [key, key === a || key === c ? timedOut : 'B2']));

    const results = await cache.readThroughMany([a, b, c], TTL, loadMissing);

    expect(results[0]).toMatchObject({ value: 'A1', stale: true });
    expect(results[1]).toMatchObject({ value: 'B2', stale: false });
    expect(results[2]).toBe(timedOut);
    const again = await cache.readThroughMany([b], TTL, async () => new Map());
    expect(again[0]).toMatchObject({ value: 'B2', fromCache: true });
  });
});
