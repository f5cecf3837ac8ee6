/**
 * The fault suite's upstreams in a process of their own: the HighLevel simulator (seeded
 * contacts, a rate limit ten times GHL's real one so a 10,000-contact sync fits in minutes,
 * webhooks to the gateway) and the Roofr simulator (webhooks to the gateway, signed with the
 * suite's secret). Started with `fork`; sends one "ready" message with what the gateway needs,
 * then is steered and read only over HTTP (/__admin of each simulator), as an operator's tools
 * would. "close" (IPC) stops both.
 */
import { DEMO_SCOPES, startGhlSimulator } from '../../src/simulators/ghl/index.js';
import { startRoofrSimulator } from '../../src/simulators/roofr/index.js';

export interface SimulatorsReady {
  type: 'ready';
  ghl: { url: string; locationId: string; token: string; scopes: string[] };
  roofr: { url: string; apiBaseUrl: string; apiKey: string };
}

const env = process.env;
const contacts = Number(env.CHAOS_CONTACTS ?? 10_000);
const gatewayUrl = env.CHAOS_GATEWAY_URL ?? 'http://127.0.0.1:4000';

const ghl = await startGhlSimulator({
  seed: Number(env.CHAOS_SEED ?? 42),
  contacts,
  rateLimit: {
    max: Number(env.CHAOS_GHL_RATE_MAX ?? 100),
    intervalMs: Number(env.CHAOS_GHL_RATE_INTERVAL_MS ?? 1000),
    dailyMax: 10_000_000,
  },
  latencyMs: Number(env.CHAOS_GHL_LATENCY_MS ?? 20),
  webhookUrl: `${gatewayUrl}/webhooks/ghl`,
  // Every delivery is checked against the gateway's queue at the end.
  webhookHistory: 10_000_000,
});
const roofr = await startRoofrSimulator({
  seed: Number(env.CHAOS_SEED ?? 42),
  rateLimit: { limit: 100_000_000 },
  webhook: { url: `${gatewayUrl}/webhooks/roofr`, secret: env.CHAOS_ROOFR_WEBHOOK_SECRET ?? 'chaos-roofr-secret' },
});

process.on('message', (message: unknown) => {
  if (message === 'close') void Promise.allSettled([ghl.close(), roofr.close()]).then(() => process.exit(0));
});
process.on('disconnect', () => process.exit(0));

const ready: SimulatorsReady = {
  type: 'ready',
  ghl: {
    url: ghl.url,
    locationId: ghl.locationId,
    token: ghl.demoToken ?? '',
    scopes: [...DEMO_SCOPES],
  },
  roofr: { url: roofr.url, apiBaseUrl: roofr.apiBaseUrl, apiKey: roofr.apiKey },
};
process.send?.(ready);
