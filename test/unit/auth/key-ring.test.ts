import { KeyRingError, generateKeyRingEntry, parseKeyRing } from '../../../src/auth/key-ring.js';
import { InMemoryOAuthTokenRepository, TokenVault } from '../../../src/auth/token-vault.js';
import { InMemorySecretRepository, SecretVault } from '../../../src/auth/secret-vault.js';
import { parseConfig } from '../../../src/config.js';

const k1 = generateKeyRingEntry('k1');
const k2 = generateKeyRingEntry('k2');

function grant(accessToken: string) {
  return {
    subjectKind: 'location' as const,
    subjectId: 'Loc1',
    companyId: null,
    accessToken,
    refreshToken: 'rt-secret',
    userType: 'Location' as const,
    approvedLocations: [],
    userId: null,
    scopes: ['contacts.readonly'],
    expiresAt: new Date('2030-01-01T00:00:00Z'),
    lastRefreshAt: null,
  };
}

describe('key ring', () => {
  it('when a value is sealed, then it opens to the same text and the ciphertext does not contain it', () => {
    const ring = parseKeyRing(k1);
    const sealed = ring.seal('access-token-plain');
    expect(sealed.keyId).toBe('k1');
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('utf8')).not.toContain('access-token-plain');
    expect(ring.open(sealed)).toBe('access-token-plain');
  });

  it('when the same text is sealed twice, then the ciphertexts differ (fresh IV)', () => {
    const ring = parseKeyRing(k1);
    expect(ring.seal('x').ciphertext === ring.seal('x').ciphertext && ring.seal('x').iv === ring.seal('x').iv).toBe(
      false,
    );
  });

  it('when the ring is rotated to k2,k1, then old values still open and new ones use k2', () => {
    const old = parseKeyRing(k1).seal('secret');
    const rotated = parseKeyRing(`${k2},${k1}`);
    expect(rotated.open(old)).toBe('secret');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.seal('secret').keyId).toBe('k2');
  });

  it('when the key for an id is wrong, then opening fails naming TOKEN_ENCRYPTION_KEY, never returning plaintext', () => {
    const sealed = parseKeyRing(k1).seal('secret');
    const impostor = parseKeyRing(generateKeyRingEntry('k1'));
    expect(() => impostor.open(sealed)).toThrow(KeyRingError);
    expect(() => impostor.open(sealed)).toThrow(/TOKEN_ENCRYPTION_KEY/);
  });

  it('when the key id of a row was swapped, then authentication fails', () => {
    const ring = parseKeyRing(`${k2},${k1}`);
    const sealed = ring.seal('secret');
    expect(() => ring.open({ ...sealed, keyId: 'k1' })).toThrow(KeyRingError);
  });

  it('when the variable is missing or malformed, then the error names it', () => {
    expect(() => parseKeyRing(undefined)).toThrow(/TOKEN_ENCRYPTION_KEY is not set/);
    expect(() => parseKeyRing('nocolon')).toThrow(/TOKEN_ENCRYPTION_KEY: entry 1/);
    expect(() => parseKeyRing('k1:c2hvcnQ=')).toThrow(/32 bytes/);
    expect(() => parseKeyRing(`${k1},${k1}`)).toThrow(/appears twice/);
  });

  it('when OAuth is configured without a key or with a bad one, then parseConfig lists the problem', () => {
    const base = {
      GHL_CLIENT_ID: 'id',
      GHL_CLIENT_SECRET: 'secret',
      GHL_REDIRECT_URI: 'https://gw.example/oauth/callback',
    };
    expect(() => parseConfig(base)).toThrow(/TOKEN_ENCRYPTION_KEY: required with GHL_CLIENT_ID/);
    expect(() => parseConfig({ ...base, TOKEN_ENCRYPTION_KEY: 'k1:short' })).toThrow(/TOKEN_ENCRYPTION_KEY/);
    expect(parseConfig({ ...base, TOKEN_ENCRYPTION_KEY: k1 }).GHL_CLIENT_ID).toBe('id');
  });
});

describe('token vault', () => {
  it('when grants are stored, then rows hold no token in clear and read back intact', async () => {
    const repository = new InMemoryOAuthTokenRepository();
    const vault = new TokenVault(repository, parseKeyRing(k1));
    await vault.put(grant('at-very-secret'));
    const [row] = await repository.list();
    expect(JSON.stringify(row)).not.toContain('at-very-secret');
    expect(JSON.stringify(row)).not.toContain('rt-secret');
    expect((await vault.get('location', 'Loc1'))?.accessToken).toBe('at-very-secret');
  });

  it('when the key rotates, then reencryptStale moves every row to the new key and they still open', async () => {
    const repository = new InMemoryOAuthTokenRepository();
    await new TokenVault(repository, parseKeyRing(k1)).put(grant('at-1'));
    const rotated = new TokenVault(repository, parseKeyRing(`${k2},${k1}`));
    expect(await rotated.reencryptStale()).toBe(1);
    expect((await repository.list())[0]?.key_id).toBe('k2');
    expect(await rotated.reencryptStale()).toBe(0);
    // k1 can now be dropped.
    expect((await new TokenVault(repository, parseKeyRing(k2)).get('location', 'Loc1'))?.accessToken).toBe('at-1');
  });

  it('when the store was written with another key, then assertReadable stops start-up naming the variable', async () => {
    const repository = new InMemoryOAuthTokenRepository();
    await new TokenVault(repository, parseKeyRing(k1)).put(grant('at-1'));
    await expect(new TokenVault(repository, parseKeyRing(k2)).assertReadable()).rejects.toThrow(
      /TOKEN_ENCRYPTION_KEY has no key "k1"/,
    );
  });

  it('when two refreshes race on the same version, then only one swap wins', async () => {
    const vault = new TokenVault(new InMemoryOAuthTokenRepository(), parseKeyRing(k1));
    const stored = await vault.put(grant('at-1'));
    const first = await vault.swap(stored, { ...grant('at-2') });
    const second = await vault.swap(stored, { ...grant('at-3') });
    expect(first?.version).toBe(stored.version + 1);
    expect(second).toBeNull();
    expect((await vault.get('location', 'Loc1'))?.accessToken).toBe('at-2');
  });
});

describe('secret vault', () => {
  it('when a Roofr secret is set, then it reads back, is listed by name only and is sealed at rest', async () => {
    const repository = new InMemorySecretRepository();
    const vault = new SecretVault(repository, parseKeyRing(k1));
    await vault.set('roofr.api_key', 'roofr-live-key');
    expect(await vault.get('roofr.api_key')).toBe('roofr-live-key');
    expect(JSON.stringify(await vault.names())).not.toContain('roofr-live-key');
    expect(JSON.stringify(await repository.list())).not.toContain('roofr-live-key');
    await expect(vault.set('Bad Name', 'x')).rejects.toThrow(/Secret names/);
  });
});
