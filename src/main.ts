/**
 * Composition root: parse the config, start the gateway, say where it is, stop cleanly on
 * SIGTERM / SIGINT. The only place that reads process.env and exits the process.
 */
import { ConfigError, isDemoMode, parseConfig, type Config } from './config.js';
import { startGateway } from './gateway.js';
import { EXAMPLE_QUERY } from './http/playground.js';
import { createLogger } from './observability/logger.js';

/** The config, or exit 1 listing every bad variable (a stack trace would only hide the list). */
function loadConfig(): Config {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.LOG_LEVEL });
  const gateway = await startGateway(config, { logger });

  const mode = isDemoMode(config)
    ? `demo mode: embedded HighLevel simulator at ${gateway.simulator?.url ?? '?'}`
    : `HighLevel at ${config.GHL_API_BASE_URL}`;
  logger.info(
    { url: gateway.graphqlUrl, playground: gateway.playgroundUrl, locationId: gateway.locationId },
    `gateway listening (${mode})`,
  );
  // A first OAuth start has nothing to serve yet: say where to install before anything else.
  const awaitingInstall = gateway.oauth !== null && !(await gateway.oauth.installed());
  const anonymous = gateway.clientAuth.mode !== 'required';
  // Plain lines on stdout as well, for people (and scripts) reading the terminal.
  process.stdout.write(
    [
      '',
      `GraphQL API:  ${gateway.graphqlUrl}`,
      `Playground:   ${gateway.playgroundUrl}`,
      `Health:       ${gateway.url}/healthz  (ready: /readyz, metrics: /metrics)`,
      `Mode:         ${mode}`,
      ...(gateway.oauth === null
        ? []
        : [
            `Install:      ${gateway.oauth.installUrl}${awaitingInstall ? '  (no HighLevel location installed yet: open it in a browser)' : ''}`,
          ]),
      `Client auth:  ${gateway.clientAuth.notice}`,
      '',
      'Try:',
      `curl -s ${gateway.graphqlUrl} -H 'content-type: application/json' \\`,
      ...(anonymous ? [] : [`  -H 'x-api-key: <your API key>' \\`]),
      `  -d '{"query":"{ contacts(first: 3) { totalCount edges { node { id name email tasks { title } } } } }"}'`,
      '',
      'or open the playground, whose first tab is this query:',
      EXAMPLE_QUERY,
    ].join('\n'),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info(
      { signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
      'stopping: no new connections, finishing in-flight requests, checkpointing syncs',
    );
    // A stuck drain must not keep the process alive forever. What was not checkpointed is
    // redone after the restart (leases expire, runs resume from their last page).
    const force = setTimeout(() => {
      logger.error(
        { timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
        'shutdown took longer than SHUTDOWN_TIMEOUT_MS; exiting anyway',
      );
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    force.unref();
    gateway.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`The gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
