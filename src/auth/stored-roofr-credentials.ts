/**
 * Roofr credentials may live in the encrypted secrets store (`npm run auth -- secret set
 * roofr.api_key -`) instead of plain environment variables. An environment value wins; a
 * stored one fills the gap. Once both sources were consulted, what the adapter still lacks is
 * a start-up error naming both ways to provide it.
 */
import { ConfigError, type Config } from '../config.js';
import { roofrConfigProblems } from '../roofr/roofr-config.js';
import { KNOWN_SECRETS } from './secret-vault.js';

interface SecretReader {
  get(name: string): Promise<string | null>;
}

/** The Roofr credentials a process uses: given to the modules that need them, never merged into the config. */
export type RoofrCredentials = Pick<Config, 'ROOFR_API_KEY' | 'ROOFR_WEBHOOK_SECRET' | 'ROOFR_ZAPIER_HOOK_URL'>;

export async function resolveRoofrCredentials(
  config: Pick<Config, 'ROOFR_ADAPTER' | 'ROOFR_API_BASE_URL'> & RoofrCredentials,
  secrets: SecretReader | null,
): Promise<RoofrCredentials> {
  const stored = async (name: string): Promise<string | undefined> =>
    secrets === null ? undefined : ((await secrets.get(name)) ?? undefined);
  const credentials: RoofrCredentials = {
    ROOFR_API_KEY: config.ROOFR_API_KEY ?? (await stored(KNOWN_SECRETS.roofrApiKey)),
    ROOFR_WEBHOOK_SECRET: config.ROOFR_WEBHOOK_SECRET ?? (await stored(KNOWN_SECRETS.roofrWebhookSecret)),
    ROOFR_ZAPIER_HOOK_URL: config.ROOFR_ZAPIER_HOOK_URL ?? (await stored(KNOWN_SECRETS.roofrZapierHookUrl)),
  };
  const problems = roofrConfigProblems({ ...config, ...credentials });
  if (problems.length > 0) {
    throw new ConfigError(
      problems.map(
        (problem) =>
          `${problem} (or store it encrypted: npm run auth -- secret set <${Object.values(KNOWN_SECRETS).join('|')}> -)`,
      ),
    );
  }
  return credentials;
}
