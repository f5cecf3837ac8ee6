/**
 * WEBHOOK_QUEUE_MAX is exact under concurrency, on SQLite and PostgreSQL: many signed webhooks
 * fired at once over real HTTP at a queue capped at 50 get exactly 50 answers 200, every other
 * one 429 with Retry-After, and none is lost: each 200 is in the queue, and each 429 left no
 * trace (no receipt), so once the queue drained its retry is accepted, not refused as a replay.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import {
  createGhlSignatureVerifier,
  GHL_WEBHOOK_RSA_PUBLIC_KEY_DEFAULT,
} from '../../src/http/webhook-ghl-signature.js';
import { createWebhookRouter } from '../../src/http/webhook-routes.js';
import { signRoofrWebhook } from '../../src/roofr/webhook-signature.js';
import type { Store } from '../../src/store/open-store.js';
import { createRoofrEventLocations } from '../../src/sync/roofr-event-location.js';
import { storeBackends } from './store-backends.js';

const SECRET = 'cap-test-secret';
const CAP = 50;
const SENT = 150;

function roofrEvent(id: string): string {
  return JSON.stringify({
    id,
    event: 'job.stage_changed',
    timestamp: new Date().toISOString(),
    data: { job: { id: `job-${id}`, customer_id: `cu-${id}` }, previous_stage: 'Lead', stage: 'Sold' },
  });
}

async function post(url: string, body: string): Promise<{ id: string; status: number; retryAfter: string | null }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-roofr-signature': signRoofrWebhook(SECRET, body) },
    body,
  });
  await response.arrayBuffer();
  return {
    id: (JSON.parse(body) as { id: string }).id,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
  };
}

async function serve(store: Store): Promise<{ url: string; server: Server }> {
  const app = express();
  app.use(
    createWebhookRouter({
      webhooks: store.webhooks,
      ghlVerifier: createGhlSignatureVerifier({ rsaPem: GHL_WEBHOOK_RSA_PUBLIC_KEY_DEFAULT, ed25519Pem: null }),
      roofrSecret: SECRET,
      roofrLocations: createRoofrEventLocations({ defaultLocationId: 'L', links: store.links }),
      queueMax: CAP,
    }),
  );
  const server = createServer(app);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/roofr`, server };
}

async function queuedIds(store: Store): Promise<string[]> {
  const rows = await store.db
    .selectFrom('inbound_events')
    .select('webhook_id')
    .where('status', 'in', ['pending', 'in_flight'])
    .execute();
  return rows.map((row) => row.webhook_id).sort();
}

for (const backend of storeBackends()) {
  backend.describe(`webhook queue cap on ${backend.name}`, () => {
    afterEach(() => backend.cleanup());

    test(`when ${SENT} webhooks arrive at once at a queue capped at ${CAP}, then exactly ${CAP} are accepted, the rest 429 with Retry-After, and none is lost`, async () => {
      // PostgreSQL: a pool as wide as a real one, so the accepts truly run side by side.
      const store = await (await backend.createDatabase()).open({ postgres: { max: 10 } });
      const { url, server } = await serve(store);
      try {
        const ids = Array.from({ length: SENT }, (_, index) => `evt-${String(index).padStart(3, '0')}`);
        const answers = await Promise.all(ids.map((id) => post(url, roofrEvent(id))));
        const accepted = answers.filter((answer) => answer.status === 200).map((answer) => answer.id);
        const refused = answers.filter((answer) => answer.status !== 200);
        expect({ accepted: accepted.length, refused: refused.length }).toEqual({ accepted: CAP, refused: SENT - CAP });
        expect(new Set(refused.map((answer) => `${answer.status} ${answer.retryAfter}`))).toEqual(new Set(['429 60']));
        expect(await queuedIds(store)).toEqual([...accepted].sort());

        // Drain the queue (as the worker would), then retry every refused one until all are in.
        let waiting = refused.map((answer) => answer.id);
        const stored = new Set(accepted);
        for (let round = 0; waiting.length > 0 && round < 5; round += 1) {
          for (const event of await store.webhooks.claimEvents('drain', SENT, 60_000))
            await store.webhooks.completeEvent(event.id, 'drain');
          const retried = await Promise.all(waiting.map((id) => post(url, roofrEvent(id))));
          expect(retried.filter((answer) => answer.status === 200)).toHaveLength(Math.min(CAP, waiting.length));
          expect(retried.every((answer) => answer.status === 200 || answer.status === 429)).toBe(true);
          for (const answer of retried) if (answer.status === 200) stored.add(answer.id);
          waiting = retried.filter((answer) => answer.status === 429).map((answer) => answer.id);
        }
        expect([...stored].sort()).toEqual(ids);
        const counts = await store.webhooks.eventCounts();
        expect(counts.pending + counts.in_flight + counts.done).toBe(SENT);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }, 60_000);
  });
}
