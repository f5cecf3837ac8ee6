import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OutboxEntry } from '../../src/store/outbox-repo.js';
import { createOutboxWorker, PermanentDeliveryError, type WorkerLogger } from '../../src/sync/outbox-worker.js';
import { createTestClock, storeBackends } from './store-backends.js';

const LEASE_MS = 30_000;
const backoff = { baseMs: 1000, maxMs: 60_000, factor: 2 };

/** A promise with its resolver, to hold a handler open and to observe when it was entered. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

function recordingLogger(): WorkerLogger & { lines: string[] } {
  const lines: string[] = [];
  const record = (level: string) => (_fields: Record<string, unknown>, message: string) =>
    void lines.push(`${level}: ${message}`);
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

/** A stand-in Roofr endpoint that honours Idempotency-Key: a repeated key creates nothing new. */
async function startIdempotentServer(): Promise<{
  server: Server;
  url: string;
  requests: string[];
  created: Map<string, unknown>;
}> {
  const requests: string[] = [];
  const created = new Map<string, unknown>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const key = String(request.headers['idempotency-key'] ?? '');
      requests.push(key);
      if (!created.has(key)) created.set(key, JSON.parse(Buffer.concat(chunks).toString('utf8')));
      response
        .writeHead(key === '' ? 400 : 201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: `cu-${created.size}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/customers`, requests, created };
}

