/**
 * The Roofr simulator's /__admin surface as the fault suite (bench/chaos) drives it from another
 * process: a share of hangs, counted faults, the stored records page by page, the webhook
 * deliveries and scripted Roofr happenings on jobs that mirror HighLevel. Real HTTP throughout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';

let simulator: RoofrSimulator;

beforeEach(async () => {
  simulator = await startRoofrSimulator({ seed: 11, rateLimit: { limit: 100_000 } });
});

afterEach(async () => {
  await simulator.close();
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${simulator.url}/__admin${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** One GET's outcome: its status, or 'hang' when nothing came back within 300 ms. */
async function probe(): Promise<string> {
  try {
    const response = await fetch(`${simulator.apiBaseUrl}/customers`, {
      headers: { authorization: `Bearer ${simulator.apiKey}` },
      signal: AbortSignal.timeout(300),
    });
    await response.arrayBuffer();
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
  for (let index = 0; index < requests; index += 1) {
    const outcome = await probe();
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  return outcomes;
}

async function startReceiver(): Promise<{ url: string; bodies: unknown[]; close(): Promise<void> }> {
  const bodies: unknown[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/roofr`,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('Roofr simulator: faults over /__admin', () => {
  it('when a hang rate of 0.5 is set, then about half the requests never answer and clearing it heals them', async () => {
    expect((await admin('POST', '/faults', { hangRate: 0.5 })).status).toBe(200);
    const outcomes = await tally(20);
    expect(outcomes.hang ?? 0).toBeGreaterThanOrEqual(4);
    expect(outcomes['200'] ?? 0).toBeGreaterThanOrEqual(4);
    expect((outcomes.hang ?? 0) + (outcomes['200'] ?? 0)).toBe(20);
    await admin('DELETE', '/faults');
    expect(await tally(3)).toEqual({ '200': 3 });
  });

  it('when counted faults are queued over HTTP, then exactly the next ones get them, in order', async () => {
    expect((await admin('POST', '/faults/next', { kind: 'error', count: 2, status: 502 })).status).toBe(200);
    await admin('POST', '/faults/next', { kind: 'hang', count: 1 });
    expect((await admin('GET', '/faults')).body).toMatchObject({
      pending: [{ kind: 'error', status: 502 }, { kind: 'error', status: 502 }, { kind: 'hang' }],
    });
    expect(await tally(4)).toEqual({ '502': 2, hang: 1, '200': 1 });
    expect((await admin('POST', '/faults/next', { kind: 'melt', count: 1 })).status).toBe(422);
  });
});

describe('Roofr simulator: records, deliveries and events over /__admin', () => {
  it('when records are read page by page, then each kind comes whole, in creation order', async () => {
    const customers = [1, 2, 3].map((index) => simulator.data.createCustomer({ first_name: `C${index}` }));
    const job = simulator.data.createJob(customers[0]?.id ?? '', { name: 'Roof', external_ref: 'ghl:contact:abc' });
    simulator.data.createJobTask(job.id, { title: 'Measure' });
    const first = (await admin('GET', '/records/customers?limit=2')).body as { total: number; data: unknown[] };
    const second = (await admin('GET', '/records/customers?offset=2')).body as { total: number; data: unknown[] };
    expect(first.total).toBe(3);
    expect([...first.data, ...second.data]).toEqual(customers);
    expect((await admin('GET', '/records/jobs')).body).toEqual({ total: 1, data: [job] });
    expect((await admin('GET', '/records/tasks')).body).toMatchObject({ total: 1, data: [{ title: 'Measure' }] });
    expect((await admin('GET', '/records/notes')).body).toEqual({ total: 0, data: [] });
    expect((await admin('GET', '/records/invoices')).status).toBe(404);
  });

  it('when a stage change is scripted without a job id, then a job mirroring HighLevel moves and one webhook is delivered', async () => {
    const receiver = await startReceiver();
    try {
      expect((await admin('POST', '/events/stage-changed', { stage: 'Won Jobs' })).status).toBe(404);
      const customer = simulator.data.createCustomer({ first_name: 'Ada' });
      simulator.data.createJob(customer.id, { name: 'Unlinked' });
      const mirrored = simulator.data.createJob(customer.id, { name: 'Linked', external_ref: 'ghl:contact:c1' });
      await admin('POST', '/webhooks', { url: receiver.url, secret: 'shh' });
      const moved = await admin('POST', '/events/stage-changed', { stage: 'Won Jobs' });
      expect(moved).toMatchObject({
        status: 200,
        body: { job: { id: mirrored.id, workflow_stage: 'Won Jobs' }, delivery: { status: 200 } },
      });
      const signed = await admin('POST', '/events/proposal-signed', { jobId: mirrored.id, total: 9000 });
      expect(signed).toMatchObject({ status: 200, body: { delivery: { event: 'proposal.signed', status: 200 } } });
      const deliveries = (await admin('GET', '/webhooks/deliveries')).body as {
        deliveries: Array<{ eventId: string; event: string; status: number }>;
      };
      expect(deliveries.deliveries.map((delivery) => [delivery.event, delivery.status])).toEqual([
        ['job.stage_changed', 200],
        ['proposal.signed', 200],
      ]);
      expect(receiver.bodies.map((body) => (body as { id: string }).id)).toEqual(
        deliveries.deliveries.map((delivery) => delivery.eventId),
      );
    } finally {
      await receiver.close();
    }
  });
});
