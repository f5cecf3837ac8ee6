/**
 * An API key made in a gateway's state database before (or while) it runs, the way an operator
 * does with `npm run auth -- api-key create`: with HighLevel credentials configured, every caller
 * needs one. Defaults to every role on the given locations. Several databases (replicas that do
 * not share one) get the same key.
 */
import { createApiKey, hashApiKey } from '../../src/auth/api-keys.js';
import { ROLES, type Role } from '../../src/auth/caller-identity.js';
import { storeApiKeyRepository } from '../../src/auth/store-adapters.js';
import { openStore } from '../../src/store/open-store.js';

export async function createTestApiKey(
  databaseUrls: string | string[],
  locations: string[],
  roles: Role[] = [...ROLES],
): Promise<string> {
  const [first, ...rest] = Array.isArray(databaseUrls) ? databaseUrls : [databaseUrls];
  if (first === undefined) throw new Error('createTestApiKey needs a database URL');
  const store = await openStore(first);
  let created;
  try {
    created = await createApiKey(storeApiKeyRepository(store), { name: 'tests', locations, roles });
  } finally {
    await store.close();
  }
  for (const url of rest) {
    const other = await openStore(url);
    try {
      await storeApiKeyRepository(other).insert({ ...created.record, keyHash: hashApiKey(created.key) });
    } finally {
      await other.close();
    }
  }
  return created.key;
}
