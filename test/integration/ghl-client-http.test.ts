/**
 * What the client puts on the wire and how it paces itself, checked with a bare HTTP server
 * (127.0.0.1, port 0) that records every request: headers, probing before limits are known,
 * the daily reserve. Complements ghl-client.test.ts, which runs against the full simulator.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { GhlClient } from '../../src/ghl/client.js';
import { GhlBudgetReserveError } from '../../src/ghl/errors.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

interface FakeGhl {
  url: string;
  requests: Recorded[];
  peakInFlight: number;
  /** X-RateLimit-* headers are sent while this is set; it counts down like GHL's daily budget. */
  dailyRemaining: number | null;
  close(): Promise<void>;
}

async function startFakeGhl(delayMs: number): Promise<FakeGhl> {
  let inFlight = 0;
  const fake: FakeGhl = { url: '', requests: [], peakInFlight: 0, dailyRemaining: null, close: async () => undefined };
  const server: Server = createServer((request, response) => {
    inFlight += 1;
    fake.peakInFlight = Math.max(fake.peakInFlight, inFlight);
    fake.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const id = (request.url ?? '').split('/')[2] ?? 'x';
    setTimeout(() => {
      inFlight -= 1;
      if (fake.dailyRemaining !== null) fake.dailyRemaining -= 1;
      response.writeHead(200, {
        'content-type': 'application/json',
        ...(fake.dailyRemaining === null ? {} : limits(fake.dailyRemaining)),
      });
      response.end(JSON.stringify({ contact: { id, locationId: 'loc-1' } }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    });
  return fake;
}

function clientFor(fake: FakeGhl, dailyReserve = 0): GhlClient {
  return new GhlClient({
    baseUrl: fake.url,
    tokenProvider: new StaticTokenProvider('pit-wire-test', 'loc-1', null),
    timeoutMs: 2000,
    maxRetries: 0,
    concurrencyPerLocation: 8,
    dailyReserve,
    interactiveShare: 0.3,
  });
}

function limits(daily: number): Record<string, string> {
  return {
    'X-RateLimit-Max': '1000',
    'X-RateLimit-Remaining': '999',
    'X-RateLimit-Interval-Milliseconds': '10000',
    'X-RateLimit-Limit-Daily': '200000',
    'X-RateLimit-Daily-Remaining': String(daily),
  };
}

describe('GhlClient on the wire', () => {
  let fake: FakeGhl;

  beforeEach(async () => {
    fake = await startFakeGhl(15);
  });

  afterEach(async () => {
    await fake.close();
  });

  it('when a call is made, then it carries the bearer token, the Version header and the caller’s request id', async () => {
    fake.dailyRemaining = 150_000;
    await clientFor(fake).getContact('loc-1', 'abc', { requestId: 'req-42' });
    const [request] = fake.requests;
    expect(request?.method).toBe('GET');
    expect(request?.url).toBe('/contacts/abc');
    expect(request?.headers['authorization']).toBe('Bearer pit-wire-test');
    expect(request?.headers['version']).toBe('2021-07-28');
    expect(request?.headers['x-request-id']).toBe('req-42');
  });

  it('when answers carry no rate-limit headers, then requests are sent one at a time (probing)', async () => {
    const client = clientFor(fake);
    await Promise.all(Array.from({ length: 6 }, (_, index) => client.getContact('loc-1', `c${index}`)));
    expect(fake.requests).toHaveLength(6);
    expect(fake.peakInFlight).toBe(1);
    expect(client.rateBudget.snapshot('loc-1').limitsKnown).toBe(false);
  });

  it('when answers carry generous limits, then requests run concurrently up to the per-location cap', async () => {
    fake.dailyRemaining = 150_000;
    const client = clientFor(fake);
    await client.getContact('loc-1', 'first');
    await Promise.all(Array.from({ length: 20 }, (_, index) => client.getContact('loc-1', `c${index}`)));
    expect(fake.peakInFlight).toBeGreaterThan(1);
    expect(fake.peakInFlight).toBeLessThanOrEqual(8);
    expect(client.rateBudget.snapshot('loc-1')).toMatchObject({
      limitsKnown: true,
      burstMax: 1000,
      intervalMs: 10_000,
    });
  });

  it('when the daily remaining reaches the reserve, then calls are refused before being sent', async () => {
    fake.dailyRemaining = 103;
    const client = clientFor(fake, 100);
    await client.getContact('loc-1', 'a');
    await client.getContact('loc-1', 'b');
    await client.getContact('loc-1', 'c');
    const error = await client.getContact('loc-1', 'd').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GhlBudgetReserveError);
    expect(error).toMatchObject({ kind: 'BudgetReserve', reserve: 100, endpoint: 'GET /contacts/{contactId}' });
    expect(fake.requests).toHaveLength(3);
  });
});
