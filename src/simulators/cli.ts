/**
 * `npm run simulate`: starts the spec-faithful upstream simulators as standalone servers, for
 * demos, manual testing and benchmarks against a separate gateway process. Each simulator is an
 * entry in SIMULATORS; `npm run simulate -- ghl` starts only the named ones.
 */
import { ConfigError, parseConfig } from '../config.js';
import type { Config } from '../config.js';
import { startGhlSimulator } from './ghl/index.js';
import { startRoofrSimulator } from './roofr/index.js';

interface RunningSimulator {
  /** Lines printed once it listens: URL and whatever a client needs to call it. */
  describe(): string[];
  close(): Promise<void>;
}

interface SimulatorEntry {
  name: string;
  start(config: Config): Promise<RunningSimulator>;
}

const SIMULATORS: SimulatorEntry[] = [
  {
    name: 'ghl',
    async start(config) {
      const sim = await startGhlSimulator({
        host: config.SIM_HOST,
        port: config.GHL_SIM_PORT,
        seed: config.SIM_SEED,
        contacts: config.SIM_CONTACTS,
        webhookUrl: config.GHL_SIM_WEBHOOK_URL,
      });
      return {
        describe: () => [
          `HighLevel simulator listening on ${sim.url}`,
          `  GHL_API_BASE_URL=${sim.url}`,
          `  GHL_PRIVATE_INTEGRATION_TOKEN=${sim.demoToken ?? '(none)'}`,
          `  GHL_LOCATION_ID=${sim.locationId}`,
          `  OAuth client: ${sim.oauth.clients.map((client) => `${client.clientId} / ${client.clientSecret}`).join(', ')}`,
          `  ${sim.data.contactCount()} contacts (seed ${config.SIM_SEED}); webhooks → ${config.GHL_SIM_WEBHOOK_URL ?? 'none (GHL_SIM_WEBHOOK_URL unset)'}`,
          `  control: ${sim.url}/__admin/requests, /__admin/faults, /__admin/rate-limit, /__admin/webhook-keys, /__admin/tokens/revoke|restore, /__admin/webhooks/deliveries, /__admin/contacts`,
        ],
        close: () => sim.close(),
      };
    },
  },
  {
    name: 'roofr',
    async start(config) {
      const secret = config.ROOFR_WEBHOOK_SECRET ?? 'roofr-sim-secret';
      const sim = await startRoofrSimulator({
        host: config.SIM_HOST,
        port: config.ROOFR_SIM_PORT,
        apiKey: config.ROOFR_SIM_API_KEY,
        authHeader: config.ROOFR_AUTH_HEADER,
        authScheme: config.ROOFR_AUTH_SCHEME,
        ...(config.ROOFR_SIM_WEBHOOK_URL === undefined
          ? {}
          : { webhook: { url: config.ROOFR_SIM_WEBHOOK_URL, secret, autoEmit: true } }),
      });
      return {
        describe: () => [
          `Roofr simulator listening on ${sim.url}`,
          `  ROOFR_ADAPTER=rest ROOFR_API_BASE_URL=${sim.apiBaseUrl} ROOFR_API_KEY=${sim.apiKey}`,
          `  ROOFR_ADAPTER=zapier ROOFR_ZAPIER_HOOK_URL=${sim.zapierHookUrl}`,
          `  webhooks → ${config.ROOFR_SIM_WEBHOOK_URL ?? 'none (ROOFR_SIM_WEBHOOK_URL unset)'}${config.ROOFR_SIM_WEBHOOK_URL === undefined ? '' : `, signed with ${config.ROOFR_WEBHOOK_SECRET === undefined ? 'roofr-sim-secret (ROOFR_WEBHOOK_SECRET unset)' : 'ROOFR_WEBHOOK_SECRET'}`}`,
          `  control: ${sim.url}/__admin/log, /__admin/faults, /__admin/faults/next, /__admin/data, /__admin/records/{customers|jobs|tasks|notes}, /__admin/webhooks, /__admin/webhooks/fire, /__admin/webhooks/deliveries, /__admin/events/stage-changed, /__admin/events/proposal-signed`,
        ],
        close: () => sim.close(),
      };
    },
  },
];

async function main(): Promise<void> {
  let config: Config;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const unknown = wanted.filter((name) => !SIMULATORS.some((entry) => entry.name === name));
  if (unknown.length > 0) {
    console.error(
      `Unknown simulator(s): ${unknown.join(', ')}. Known: ${SIMULATORS.map((entry) => entry.name).join(', ')}`,
    );
    process.exit(1);
  }
  const selected = SIMULATORS.filter((entry) => wanted.length === 0 || wanted.includes(entry.name));
  const running: RunningSimulator[] = [];
  for (const entry of selected) {
    console.log(`Starting the ${entry.name} simulator…`);
    const simulator = await entry.start(config);
    running.push(simulator);
    console.log(simulator.describe().join('\n'));
  }
  const stop = (signal: string): void => {
    console.log(`${signal}: stopping simulators`);
    void Promise.allSettled(running.map((simulator) => simulator.close())).then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Simulator failed to start:', error instanceof Error ? error.message : error);
  console.error('Check that GHL_SIM_PORT and ROOFR_SIM_PORT are free (or set them to other ports) and try again.');
  process.exit(1);
});
