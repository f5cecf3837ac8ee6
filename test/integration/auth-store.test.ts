/**
 * Auth state in the real store (a SQLite file): after a full OAuth dance, a stored Roofr secret
 * and a new API key, the database files hold none of the tokens, secrets or keys in clear;
 * the CLI manages keys and shows status without printing secrets.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createApiKey } from '../../src/auth/api-keys.js';
import { createAuthenticator } from '../../src/auth/authenticate-request.js';
import { AuthError } from '../../src/auth/caller-identity.js';
import { generateKeyRingEntry, parseKeyRing } from '../../src/auth/key-ring.js';
import { KNOWN_SECRETS, SecretVault } from '../../src/auth/secret-vault.js';
import { storeApiKeyRepository, storeSecretRepository, storeTokenRepository } from '../../src/auth/store-adapters.js';
import { TokenVault } from '../../src/auth/token-vault.js';
import { parseAuthCommand, runAuthCommand } from '../../src/cli/auth-command.js';
import { openStore, type Store } from '../../src/store/open-store.js';
import { TTL_SEC, contactsStatus, install, startHarness } from './oauth-harness.js';

const run = promisify(execFile);

describe('auth state in the SQLite store', () => {
  let dir: string;
  let databaseUrl: string;
  let store: Store;
  const keyText = `${generateKeyRingEntry('k2')},${generateKeyRingEntry('k1')}`;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-auth-'));
    databaseUrl = `sqlite://${join(dir, 'gateway.db')}`;
    store = await openStore(databaseUrl);
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function databaseBytes(): Promise<string> {
    const files = await readdir(dir);
    const contents = await Promise.all(files.map((file) => readFile(join(dir, file))));
    return Buffer.concat(contents).toString('latin1');
  }

  it('when tokens, a secret and an API key are stored, then no token, secret or key appears in the database files', async () => {
    const keyRing = parseKeyRing(keyText);
    const harness = await startHarness({ repository: storeTokenRepository(store), keyRing });
    try {
      await install(harness);
      const first = await harness.vault.get('location', harness.sim.locationId);
      harness.sim.clock.advance(TTL_SEC * 1000);
      const renewed = await harness.provider.getToken(harness.sim.locationId);
      expect(await contactsStatus(harness, renewed.accessToken)).toBe(200);
      const second = await harness.vault.get('location', harness.sim.locationId);

      const secrets = new SecretVault(storeSecretRepository(store), keyRing);
      await secrets.set(KNOWN_SECRETS.roofrApiKey, 'roofr-live-api-key-0123456789');
      const { key } = await createApiKey(storeApiKeyRepository(store), {
        name: 'crm',
        locations: [harness.sim.locationId],
        roles: ['read'],
      });
      await store.close();

      const bytes = await databaseBytes();
      // The scan reads the data: clear columns are there.
      expect(bytes).toContain(harness.sim.locationId);
      expect(bytes).toContain('contacts.readonly');
      for (const secret of [
        first?.accessToken,
        first?.refreshToken,
        second?.accessToken,
        second?.refreshToken,
        'roofr-live-api-key-0123456789',
        key,
      ]) {
        expect(typeof secret).toBe('string');
        expect(bytes).not.toContain(secret as string);
      }

      // Reopened with the same ring, everything reads back.
      store = await openStore(databaseUrl);
      const reopened = new TokenVault(storeTokenRepository(store), keyRing);
      expect((await reopened.get('location', harness.sim.locationId))?.accessToken).toBe(second?.accessToken);
      expect(await new SecretVault(storeSecretRepository(store), keyRing).get(KNOWN_SECRETS.roofrApiKey)).toBe(
        'roofr-live-api-key-0123456789',
      );
      // With another key, start-up refuses instead of reading garbage.
      await expect(
        new TokenVault(storeTokenRepository(store), parseKeyRing(generateKeyRingEntry('k2'))).assertReadable(),
      ).rejects.toThrow(/TOKEN_ENCRYPTION_KEY/);
    } finally {
      await harness.close();
    }
  });

  it('when keys are managed through the CLI commands, then a created key authenticates, is listed without the key and stops after revoke; status shows the install without tokens', async () => {
    const keyRing = parseKeyRing(keyText);
    const lines: string[] = [];
    const deps = {
      tokens: storeTokenRepository(store),
      apiKeys: storeApiKeyRepository(store),
      secrets: storeSecretRepository(store),
      keyRing,
      installUrl: 'http://127.0.0.1:4000/oauth/install',
      scopes: ['contacts.readonly'],
      readStdin: async () => 'zapier-hook-url-secret\n',
      out: (line: string) => lines.push(line),
    };
    await runAuthCommand(
      parseAuthCommand(['api-key', 'create', '--name', 'crm', '--locations', 'LocA,LocB', '--roles', 'read,write']),
      deps,
    );
    const key = /Key \(shown only now.*\): (gk_\S+)/.exec(lines.join('\n'))?.[1];
    const id = /Created API key (\S+)/.exec(lines.join('\n'))?.[1];
    if (key === undefined || id === undefined) throw new Error(`no key printed: ${lines.join('\n')}`);

    const authenticate = createAuthenticator({ apiKeys: deps.apiKeys, jwt: null, mode: 'required' });
    const caller = await authenticate({ headers: { 'x-api-key': key, 'x-location-id': 'LocB' } });
    expect(caller).toMatchObject({ locationId: 'LocB', roles: ['read', 'write'] });

    lines.length = 0;
    await runAuthCommand(parseAuthCommand(['api-key', 'list']), deps);
    expect(lines.join('\n')).toContain(`${id}  crm  locations=LocA,LocB  roles=read,write`);
    expect(lines.join('\n')).not.toContain(key);

    await runAuthCommand(parseAuthCommand(['api-key', 'revoke', id]), deps);
    expect(await authenticate({ headers: { 'x-api-key': key } })).toBeInstanceOf(AuthError);

    lines.length = 0;
    await runAuthCommand(parseAuthCommand(['secret', 'set', KNOWN_SECRETS.roofrZapierHookUrl, '-']), deps);
    await runAuthCommand(parseAuthCommand(['secret', 'list']), deps);
    expect(lines.join('\n')).toContain('roofr.zapier_hook_url  (key k2)');
    expect(lines.join('\n')).not.toContain('zapier-hook-url-secret');
    expect(await new SecretVault(deps.secrets, keyRing).get(KNOWN_SECRETS.roofrZapierHookUrl)).toBe(
      'zapier-hook-url-secret',
    );

    const harness = await startHarness({ repository: deps.tokens, keyRing });
    try {
      await install(harness);
      const grant = await harness.vault.get('location', harness.sim.locationId);
      lines.length = 0;
      await runAuthCommand(parseAuthCommand(['status']), deps);
      const status = lines.join('\n');
      expect(status).toContain(`location ${harness.sim.locationId}`);
      expect(status).toContain('status:       active');
      expect(status).toContain('scopes:       contacts.readonly contacts.write');
      expect(status).toContain('encryption:   key k2, ok');
      expect(status).not.toContain(grant?.accessToken ?? 'missing');
      expect(status).not.toContain(grant?.refreshToken ?? 'missing');

      await runAuthCommand(parseAuthCommand(['revoke', harness.sim.locationId]), deps);
      expect(await harness.vault.get('location', harness.sim.locationId)).toBeNull();
    } finally {
      await harness.close();
    }
  });

  it('when the CLI runs as a process, then it creates a key in the database and prints it once', async () => {
    await store.close();
    const env = { ...process.env, DATABASE_URL: databaseUrl, TOKEN_ENCRYPTION_KEY: keyText, LOG_LEVEL: 'silent' };
    const created = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/auth.ts',
        'api-key',
        'create',
        '--name',
        'ops',
        '--locations',
        'LocA',
        '--roles',
        'sync-admin',
      ],
      { env },
    );
    const keys = created.stdout.match(/gk_[\w-]+/g) ?? [];
    expect(keys).toHaveLength(1);

    store = await openStore(databaseUrl);
    const listed = await storeApiKeyRepository(store).list();
    expect(listed).toMatchObject([{ name: 'ops', locations: ['LocA'], roles: ['sync-admin'], revokedAt: null }]);
    const authenticate = createAuthenticator({ apiKeys: storeApiKeyRepository(store), jwt: null, mode: 'required' });
    expect(await authenticate({ headers: { authorization: `Bearer ${keys[0]}` } })).toMatchObject({
      locationId: 'LocA',
      roles: ['sync-admin'],
    });
  });
});
