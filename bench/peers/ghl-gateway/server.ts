/**
 * This gateway as a peer: `startGateway` in a process of its own (so its peak RSS is its own),
 * pointed at the benchmark's simulator. PEER_VARIANT=naive swaps in the naive resolver set (no
 * loaders, no cache); anything else runs the gateway as shipped. PEER_RESPONSE_CACHE=off turns
 * the whole-response cache off (RESPONSE_CACHE_MAX_ENTRIES=0). Reports its GraphQL URL over IPC.
 */
import { parseConfig } from '../../../src/config.js';
import { startGateway } from '../../../src/gateway.js';
import { naiveResolvers } from '../../../src/graphql/naive-resolvers.js';
import { traceMemory } from '../memory-trace.js';

traceMemory(process.env.PEER_VARIANT === 'naive' ? 'naive' : 'gateway');

const baseUrl = process.env.PEER_GHL_BASE_URL;
const token = process.env.PEER_GHL_TOKEN;
const locationId = process.env.PEER_GHL_LOCATION_ID;
if (baseUrl === undefined || token === undefined || locationId === undefined) {
  throw new Error('set PEER_GHL_BASE_URL, PEER_GHL_TOKEN and PEER_GHL_LOCATION_ID (bench/peers/run.ts does)');
}

const config = parseConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  GHL_API_BASE_URL: baseUrl,
  GHL_PRIVATE_INTEGRATION_TOKEN: token,
  GHL_LOCATION_ID: locationId,
  // Read-only load without keys: the one anonymous opt-in with HighLevel credentials.
  CLIENT_AUTH: 'anonymous-read',
  // The execution workloads (xa, xb) measure execution over the warm entity cache, not reuse.
  ...(process.env.PEER_RESPONSE_CACHE === 'off' ? { RESPONSE_CACHE_MAX_ENTRIES: '0' } : {}),
});
const gateway = await startGateway(config, process.env.PEER_VARIANT === 'naive' ? { resolvers: naiveResolvers } : {});

process.on('message', (message: unknown) => {
  if (message === 'close') void gateway.close().then(() => process.exit(0));
});
process.send?.({ type: 'ready', graphqlUrl: gateway.graphqlUrl });
