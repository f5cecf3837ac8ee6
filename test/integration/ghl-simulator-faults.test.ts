/**
 * Rate limits, the request log and every injectable fault, each over real HTTP, both through
 * the programmatic API and the /__admin endpoints.
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import type { GhlSimulator } from '../../src/simulators/ghl/index.js';
import { callSim } from '../support/ghl-sim-http.js';

let sim: GhlSimulator;

beforeEach(async () => {
  sim = await startGhlSimulator({ seed: 3, contacts: 20, rateLimit: { max: 5, intervalMs: 10_000, dailyMax: 8 } });
});

afterEach(async () => {
  await sim.close();
});

const contactPath = (): string => `/contacts/${sim.data.listContactIds()[0] ?? ''}`;

describe('GHL simulator: rate limits', () => {
  test('when the burst is spent, then 429 "Too Many Requests" with Retry-After, and every answer carries the X-RateLimit headers', async () => {
    const remaining: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const response = await callSim(sim, 'GET', contactPath());
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-max')).toBe('5');
      expect(response.headers.get('x-ratelimit-interval-milliseconds')).toBe('10000');
      expect(response.headers.get('x-ratelimit-limit-daily')).toBe('8');
      remaining.push(response.headers.get('x-ratelimit-remaining') ?? '');
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const limited = await callSim(sim, 'GET', contactPath());
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ statusCode: 429, message: 'Too Many Requests' });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get('x-ratelimit-daily-remaining')).toBe('3');
    expect(sim.log.statusCount(429)).toBe(1);
  });

  test('when the window passes, then the burst refills; when the day is spent, then 429 until tomorrow', async () => {
    for (let index = 0; index < 5; index += 1) await callSim(sim, 'GET', contactPath());
    sim.clock.advance(10_000);
    const refilled = await callSim(sim, 'GET', contactPath());
    expect(refilled.status).toBe(200);
    expect(refilled.headers.get('x-ratelimit-remaining')).toBe('4');
    await callSim(sim, 'GET', contactPath());
    await callSim(sim, 'GET', contactPath());
    const daily = await callSim(sim, 'GET', contactPath());
    expect(daily.status).toBe(429);
    expect(daily.headers.get('x-ratelimit-daily-remaining')).toBe('0');
    sim.clock.advance(86_400_000);
    expect((await callSim(sim, 'GET', contactPath())).status).toBe(200);
  });

  test('when two PITs share a location, then each has its own burst but they share the daily budget', async () => {
    const second = sim.tokens.issue({ token: 'pit-second', scopes: ['contacts.readonly'] });
    for (let index = 0; index < 5; index += 1) await callSim(sim, 'GET', contactPath());
    const other = await callSim(sim, 'GET', contactPath(), { token: second });
    expect(other.status).toBe(200);
    expect(other.headers.get('x-ratelimit-remaining')).toBe('4');
    expect(other.headers.get('x-ratelimit-daily-remaining')).toBe('2');
  });

  test('when limits change at run time and Retry-After is switched off, then answers follow the new settings', async () => {
    sim.setRateLimit({ max: 1, sendRetryAfter: false });
    expect((await callSim(sim, 'GET', contactPath())).headers.get('x-ratelimit-max')).toBe('1');
    const limited = await callSim(sim, 'GET', contactPath());
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    const admin = await fetch(`${sim.url}/__admin/rate-limit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ max: 50, resetCounters: true }),
    });
    expect(admin.status).toBe(200);
    expect((await callSim(sim, 'GET', contactPath())).headers.get('x-ratelimit-remaining')).toBe('49');
  });
});

describe('GHL simulator: request log', () => {
  test('when requests are made, then counts are kept per method and path template, with write bodies, until reset', async () => {
    const id = sim.data.listContactIds()[1] ?? '';
    await callSim(sim, 'GET', contactPath());
    await callSim(sim, 'GET', `/contacts/${id}`);
    await callSim(sim, 'POST', `/contacts/${id}/notes`, { body: { body: 'hello' } });
    expect(sim.log.count('GET', '/contacts/{contactId}')).toBe(2);
    expect(sim.log.counts()).toEqual({ 'GET /contacts/{contactId}': 2, 'POST /contacts/{contactId}/notes': 1 });
    expect(sim.log.total()).toBe(3);
    expect(sim.log.entries.at(-1)).toMatchObject({
      operation: 'POST /contacts/{contactId}/notes',
      status: 201,
      body: { body: 'hello' },
    });
    const overHttp = (await (await fetch(`${sim.url}/__admin/requests`)).json()) as {
      total: number;
      counts: Record<string, number>;
    };
    expect(overHttp.total).toBe(3);
    await fetch(`${sim.url}/__admin/requests`, { method: 'DELETE' });
    expect(sim.log.total()).toBe(0);
  });
});

describe('GHL simulator: faults', () => {
  test('when latency exceeds the client timeout, then the client times out', async () => {
    sim.faults.setLatency({ ms: 3_000 });
    await expect(
      fetch(`${sim.url}${contactPath()}`, {
        headers: { authorization: `Bearer ${sim.demoToken ?? ''}`, version: '2021-07-28' },
        signal: AbortSignal.timeout(100),
      }),
    ).rejects.toThrow();
    sim.faults.setLatency(null);
  });

  test('when an error rate of 1 is scoped to notes, then notes answer 5xx and other paths do not', async () => {
    sim.faults.setErrorRate({ rate: 1, statuses: [503], path: '/contacts/*/notes' });
    const notes = await callSim(sim, 'GET', `${contactPath()}/notes`);
    expect(notes.status).toBe(503);
    expect(notes.body).toEqual({ statusCode: 503, message: 'Service Unavailable' });
    expect((await callSim(sim, 'GET', `${contactPath()}/tasks`)).status).toBe(200);
  });

  test('when the next N fail with 502, then exactly N do', async () => {
    sim.faults.failNext(2, 502);
    const statuses = [];
    for (let index = 0; index < 3; index += 1) statuses.push((await callSim(sim, 'GET', contactPath())).status);
    expect(statuses).toEqual([502, 502, 200]);
  });

  test('when a 429 burst is forced over /__admin/faults, then the next N answer 429 with rate headers', async () => {
    const admin = await fetch(`${sim.url}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rateLimitNext: { count: 2 } }),
    });
    expect(admin.status).toBe(200);
    const first = await callSim(sim, 'GET', contactPath());
    expect(first.status).toBe(429);
    expect(first.headers.get('x-ratelimit-max')).toBe('5');
    expect((await callSim(sim, 'GET', contactPath())).status).toBe(429);
    expect((await callSim(sim, 'GET', contactPath())).status).toBe(200);
  });

  test('when a request is hung, then it never answers, and the next one does', async () => {
    sim.faults.hangNext(1);
    await expect(
      fetch(`${sim.url}${contactPath()}`, {
        headers: { authorization: `Bearer ${sim.demoToken ?? ''}`, version: '2021-07-28' },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect((await callSim(sim, 'GET', contactPath())).status).toBe(200);
    expect(sim.log.entries.find((entry) => entry.fault === 'hang')).toBeDefined();
  });

  test('when a connection is reset, then the fetch fails, and the next one succeeds', async () => {
    sim.faults.resetNext(1);
    await expect(callSim(sim, 'GET', contactPath())).rejects.toThrow();
    expect((await callSim(sim, 'GET', contactPath())).status).toBe(200);
  });

  test('when a body is malformed, then it does not parse as JSON', async () => {
    sim.faults.malformNext(1, { path: '/contacts/*' });
    const broken = await callSim(sim, 'GET', contactPath());
    expect(broken.status).toBe(200);
    expect(() => JSON.parse(broken.text) as unknown).toThrow();
    expect((await callSim(sim, 'GET', contactPath())).body).toHaveProperty('contact');
  });

  test('when faults are reset, then answers are normal again', async () => {
    sim.faults.setErrorRate({ rate: 1 });
    sim.faults.hangNext(3);
    sim.faults.reset();
    expect((await callSim(sim, 'GET', contactPath())).status).toBe(200);
  });

  test('when a token is revoked or its scopes changed over /__admin, then the API follows', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${sim.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const issued = (await (
      await post('/__admin/tokens', { locationId: sim.locationId, scopes: ['contacts.readonly'] })
    ).json()) as { token: string };
    expect((await callSim(sim, 'GET', contactPath(), { token: issued.token })).status).toBe(200);
    await post('/__admin/tokens/scopes', { token: issued.token, scopes: ['contacts.write'] });
    expect((await callSim(sim, 'GET', contactPath(), { token: issued.token })).body.message).toBe(
      'The token is not authorized for this scope.',
    );
    await post('/__admin/tokens/revoke', { token: issued.token });
    expect((await callSim(sim, 'GET', contactPath(), { token: issued.token })).body.message).toBe(
      'Invalid token: access token is invalid',
    );
  });
});
