/**
 * Entry point of `npm run auth -- <command>` (see auth-command.ts for the commands). Opens the
 * store named by DATABASE_URL; exits 1 with a message that says what to do on any error.
 */
import { parseKeyRing } from '../auth/key-ring.js';
import { storeApiKeyRepository, storeSecretRepository, storeTokenRepository } from '../auth/store-adapters.js';
import { ConfigError, parseConfig } from '../config.js';
import { requestedScopes } from '../ghl/oauth-consent.js';
import { installUrlFor } from '../ghl/oauth-setup.js';
import { specifiedRules, validate, parse } from 'graphql';
import { buildGatewaySchema } from '../graphql/schema.js';
import { resolvers } from '../graphql/resolvers/index.js';
import { loadManifests } from '../graphql/trusted-documents/manifest-files.js';
import { silentLogger } from '../observability/logger.js';
import { composed } from '../wiring/lifecycle.js';
import { openStateStore } from '../wiring/state-store.js';
import { USAGE, keyGenerateLines, parseAuthCommand, runAuthCommand } from './auth-command.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return argv.length === 0 ? 1 : 0;
  }
  const command = parseAuthCommand(argv);
  const config = parseConfig(process.env);
  if (command.command === 'key generate') {
    process.stdout.write(`${keyGenerateLines(command.id).join('\n')}\n`);
    return 0;
  }
  // The state database as every process opens it (src/wiring/); nothing else: `secret set` must
  // work before the Roofr credentials it stores exist.
  const { store, close } = await composed(silentLogger(), async (lifecycle) => ({
    store: await openStateStore(config, lifecycle, { logger: silentLogger() }),
    close: () => lifecycle.close(),
  }));
  try {
    await runAuthCommand(command, {
      tokens: storeTokenRepository(store),
      apiKeys: storeApiKeyRepository(store),
      secrets: storeSecretRepository(store),
      keyRing: config.TOKEN_ENCRYPTION_KEY === undefined ? null : parseKeyRing(config.TOKEN_ENCRYPTION_KEY),
      installUrl: config.GHL_REDIRECT_URI === undefined ? null : installUrlFor(config.GHL_REDIRECT_URI),
      scopes: requestedScopes(config.GHL_SCOPES),
      readStdin,
      out: (line) => process.stdout.write(`${line}\n`),
      trustedDocuments: {
        repo: store.trustedDocuments,
        readManifests: loadManifests,
        // The gateway's own schema: a document it cannot run must not be trusted.
        problemsOf: (() => {
          let schema: ReturnType<typeof buildGatewaySchema> | null = null;
          return (body: string) => {
            schema ??= buildGatewaySchema(resolvers);
            return validate(schema, parse(body), specifiedRules).map((error) => error.message);
          };
        })(),
      },
    });
  } finally {
    await close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