for (const backend of storeBackends()) {
  backend.describe(`outbox worker on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    async function setup(maxAttempts = 3) {
      const clock = createTestClock();
      const database = await backend.createDatabase();
      const store = await database.open({ now: clock.now, outboxMaxAttempts: maxAttempts });
      return { clock, database, store };
    }

    const write = (key: string) => ({
      locationId: 'L',
      kind: 'customer.upsert',
      payload: { key },
      idempotencyKey: key,
    });

    test('when the handler resolves, then each entry is delivered once, in order, and marked done', async () => {
      const { store, clock } = await setup();
      for (const key of ['a', 'b', 'c']) await store.outbox.enqueue(write(key));
      const delivered: string[] = [];
      const worker = createOutboxWorker({
        store,
        owner: 'w1',
        backoff,
        leaseMs: LEASE_MS,
        now: clock.now,
        handler: async (entry) => void delivered.push(entry.idempotencyKey),
      });
      expect(await worker.drainOnce()).toMatchObject({ claimed: 3, completed: 3, retried: 0, dead: 0 });
      expect(delivered).toEqual(['a', 'b', 'c']);
      expect(await store.outbox.counts()).toMatchObject({ done: 3, pending: 0, in_flight: 0 });
      expect(await worker.drainOnce()).toMatchObject({ claimed: 0 });
    });

    test('when the handler fails, then the entry is retried after the backoff and dead after max attempts', async () => {
      const { store, clock } = await setup(3);
      const { entry } = await store.outbox.enqueue(write('flaky'));
      const attempts: number[] = [];
      const logger = recordingLogger();
      const worker = createOutboxWorker({
        store,
        owner: 'w1',
        backoff,
        leaseMs: LEASE_MS,
        now: clock.now,
        random: () => 1,
        logger,
        handler: async (claimed) => {
          attempts.push(claimed.attempts);
          throw new Error('Roofr 503');
        },
      });
      expect(await worker.drainOnce()).toMatchObject({ retried: 1 });
      expect((await store.outbox.get(entry.id))?.nextAttemptAt).toBe(
        new Date(clock.now().getTime() + 1000).toISOString(),
      );
      clock.advance(999);
      expect(await worker.drainOnce()).toMatchObject({ claimed: 0 });
      clock.advance(1);
      expect(await worker.drainOnce()).toMatchObject({ retried: 1 });
      expect((await store.outbox.get(entry.id))?.nextAttemptAt).toBe(
        new Date(clock.now().getTime() + 2000).toISOString(),
      );
      clock.advance(2000);
      expect(await worker.drainOnce()).toMatchObject({ dead: 1 });
      expect(attempts).toEqual([1, 2, 3]);
      expect((await store.outbox.listDead(10)).items.map((e) => e.lastError)).toEqual(['Error: Roofr 503']);
      expect(logger.lines.filter((line) => line.startsWith('error:'))).toEqual([expect.stringMatching(/dead letter/)]);
    });

    test('when the handler error carries retryAfterMs, then the retry waits at least that long', async () => {
      const { store, clock } = await setup(5);
      const { entry } = await store.outbox.enqueue(write('limited'));
      const worker = createOutboxWorker({
        store,
        owner: 'w1',
        backoff,
        now: clock.now,
        handler: async () => {
          throw Object.assign(new Error('Roofr 429'), { retryAfterMs: 45_000 });
        },
      });
      await worker.drainOnce();
      expect((await store.outbox.get(entry.id))?.nextAttemptAt).toBe(
        new Date(clock.now().getTime() + 45_000).toISOString(),
      );
    });

    test('when the handler reports a permanent failure, then the entry is dead at once', async () => {
      const { store, clock } = await setup(8);
      await store.outbox.enqueue(write('invalid'));
      const worker = createOutboxWorker({
        store,
        owner: 'w1',
        backoff,
        now: clock.now,
        handler: async () => {
          throw new PermanentDeliveryError('Roofr rejected the email address');
        },
      });
      expect(await worker.drainOnce()).toMatchObject({ dead: 1 });
      expect((await store.outbox.listDead(1)).items[0]?.attempts).toBe(1);
    });

    test('when the process dies between Roofr confirming and the entry being marked, then it is redelivered with the same idempotency key', async () => {
      const { store: crashing, clock, database } = await setup();
      await crashing.outbox.enqueue(write('k-crash'));
      const roofrReceived: string[] = [];
      const first = createOutboxWorker({
        store: crashing,
        owner: 'replica-1',
        backoff,
        leaseMs: LEASE_MS,
        now: clock.now,
        handler: async (entry) => {
          roofrReceived.push(entry.idempotencyKey);
          // Roofr confirmed; the process dies before the outbox row is marked done.
          await crashing.close();
        },
      });
      expect(await first.drainOnce()).toMatchObject({ completed: 0, unmarked: 1 });

      const restarted = await database.open({ now: clock.now });
      const second = createOutboxWorker({
        store: restarted,
        owner: 'replica-2',
        backoff,
        leaseMs: LEASE_MS,
        now: clock.now,
        handler: async (entry) => void roofrReceived.push(entry.idempotencyKey),
      });
      expect(await second.drainOnce()).toMatchObject({ claimed: 0 });
      clock.advance(LEASE_MS);
      expect(await second.drainOnce()).toMatchObject({ claimed: 1, completed: 1 });
      expect(roofrReceived).toEqual(['k-crash', 'k-crash']);
      expect(await restarted.outbox.counts()).toMatchObject({ done: 1, pending: 0, in_flight: 0 });
    });

    test('when delivery goes over HTTP and the process dies before marking, then the endpoint sees the same key twice and creates once', async () => {
      const roofr = await startIdempotentServer();
      try {
        const { store: crashing, clock, database } = await setup();
        await crashing.outbox.enqueue({
          locationId: 'L',
          kind: 'customer.upsert',
          payload: { email: 'a@example.com' },
          idempotencyKey: 'ghl:L:contact:c1:v1',
        });
        const post = async (entry: OutboxEntry) => {
          const response = await fetch(roofr.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': entry.idempotencyKey },
            body: JSON.stringify(entry.payload),
          });
          if (!response.ok) throw new Error(`Roofr answered ${response.status}`);
        };
        const first = createOutboxWorker({
          store: crashing,
          owner: 'replica-1',
          backoff,
          leaseMs: LEASE_MS,
          now: clock.now,
          handler: async (entry) => {
            await post(entry);
            await crashing.close();
          },
        });
        await first.drainOnce();
        const restarted = await database.open({ now: clock.now });
        clock.advance(LEASE_MS);
        const second = createOutboxWorker({
          store: restarted,
          owner: 'replica-2',
          backoff,
          leaseMs: LEASE_MS,
          now: clock.now,
          handler: post,
        });
        expect(await second.drainOnce()).toMatchObject({ completed: 1 });
        expect(roofr.requests).toEqual(['ghl:L:contact:c1:v1', 'ghl:L:contact:c1:v1']);
        expect([...roofr.created.values()]).toEqual([{ email: 'a@example.com' }]);
      } finally {
        await new Promise((resolve) => roofr.server.close(resolve));
      }
    });

    test('when a worker stalls past its lease and another claims its batch, then the stalled one starts no further delivery and cannot mark the one it finished', async () => {
      const { store, clock } = await setup();
      for (const key of ['a', 'b', 'c']) await store.outbox.enqueue(write(key));
      const delivered: string[] = [];
      const stalled = createOutboxWorker({
        store,
        owner: 'stalled',
        backoff,
        leaseMs: LEASE_MS,
        now: clock.now,
        handler: async (entry) => {
          delivered.push(`stalled ${entry.idempotencyKey}`);
          // A delivery that hangs for a whole lease without a beat; another worker claims meanwhile.
          clock.advance(LEASE_MS);
          const taken = await store.outbox.claimDue('holder', 10, LEASE_MS);
          delivered.push(`holder claimed ${taken.map((e) => e.idempotencyKey).join(',')}`);
        },
      });
      expect(await stalled.drainOnce()).toMatchObject({ claimed: 3, completed: 0, lost: 3 });
      expect(delivered).toEqual(['stalled a', 'holder claimed a,b,c']);
      const rows = await Promise.all([1, 2, 3].map((id) => store.outbox.get(id)));
      expect(rows.map((row) => [row?.status, row?.leaseOwner])).toEqual([
        ['in_flight', 'holder'],
        ['in_flight', 'holder'],
        ['in_flight', 'holder'],
      ]);
    });

    test('when stop is called during a delivery, then it waits for it and hands unstarted entries back', async () => {
      const { store, clock } = await setup();
      for (const key of ['a', 'b', 'c']) await store.outbox.enqueue(write(key));
      const events: string[] = [];
      const entered = deferred<OutboxEntry>();
      const release = deferred();
      const worker = createOutboxWorker({
        store,
        owner: 'w1',
        backoff,
        pollMs: 60_000,
        now: clock.now,
        handler: async (entry) => {
          events.push(`start ${entry.idempotencyKey}`);
          entered.resolve(entry);
          await release.promise;
          events.push(`end ${entry.idempotencyKey}`);
        },
      });
      worker.start();
      expect(worker.running).toBe(true);
      await entered.promise;
      const stopped = worker.stop().then(() => void events.push('stopped'));
      release.resolve();
      await stopped;
      expect(events).toEqual(['start a', 'end a', 'stopped']);
      expect(worker.running).toBe(false);
      expect(await store.outbox.counts()).toMatchObject({ done: 1, pending: 2, in_flight: 0 });
      const handedBack = await store.outbox.claimDue('w2', 10, LEASE_MS);
      expect(handedBack.map((e) => [e.idempotencyKey, e.attempts])).toEqual([
        ['b', 1],
        ['c', 1],
      ]);
    });

    test('when the worker runs and is nudged after an enqueue, then it delivers without waiting for the next poll', async () => {
      const { store, clock } = await setup();
      const delivered = deferred<string>();
      const worker = createOutboxWorker({
        store,
        owner: 'w1',
        backoff,
        pollMs: 60_000,
        now: clock.now,
        handler: async (entry) => delivered.resolve(entry.idempotencyKey),
      });
      worker.start();
      try {
        await store.outbox.enqueue(write('nudged'));
        worker.nudge();
        expect(await delivered.promise).toBe('nudged');
      } finally {
        await worker.stop();
      }
    });
  });
}
