/**
 * Priority lanes end to end: the GHL client against the simulator with a small burst limit.
 * Background work (sync) is already queued and sending when interactive work (GraphQL) shows up;
 * from then on the interactive calls are sent first and background sending slows to the room
 * the interactive share leaves.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GhlClient } from '../../src/ghl/client.js';
import { InMemoryRateBudget, type RateBudget } from '../../src/ghl/rate-budget.js';
import { RedisRateBudget } from '../../src/ghl/redis-rate-budget.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import { DEMO_SCOPES, DEMO_TOKEN, startGhlSimulator, type GhlSimulator } from '../../src/simulators/ghl/index.js';

const REDIS_URL = process.env.REDIS_URL;
if (!REDIS_URL)
  console.warn(
    'admission-lanes.test.ts: the shared-budget variant is skipped; set REDIS_URL (e.g. redis://127.0.0.1:6379) to run it',
  );

async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('priority lanes through the client', () => {
  let simulator: GhlSimulator;
  beforeAll(async () => {
    simulator = await startGhlSimulator({ contacts: 3, rateLimit: { max: 10, intervalMs: 500 } });
  });
  afterAll(async () => {
    await simulator.close();
  });

  // A wide margin: this test is about lane order, and a loaded 2-core CI box delays sends past the default 50 ms.
  const variants: Array<[string, () => RateBudget]> = [
    ['in-memory budget', () => new InMemoryRateBudget({ dailyReserve: 0, interactiveShare: 0.3, minMarginMs: 250 })],
  ];
  if (REDIS_URL) {
    variants.push([
      'Redis budget',
      () =>
        new RedisRateBudget({
          redisUrl: REDIS_URL,
          keyPrefix: `test-lanes-${Date.now()}-${Math.random()}`,
          dailyReserve: 0,
          interactiveShare: 0.3,
          replicasHint: 2,
        }),
    ]);
  }

  it.each(variants)(
    'when interactive calls arrive during a background sync (%s), then they are sent before the queued background calls and no 429 occurs',
    async (_name, makeBudget) => {
      simulator.resetRateLimitCounters();
      simulator.log.reset();
      const rateBudget = makeBudget();
      const client = new GhlClient({
        baseUrl: simulator.url,
        tokenProvider: new StaticTokenProvider(DEMO_TOKEN, simulator.locationId, DEMO_SCOPES),
        timeoutMs: 5_000,
        maxRetries: 0,
        concurrencyPerLocation: 8,
        dailyReserve: 0,
        interactiveShare: 0.3,
        rateBudget,
      });
      const [contactId = ''] = simulator.data.listContactIds();
      const locationId = simulator.locationId;
      // The first call teaches the client the limits (max 10 per 500 ms).
      await client.getContact(locationId, contactId);

      const background = Array.from({ length: 14 }, () =>
        client.listNotes(locationId, contactId, { lane: 'background' }),
      );
      const notesSent = () => simulator.log.count('GET', '/contacts/{contactId}/notes');
      // Background may use 7 of the window's 10 (interactive share 0.3): 6 besides the probe.
      await until(() => notesSent() >= 6);
      const interactive = Array.from({ length: 5 }, () =>
        client.getContact(locationId, contactId, { lane: 'interactive' }),
      );
      await Promise.all([...background, ...interactive]);

      const order = simulator.log
        .snapshot()
        .entries.filter((entry) => entry.kind === 'request')
        .map((entry) => (entry.operation.endsWith('/notes') ? 'bg' : 'ia'));
      const lastInteractive = order.lastIndexOf('ia');
      // Every interactive call went out before the 7th background call (the 6 already sent excepted).
      expect(order.slice(0, lastInteractive + 1).filter((lane) => lane === 'bg').length).toBeLessThanOrEqual(6);
      expect(order.filter((lane) => lane === 'ia')).toHaveLength(6);
      expect(simulator.log.snapshot().rateLimited).toBe(0);
      if (rateBudget instanceof RedisRateBudget) await rateBudget.close();
    },
  );
});
