/**
 * The shared rate budget as several replicas see it: two RedisRateBudget instances (two
 * processes' worth of state, one Redis) on the same location. Each test uses its own key prefix.
 */
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { GhlClient } from '../../src/ghl/client.js';
import type { RateLimitHeaders } from '../../src/ghl/rate-limit-headers.js';
import { RedisRateBudget, type RedisRateBudgetOptions } from '../../src/ghl/redis-rate-budget.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { DEMO_SCOPES, DEMO_TOKEN, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';

const REDIS_URL = process.env.REDIS_URL;
const describeIf = REDIS_URL ? describe : describe.skip;
if (!REDIS_URL)
  console.warn(
    'replicas-rate-budget.test.ts: Redis tests skipped; set REDIS_URL (e.g. redis://127.0.0.1:6379) to run them',
  );

const LOCATION = 'loc-replicas';

function headers(partial: Partial<RateLimitHeaders> = {}): RateLimitHeaders {
  return {
    burstMax: 10,
    burstRemaining: 10,
    intervalMs: 60_000,
    dailyMax: 200_000,
    dailyRemaining: 150_000,
    ...partial,
  };
}

function recordingLogger() {
  const lines: Array<{ level: string; message: string | undefined }> = [];
  return {
    lines,
    logger: {
      warn: (_object: object, message?: string) => lines.push({ level: 'warn', message }),
      info: (_object: object, message?: string) => lines.push({ level: 'info', message }),
    },
  };
}

const opened: RedisRateBudget[] = [];
function budget(options: Partial<RedisRateBudgetOptions> & { keyPrefix: string }): RedisRateBudget {
  const created = new RedisRateBudget({
    redisUrl: REDIS_URL ?? '',
    dailyReserve: 0,
    interactiveShare: 0.3,
    replicasHint: 2,
    ...options,
  });
  opened.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((item) => item.close()));
});

describe('RedisRateBudget without Redis', () => {
  it('when Redis cannot be reached, then it falls back to 1/GHL_REPLICAS_HINT of the reported limits and logs once', async () => {
    const { logger, lines } = recordingLogger();
    const replica = budget({
      redisUrl: 'redis://127.0.0.1:1',
      keyPrefix: 'unreachable',
      replicasHint: 2,
      interactiveShare: 0,
      logger,
    });
    replica.record(LOCATION, headers({ burstMax: 10 }));
    const outcomes = [];
    for (let index = 0; index < 8; index += 1) outcomes.push(await replica.tryReserve(LOCATION, 'interactive'));
    expect(outcomes.filter((outcome) => outcome.kind === 'granted')).toHaveLength(5);
    expect(outcomes[5]).toMatchObject({ kind: 'wait', reason: 'window' });
    expect(replica.usingFallback).toBe(true);
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);
    expect(lines[0]?.message).toContain('GHL_REPLICAS_HINT');
  });
});

