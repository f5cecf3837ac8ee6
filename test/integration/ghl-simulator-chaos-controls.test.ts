/**
 * The HighLevel simulator's controls the fault suite (bench/chaos) drives over /__admin: shares
 * of hangs, resets, truncated answers and delayed answers; a token revoked then restored; the
 * webhook deliveries and the whole data set read page by page. Real HTTP throughout.
 */
import { startGhlSimulator } from '../../src/simulators/ghl/index.js';
import type { GhlSimulator } from '../../src/simulators/ghl/index.js';
import { callSim } from '../support/ghl-sim-http.js';

let sim: GhlSimulator;

beforeEach(async () => {
  sim = await startGhlSimulator({ seed: 5, contacts: 12, rateLimit: { max: 10_000, dailyMax: 100_000 } });
});

afterEach(async () => {
  await sim.close();
});

const contactPath = (): string => `/contacts/${sim.data.listContactIds()[0] ?? ''}`;

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${sim.url}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** What happened to one GET: its status, 'hang' (no answer in 300 ms), 'reset' or 'malformed'. */
async function probe(): Promise<string> {
  try {
    const response = await fetch(`${sim.url}${contactPath()}`, {
      headers: { authorization: `Bearer ${sim.demoToken ?? ''}`, version: '2021-07-28' },
      signal: AbortSignal.timeout(300),
    });
    const text = await response.text();
    try {
      JSON.parse(text);
    } catch {
      return 'malformed';
    }
    return String(response.status);
  } catch (error) {
    // Not `instanceof Error`: under jest's VM the DOMException comes from another realm.
    return typeof error === 'object' && error !== null && 'name' in error && error.name === 'TimeoutError'
      ? 'hang'
      : 'reset';
  }
}

