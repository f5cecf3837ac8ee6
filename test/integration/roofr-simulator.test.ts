import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ROOFR_SIGNATURE_HEADER,
  verifyRoofrWebhook,
  type RoofrWebhookVerification,
} from '../../src/roofr/webhook-signature.js';
import { parseRoofrWebhookEvent } from '../../src/roofr/webhook-events.js';
import { startRoofrSimulator, type RoofrSimulator } from '../../src/simulators/roofr/index.js';

interface Received {
  raw: string;
  headers: Record<string, string | string[] | undefined>;
}

async function startReceiver(status = 200): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ raw: Buffer.concat(chunks).toString('utf8'), headers: request.headers });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/roofr`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function api(
  simulator: RoofrSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${simulator.apiBaseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${simulator.apiKey}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text === '' ? null : (JSON.parse(text) as Record<string, unknown>),
  };
}

function verify(received: Received | undefined, secret: string): RoofrWebhookVerification {
  if (!received) throw new Error('no webhook received');
  const signature = received.headers[ROOFR_SIGNATURE_HEADER];
  return verifyRoofrWebhook({
    secret,
    rawBody: received.raw,
    signature: Array.isArray(signature) ? signature[0] : signature,
  });
}

describe('Roofr simulator', () => {
  let simulator: RoofrSimulator;

  beforeEach(async () => {
    simulator = await startRoofrSimulator({ rateLimit: { limit: 5, windowMs: 60_000 } });
  });

  afterEach(async () => {
    await simulator.close();
  });

  it('when a request has no API key, then it answers 401 and logs it', async () => {
    const response = await fetch(`${simulator.apiBaseUrl}/customers/1`);
    expect(response.status).toBe(401);
    expect(simulator.log.count('GET /v1/customers/{customerId}')).toBe(1);
  });

  it('when requests are made, then every answer carries the rate-limit headers and the limit answers 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof api>> | null = null;
    for (let index = 0; index < 6; index += 1) {
      last = await api(simulator, 'GET', '/customers');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last?.headers.get('x-ratelimit-limit')).toBe('5');
    expect(last?.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('when the same Idempotency-Key comes with a different body, then it answers 409 and creates nothing more', async () => {
    const first = await api(simulator, 'POST', '/customers', { first_name: 'A' }, { 'idempotency-key': 'k1' });
    const replay = await api(simulator, 'POST', '/customers', { first_name: 'A' }, { 'idempotency-key': 'k1' });
    const conflict = await api(simulator, 'POST', '/customers', { first_name: 'B' }, { 'idempotency-key': 'k1' });
    expect([first.status, replay.status, conflict.status]).toEqual([201, 201, 409]);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(simulator.data.customers.size).toBe(1);
  });

  it('when a body is invalid, then it answers 422 with the field errors', async () => {
    const response = await api(simulator, 'POST', '/customers', { email: 'not-an-email' });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ errors: { email: [expect.any(String)] } });
  });

  it('when the log is read, then counts are kept per method and path template', async () => {
    const customer = simulator.data.createCustomer({ first_name: 'A' });
    await api(simulator, 'GET', `/customers/${customer.id}`);
    await api(simulator, 'GET', '/customers/unknown');
    await api(simulator, 'PATCH', `/customers/${customer.id}`, { last_name: 'B' });
    expect(simulator.log.counts()).toEqual({
      'GET /v1/customers/{customerId}': 2,
      'PATCH /v1/customers/{customerId}': 1,
    });
  });

  it('when a 5xx rate is set, then a seeded share of requests fail and clearing it heals the server', async () => {
    simulator.faults.set({ errorRate: 1, errorStatus: 502 });
    expect((await api(simulator, 'GET', '/customers')).status).toBe(502);
    simulator.faults.clear();
    expect((await api(simulator, 'GET', '/customers')).status).toBe(200);
  });

  it('when faults are set over the admin endpoint, then API requests see them', async () => {
    const set = await fetch(`${simulator.url}/__admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ force429: true, retryAfterSeconds: 3 }),
    });
    expect(set.status).toBe(200);
    const response = await api(simulator, 'GET', '/customers');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
  });

  it('when a webhook is fired, then the receiver can verify its signature, event id and timestamp', async () => {
    const receiver = await startReceiver();
    try {
      simulator.webhooks.configure({ url: receiver.url, secret: 'shh' });
      const delivery = await simulator.webhooks.fire('proposal.signed', {
        proposal: { id: 'p1', job_id: '1001', total: 12500 },
      });
      expect(delivery).toMatchObject({ status: 200, event: 'proposal.signed' });
      const result = verify(receiver.received[0], 'shh');
      expect(result).toEqual({
        ok: true,
        envelope: {
          id: delivery.eventId,
          event: 'proposal.signed',
          timestamp: expect.any(String),
          data: { proposal: { id: 'p1', job_id: '1001', total: 12500 } },
        },
      });
      expect(receiver.received[0]?.headers['x-roofr-event-id']).toBe(delivery.eventId);
      expect(verify(receiver.received[0], 'wrong-secret')).toMatchObject({ ok: false, reason: 'bad-signature' });
    } finally {
      await receiver.close();
    }
  });

  it('when autoEmit is on, then API changes fire customer.created, job.created and job.stage_changed', async () => {
    const receiver = await startReceiver();
    try {
      simulator.webhooks.configure({ url: receiver.url, secret: 'shh', autoEmit: true });
      const customer = await api(simulator, 'POST', '/customers', { first_name: 'Auto' });
      const customerId = (customer.body?.data as { id: string }).id;
      const job = await api(simulator, 'POST', '/jobs', { customer_id: customerId, name: 'Roof' });
      const jobId = (job.body?.data as { id: string }).id;
      await api(simulator, 'PATCH', `/jobs/${jobId}`, { workflow_stage: 'Won Jobs' });
      await simulator.webhooks.settle();
      const events = receiver.received.map((received) => {
        const result = verify(received, 'shh');
        return result.ok ? result.envelope : null;
      });
      expect(events.map((event) => event?.event)).toEqual(['customer.created', 'job.created', 'job.stage_changed']);
      expect(events[2]?.data).toMatchObject({ previous_stage: 'New Incoming Leads', stage: 'Won Jobs' });
    } finally {
      await receiver.close();
    }
  });

  it('when the Zapier catch hook gets a malformed payload, then it still answers success but records why the Zap failed', async () => {
    const response = await fetch(simulator.zapierHookUrl, { method: 'POST', body: JSON.stringify({ hello: 'world' }) });
    expect(response.status).toBe(200);
    expect(simulator.zapier.received[0]?.outcome).toMatchObject({ error: expect.stringContaining('idempotency_key') });
    expect(simulator.data.jobs.size).toBe(0);
  });
});

