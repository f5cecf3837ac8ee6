/**
 * The gateway under test in a process of its own (the load generator must not share its event
 * loop), pointed at the benchmark's simulator. RC_VARIANT picks how reused responses are served:
 * `front` (as shipped: the layer in front of Express), `pipeline` (only the Apollo plugin's
 * responseForOperation) or `off` (no response cache: every request executes on the warm entity
 * cache). Reports its GraphQL URL over IPC, stops on "close".
 */
import { parseConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';

const { RC_GHL_BASE_URL: baseUrl, RC_GHL_TOKEN: token, RC_GHL_LOCATION_ID: locationId } = process.env;
const variant = process.env.RC_VARIANT ?? 'front';
if (baseUrl === undefined || token === undefined || locationId === undefined) {
  throw new Error('set RC_GHL_BASE_URL, RC_GHL_TOKEN and RC_GHL_LOCATION_ID (bench/response-cache/run.ts does)');
}

const config = parseConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  GHL_API_BASE_URL: baseUrl,
  GHL_PRIVATE_INTEGRATION_TOKEN: token,
  GHL_LOCATION_ID: locationId,
  CLIENT_AUTH: 'anonymous-read',
  SYNC_SCHEDULE: 'off',
  ...(variant === 'off' ? { RESPONSE_CACHE_MAX_ENTRIES: '0' } : {}),
});
const gateway = await startGateway(config, variant === 'pipeline' ? { responseCacheInFront: false } : {});

process.on('message', (message: unknown) => {
  if (message === 'close') void gateway.close().then(() => process.exit(0));
});
process.send?.({ type: 'ready', graphqlUrl: gateway.graphqlUrl });
