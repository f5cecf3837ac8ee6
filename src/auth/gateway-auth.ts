/**
 * Start-up assembly of the auth layer for the composition root: the encrypted vaults (checked
 * readable with the configured keys, stale rows re-sealed with the primary key) and the
 * per-request caller authentication. Throws KeyRingError / ClientAuthConfigError with a
 * message naming the variable to fix; the composition root prints it and exits.
 */
import type { Config } from '../config.js';
import type { Store } from '../store/open-store.js';
import { createAuthenticator, type Authenticator, type AuthenticatorDeps } from './authenticate-request.js';
import { ClientAuthConfigError, checkClientAuth, jwtSettings, type ClientAuthMode } from './client-auth-policy.js';
import { createJwtVerifier } from './jwt-verifier.js';
import { parseKeyRing, type KeyRing } from './key-ring.js';
import { SecretVault } from './secret-vault.js';
import { storeApiKeyRepository, storeSecretRepository, storeTokenRepository } from './store-adapters.js';
import { TokenVault } from './token-vault.js';

export interface AuthVaults {
  keyRing: KeyRing;
  tokens: TokenVault;
  secrets: SecretVault;
  /** Rows re-sealed with the primary key at this start. */
  reencrypted: number;
}

/**
 * null when TOKEN_ENCRYPTION_KEY is unset and nothing needs it (no OAuth, no stored secrets).
 * Never falls back to plaintext: stored rows without a key is a start-up error.
 */
export async function openAuthVaults(
  config: Config,
  store: Pick<Store, 'tokens' | 'db' | 'secrets'>,
): Promise<AuthVaults | null> {
  const tokenRepository = storeTokenRepository(store);
  const secretRepository = storeSecretRepository(store);
  if (config.TOKEN_ENCRYPTION_KEY === undefined) {
    const stored = (await tokenRepository.list()).length + (await store.secrets.listKeys()).length;
    if (config.GHL_CLIENT_ID !== undefined || stored > 0) {
      // parseKeyRing(undefined) throws the message that names the variable.
      parseKeyRing(undefined);
    }
    return null;
  }
  const keyRing = parseKeyRing(config.TOKEN_ENCRYPTION_KEY);
  const tokens = new TokenVault(tokenRepository, keyRing);
  const secrets = new SecretVault(secretRepository, keyRing);
  await tokens.assertReadable();
  await secrets.assertReadable();
  const reencrypted = (await tokens.reencryptStale()) + (await secrets.reencryptStale());
  return { keyRing, tokens, secrets, reencrypted };
}

interface ClientAuth {
  authenticate: Authenticator;
  mode: ClientAuthMode;
  /** Log it at start-up: says loudly when anonymous demo callers are allowed. */
  notice: string;
}

/**
 * @param demoLocationId the location anonymous callers act on in demo client auth (the demo
 *   simulator's, or GHL_LOCATION_ID); undefined when there is none.
 */
export async function createClientAuth(
  config: Config,
  store: Pick<Store, 'apiKeys'>,
  demoLocationId: string | undefined,
  options: { anonymousRefusal?: AuthenticatorDeps['anonymousRefusal'] } = {},
): Promise<ClientAuth> {
  const apiKeys = storeApiKeyRepository(store);
  const activeKeys = (await store.apiKeys.list()).length;
  const { mode, notice } = checkClientAuth(config, activeKeys, demoLocationId);
  if (mode !== 'required' && demoLocationId === undefined) {
    throw new ClientAuthConfigError(
      `Anonymous callers (CLIENT_AUTH=${mode}) need a location to act on: set GHL_LOCATION_ID, or CLIENT_AUTH=required to refuse them`,
    );
  }
  const authenticate = createAuthenticator({
    apiKeys,
    jwt: createJwtVerifier(jwtSettings(config)),
    mode,
    ...(demoLocationId !== undefined ? { demoLocationId } : {}),
    ...(options.anonymousRefusal ? { anonymousRefusal: options.anonymousRefusal } : {}),
  });
  return { authenticate, mode, notice };
}
