import { parseKeyRing, generateKeyRingEntry } from '../../src/auth/key-ring.js';
import { SecretVault } from '../../src/auth/secret-vault.js';
import { storeSecretRepository } from '../../src/auth/store-adapters.js';
import { openStore } from '../../src/store/open-store.js';
import {
  dataOf,
  gql,
  startWriteWorld,
  SYNC_FIELDS,
  type RoofrSyncAnswer,
  type WriteWorld,
} from './mutations-harness.js';

const KEY_RING = generateKeyRingEntry('k1');

async function storeSecret(world: WriteWorld, name: string, value: string): Promise<void> {
  const store = await openStore(world.databaseUrl);
  try {
    await new SecretVault(storeSecretRepository(store), parseKeyRing(KEY_RING)).set(name, value);
  } finally {
    await store.close();
  }
}

describe('Roofr credentials from the encrypted store', () => {
  let world: WriteWorld;
  beforeEach(async () => {
    world = await startWriteWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  it('when the Roofr API key is stored encrypted and not in the environment, then the REST adapter uses it and a write reaches Roofr', async () => {
    await storeSecret(world, 'roofr.api_key', world.roofrSim.apiKey);
    const gateway = await world.startGateway({
      ROOFR_ADAPTER: 'rest',
      ROOFR_API_BASE_URL: world.roofrSim.apiBaseUrl,
      TOKEN_ENCRYPTION_KEY: KEY_RING,
    });
    const answer = await gql(
      gateway,
      `mutation { createContact(input: { firstName: "Stored", lastName: "Key", email: "stored.key@example.com" }) { contact { id } ${SYNC_FIELDS} } }`,
    );
    const payload = dataOf<{ roofrSync: RoofrSyncAnswer }>(answer, 'createContact');
    expect(payload.roofrSync.status).toBe('SYNCED');
    expect(world.roofrSim.log.count('POST /v1/customers')).toBeGreaterThanOrEqual(1);
  });

  it('when the key is neither in the environment nor stored, then start-up stops naming ROOFR_API_KEY and the secret', async () => {
    await expect(
      world.startGateway({
        ROOFR_ADAPTER: 'rest',
        ROOFR_API_BASE_URL: world.roofrSim.apiBaseUrl,
        TOKEN_ENCRYPTION_KEY: KEY_RING,
      }),
    ).rejects.toThrow(/ROOFR_API_KEY[\s\S]*roofr\.api_key/);
  });
});