describe('Roofr simulator scripted events', () => {
  let simulator: RoofrSimulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeEach(async () => {
    receiver = await startReceiver();
    simulator = await startRoofrSimulator({ webhook: { url: receiver.url, secret: 'shh', autoEmit: true } });
  });

  afterEach(async () => {
    await simulator.close();
    await receiver.close();
  });

  function events() {
    return receiver.received.map((received) => {
      const result = verify(received, 'shh');
      if (!result.ok) throw new Error(result.detail);
      const parsed = parseRoofrWebhookEvent(result.envelope);
      if (!parsed.ok) throw new Error(parsed.detail);
      return parsed.event;
    });
  }

  it('when a lead arrives, then a customer and job exist and exactly one typed lead.created is delivered', async () => {
    const { job } = await simulator.events.leadCreated({
      first_name: 'Rita',
      last_name: 'Moreno',
      email: 'rita@example.com',
    });
    expect(job).toMatchObject({
      name: 'Rita Moreno',
      workflow_stage: 'New Incoming Leads',
      lead_source: 'Instant Estimator',
    });
    const delivered = events();
    expect(delivered.map((event) => event.event)).toEqual(['lead.created']);
    expect(delivered[0]?.event === 'lead.created' && delivered[0].data.lead).toMatchObject({
      email: 'rita@example.com',
      source: 'Instant Estimator',
    });
  });

  it('when a stage changes and a proposal is signed, then each fires once with typed data', async () => {
    const customer = simulator.webhooks.withoutAutoEmit(() => simulator.data.createCustomer({ first_name: 'S' }));
    const job = simulator.webhooks.withoutAutoEmit(() => simulator.data.createJob(customer.id, { name: 'S roof' }));
    await simulator.events.stageChanged(job.id, 'Qualified Leads');
    await simulator.events.proposalSigned(job.id, 18250);
    const delivered = events();
    expect(delivered.map((event) => event.event)).toEqual(['job.stage_changed', 'proposal.signed']);
    const [stage, proposal] = delivered;
    expect(stage?.event === 'job.stage_changed' && [stage.data.previous_stage, stage.data.stage]).toEqual([
      'New Incoming Leads',
      'Qualified Leads',
    ]);
    expect(proposal?.event === 'proposal.signed' && proposal.data.proposal).toMatchObject({
      job_id: job.id,
      total: 18250,
    });
    expect(simulator.data.jobs.get(job.id)?.workflow_stage).toBe('Won Jobs');
  });
});