async function tally(requests: number): Promise<Record<string, number>> {
  const outcomes: Record<string, number> = {};
  // Sequential: the seeded draws then fall in request order.
  for (let index = 0; index < requests; index += 1) {
    const outcome = await probe();
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  return outcomes;
}

describe('GHL simulator: shares of faults over /__admin/faults', () => {
  test('when a hang rate of 0.5 is set, then about half the requests never answer and clearing it heals them', async () => {
    expect((await admin('POST', '/faults', { hangRate: { rate: 0.5 } })).status).toBe(200);
    const outcomes = await tally(20);
    expect(outcomes.hang ?? 0).toBeGreaterThanOrEqual(4);
    expect(outcomes['200'] ?? 0).toBeGreaterThanOrEqual(4);
    expect((outcomes.hang ?? 0) + (outcomes['200'] ?? 0)).toBe(20);
    expect(sim.log.entries.filter((entry) => entry.fault === 'hang')).toHaveLength(outcomes.hang ?? 0);
    expect((await admin('POST', '/faults', { hangRate: null })).status).toBe(200);
    expect(await tally(5)).toEqual({ '200': 5 });
  });

  test('when reset and malformed rates of 1 are set, then every request is reset, and then every answer is truncated', async () => {
    await admin('POST', '/faults', { resetRate: { rate: 1 } });
    expect(await tally(3)).toEqual({ reset: 3 });
    await admin('POST', '/faults', { resetRate: null, malformedRate: { rate: 1 } });
    expect(await tally(3)).toEqual({ malformed: 3 });
    expect((await admin('GET', '/faults')).body).toMatchObject({ rates: { malformed: { rate: 1 } } });
    await admin('DELETE', '/faults');
    expect(await tally(2)).toEqual({ '200': 2 });
  });

  test('when a rate is scoped to a path, then other paths are untouched', async () => {
    await admin('POST', '/faults', { resetRate: { rate: 1, path: '/contacts/*/notes' } });
    expect(await tally(3)).toEqual({ '200': 3 });
    const notes = await fetch(`${sim.url}${contactPath()}/notes`, {
      headers: { authorization: `Bearer ${sim.demoToken ?? ''}`, version: '2021-07-28' },
    }).then(
      () => 'answered',
      () => 'reset',
    );
    expect(notes).toBe('reset');
  });

  test('when latency spikes strike a share of requests, then only that share is slow', async () => {
    await admin('POST', '/faults', { latency: { ms: 1000, rate: 0.5 } });
    const outcomes = await tally(16);
    // A delayed answer (1 s) misses the probe's 300 ms; the others answer at once.
    expect(outcomes.hang ?? 0).toBeGreaterThanOrEqual(3);
    expect(outcomes['200'] ?? 0).toBeGreaterThanOrEqual(3);
    expect((await admin('POST', '/faults', { latency: { ms: 1000, rate: 2 } })).status).toBe(422);
  });
});

describe('GHL simulator: tokens, deliveries and data over /__admin', () => {
  test('when a PIT is revoked and then restored, then it is refused 401 and then accepted again', async () => {
    const token = sim.demoToken ?? '';
    expect((await admin('POST', '/tokens/revoke', { token })).body).toEqual({ revoked: true });
    expect((await callSim(sim, 'GET', contactPath())).status).toBe(401);
    expect((await admin('POST', '/tokens/restore', { token })).body).toEqual({ restored: true });
    expect((await callSim(sim, 'GET', contactPath())).status).toBe(200);
    expect((await admin('POST', '/tokens/restore', { token: 'pit-unknown' })).body).toEqual({ restored: false });
  });

  test('when webhooks were delivered, then /__admin/webhooks/deliveries lists each with its id and status', async () => {
    const receiver = await startReceiver();
    try {
      await admin('POST', '/webhooks/target', { url: receiver.url });
      const created = await callSim<{ contact: { id: string } }>(sim, 'POST', '/contacts/', {
        body: { locationId: sim.locationId, email: 'deliveries@example.com' },
      });
      expect(created.status).toBe(201);
      await sim.webhooks.idle();
      const answer = (await admin('GET', '/webhooks/deliveries')).body as {
        deliveries: Array<{ webhookId: string; type: string; status: number | null }>;
        forgotten: number;
      };
      expect(answer.forgotten).toBe(0);
      expect(answer.deliveries).toEqual([{ webhookId: expect.any(String), type: 'ContactCreate', status: 204 }]);
      expect(receiver.ids).toEqual([answer.deliveries[0]?.webhookId]);
    } finally {
      await receiver.close();
    }
  });

  test('when requests carry an x-request-id, then /__admin/requests/by-id counts them, even hung ones', async () => {
    sim.faults.hangNext(1);
    const hung = await fetch(`${sim.url}${contactPath()}`, {
      headers: { authorization: `Bearer ${sim.demoToken ?? ''}`, version: '2021-07-28', 'x-request-id': 'sync-run-1' },
      signal: AbortSignal.timeout(300),
    }).then(
      () => 'answered',
      () => 'no answer',
    );
    expect(hung).toBe('no answer');
    await callSim(sim, 'GET', contactPath(), { headers: { 'x-request-id': 'sync-run-1' } });
    await callSim(sim, 'GET', contactPath(), { headers: { 'x-request-id': 'other' } });
    const seen = (await admin('GET', '/requests/by-id?requestId=sync-run-1')).body;
    expect(seen).toEqual({
      requestId: 'sync-run-1',
      seen: { count: 2, firstAt: expect.any(String), lastAt: expect.any(String) },
    });
    expect((await admin('GET', '/requests/by-id?requestId=never')).body).toEqual({ requestId: 'never', seen: null });
    expect((await admin('GET', '/requests/by-id')).status).toBe(422);
  });

  test('when contacts are read page by page, then every contact comes once with its tasks and notes', async () => {
    const first = (await admin('GET', '/contacts?limit=5')).body as {
      total: number;
      contacts: Array<{ id: string; tasks: unknown[]; notes: Array<{ id: string }> }>;
    };
    expect(first.total).toBe(12);
    expect(first.contacts).toHaveLength(5);
    const rest = (await admin('GET', '/contacts?offset=5&limit=1000')).body as typeof first;
    const ids = [...first.contacts, ...rest.contacts].map((contact) => contact.id);
    expect(ids.sort()).toEqual(sim.data.listContactIds().sort());
    const sample = rest.contacts[0];
    expect(sample?.notes).toEqual(sim.data.notesOf(sample?.id ?? ''));
    expect(sample?.tasks).toEqual(sim.data.tasksOf(sample?.id ?? ''));
    expect((await admin('GET', '/contacts?limit=0')).status).toBe(422);
  });
});

async function startReceiver(): Promise<{ url: string; ids: string[]; close(): Promise<void> }> {
  const { createServer } = await import('node:http');
  const ids: string[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      ids.push(String((JSON.parse(text) as { webhookId?: unknown }).webhookId));
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    ids,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