describeIf('RedisRateBudget shared by replicas', () => {
  const prefixes: string[] = [];
  const prefix = (): string => {
    const value = `test-rate-${randomBytes(6).toString('hex')}`;
    prefixes.push(value);
    return value;
  };
  const simulators: GhlSimulator[] = [];

  afterAll(async () => {
    await Promise.all(simulators.map((simulator) => simulator.close()));
    const raw = new Redis(REDIS_URL ?? '');
    for (const value of prefixes) {
      const keys = await raw.keys(`${value}:*`);
      if (keys.length > 0) await raw.del(...keys);
    }
    raw.disconnect();
  });

  it('when two replicas reserve concurrently, then together they never get more than the window max', async () => {
    const keyPrefix = prefix();
    const [a, b] = [budget({ keyPrefix, interactiveShare: 0 }), budget({ keyPrefix, interactiveShare: 0 })];
    a.record(LOCATION, headers({ burstMax: 12, burstRemaining: 12 }));
    await a.refresh(LOCATION);
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? a : b).tryReserve(LOCATION, 'interactive')),
    );
    expect(outcomes.filter((outcome) => outcome.kind === 'granted')).toHaveLength(12);
    await b.refresh(LOCATION);
    expect(b.snapshot(LOCATION)).toMatchObject({ limitsKnown: true, burstMax: 12, burstRemaining: 0 });
  });

  it('when both replicas send real requests to a simulator with a small limit, then it never answers 429', async () => {
    const simulator = await startGhlSimulator({ contacts: 5, rateLimit: { max: 5, intervalMs: 400 } });
    simulators.push(simulator);
    const keyPrefix = prefix();
    const clients = [0, 1].map(
      () =>
        new GhlClient({
          baseUrl: simulator.url,
          tokenProvider: new StaticTokenProvider(DEMO_TOKEN, simulator.locationId, DEMO_SCOPES),
          timeoutMs: 5_000,
          maxRetries: 0,
          concurrencyPerLocation: 8,
          dailyReserve: 0,
          interactiveShare: 0.3,
          rateBudget: budget({ keyPrefix }),
        }),
    );
    const contactId = simulator.data.listContactIds()[0] ?? '';
    const calls = Array.from({ length: 24 }, (_, index) =>
      clients[index % 2]?.getContact(simulator.locationId, contactId),
    );
    const contacts = await Promise.all(calls);
    expect(contacts.every((contact) => contact?.id === contactId)).toBe(true);
    expect(simulator.log.snapshot().rateLimited).toBe(0);
    expect(simulator.log.snapshot().total).toBe(24);
  });

  it('when background work fills its share on both replicas, then the interactive share stays free', async () => {
    const keyPrefix = prefix();
    const [a, b] = [budget({ keyPrefix }), budget({ keyPrefix })];
    a.record(LOCATION, headers({ burstMax: 10 }));
    await a.refresh(LOCATION);
    const background = await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? a : b).tryReserve(LOCATION, 'background')),
    );
    expect(background.filter((outcome) => outcome.kind === 'granted')).toHaveLength(7);
    expect(background.find((outcome) => outcome.kind === 'wait')).toMatchObject({ reason: 'lane-share' });
    const interactive = await Promise.all([a, b, a, b].map((replica) => replica.tryReserve(LOCATION, 'interactive')));
    expect(interactive.filter((outcome) => outcome.kind === 'granted')).toHaveLength(3);
    expect(interactive.filter((outcome) => outcome.kind === 'wait')).toHaveLength(1);
  });

  it("when one replica has interactive work waiting, then the other replica's background work yields a freed slot to it", async () => {
    const keyPrefix = prefix();
    const [a, b] = [budget({ keyPrefix, interactiveShare: 0 }), budget({ keyPrefix, interactiveShare: 0 })];
    a.record(LOCATION, headers({ burstMax: 2, intervalMs: 150 }));
    await a.refresh(LOCATION);
    expect((await a.tryReserve(LOCATION, 'interactive')).kind).toBe('granted');
    expect((await a.tryReserve(LOCATION, 'interactive')).kind).toBe('granted');
    const waiting = await b.tryReserve(LOCATION, 'interactive');
    expect(waiting.kind).toBe('wait');
    // Once the window has passed, a slot is free; B's queued interactive work still claims it first.
    await new Promise((resolve) => setTimeout(resolve, (waiting.kind === 'wait' ? waiting.waitMs : 0) + 20));
    expect(await a.tryReserve(LOCATION, 'background')).toMatchObject({ kind: 'wait', reason: 'lane-share' });
    expect((await b.tryReserve(LOCATION, 'interactive')).kind).toBe('granted');
    // B has nothing waiting any more: background may take the remaining slot.
    expect((await a.tryReserve(LOCATION, 'background')).kind).toBe('granted');
  });

  it('when one replica meets a 429 and pauses the location, then the other replica waits too', async () => {
    const keyPrefix = prefix();
    const [a, b] = [budget({ keyPrefix }), budget({ keyPrefix })];
    a.record(LOCATION, headers());
    a.pause(LOCATION, 5_000);
    await a.refresh(LOCATION);
    const outcome = await b.tryReserve(LOCATION, 'interactive');
    expect(outcome).toMatchObject({ kind: 'wait', reason: 'paused' });
    expect(outcome.kind === 'wait' ? outcome.waitMs : 0).toBeGreaterThan(4_000);
    expect(b.snapshot(LOCATION).resetInMs).toBeGreaterThan(4_000);
  });

  it('when one replica learns the limits from headers, then the other uses them and counts down the shared daily budget', async () => {
    const keyPrefix = prefix();
    const [a, b] = [budget({ keyPrefix, dailyReserve: 3 }), budget({ keyPrefix, dailyReserve: 3 })];
    expect(b.snapshot(LOCATION).limitsKnown).toBe(false);
    a.record(LOCATION, headers({ burstMax: 50, dailyMax: 1000, dailyRemaining: 5 }));
    await a.refresh(LOCATION);
    await b.refresh(LOCATION);
    expect(b.snapshot(LOCATION)).toMatchObject({ limitsKnown: true, burstMax: 50, dailyMax: 1000, dailyRemaining: 5 });
    expect((await b.tryReserve(LOCATION, 'interactive')).kind).toBe('granted');
    expect((await a.tryReserve(LOCATION, 'interactive')).kind).toBe('granted');
    expect(await b.tryReserve(LOCATION, 'interactive')).toMatchObject({
      kind: 'refused',
      dailyRemaining: 3,
      reserve: 3,
    });
    expect(a.canAfford(LOCATION, 1, 'interactive').ok).toBe(false);
  });
});
