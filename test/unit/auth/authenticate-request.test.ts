import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createServer } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { InMemoryApiKeyRepository, createApiKey, hashApiKey } from '../../../src/auth/api-keys.js';
import { createAuthenticator } from '../../../src/auth/authenticate-request.js';
import { AuthError, assertRole, type CallerIdentity } from '../../../src/auth/caller-identity.js';
import { checkClientAuth, ClientAuthConfigError } from '../../../src/auth/client-auth-policy.js';
import { createJwtVerifier } from '../../../src/auth/jwt-verifier.js';
import { parseConfig } from '../../../src/config.js';

const SECRET = 'a-test-secret-that-is-at-least-32-chars';

async function hsToken(claims: Record<string, unknown>, secret = SECRET, expiresIn = '5m'): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

function expectCaller(result: CallerIdentity | AuthError): CallerIdentity {
  if (result instanceof AuthError) throw new Error(`expected a caller, got ${result.code}: ${result.message}`);
  return result;
}

function expectError(result: CallerIdentity | AuthError, code: string): AuthError {
  if (!(result instanceof AuthError)) throw new Error(`expected ${code}, got caller ${result.subject}`);
  expect(result.code).toBe(code);
  return result;
}

describe('authenticateRequest with API keys', () => {
  it('when a key is created, then only its hash is stored and the key authenticates for its location', async () => {
    const repository = new InMemoryApiKeyRepository();
    const { key, record } = await createApiKey(repository, { name: 'crm', locations: ['LocA'], roles: ['read'] });
    expect(key).toMatch(/^gk_[\w-]{40,}$/);
    expect(JSON.stringify(await repository.list())).not.toContain(key);
    expect(await repository.findByHash(hashApiKey(key))).toMatchObject({ id: record.id });

    const authenticate = createAuthenticator({ apiKeys: repository, jwt: null, mode: 'required' });
    const viaHeader = expectCaller(await authenticate({ headers: { 'x-api-key': key } }));
    expect(viaHeader).toEqual({
      subject: record.id,
      kind: 'api-key',
      locations: ['LocA'],
      roles: ['read'],
      locationId: 'LocA',
    });
    const viaBearer = expectCaller(await authenticate({ headers: { authorization: `Bearer ${key}` } }));
    expect(viaBearer.locationId).toBe('LocA');
  });

  it('when a key for location A asks for location B, then it is FORBIDDEN', async () => {
    const repository = new InMemoryApiKeyRepository();
    const { key } = await createApiKey(repository, { name: 'crm', locations: ['LocA'], roles: ['read', 'write'] });
    const authenticate = createAuthenticator({ apiKeys: repository, jwt: null, mode: 'demo', demoLocationId: 'LocB' });
    expectError(await authenticate({ headers: { 'x-api-key': key, 'x-location-id': 'LocB' } }), 'FORBIDDEN');
  });

  it('when a key has several locations and no x-location-id is sent, then the caller must choose', async () => {
    const repository = new InMemoryApiKeyRepository();
    const { key } = await createApiKey(repository, { name: 'crm', locations: ['LocA', 'LocB'], roles: ['read'] });
    const authenticate = createAuthenticator({ apiKeys: repository, jwt: null, mode: 'required' });
    expectError(await authenticate({ headers: { 'x-api-key': key } }), 'BAD_REQUEST');
    expect(
      expectCaller(await authenticate({ headers: { 'x-api-key': key, 'x-location-id': 'LocB' } })).locationId,
    ).toBe('LocB');
  });

  it('when a key is revoked or unknown, then it is UNAUTHENTICATED even in demo mode', async () => {
    const repository = new InMemoryApiKeyRepository();
    const { key, record } = await createApiKey(repository, { name: 'crm', locations: ['LocA'], roles: ['read'] });
    await repository.revoke(record.id, new Date().toISOString());
    const authenticate = createAuthenticator({ apiKeys: repository, jwt: null, mode: 'demo', demoLocationId: 'LocA' });
    expectError(await authenticate({ headers: { 'x-api-key': key } }), 'UNAUTHENTICATED');
    expectError(await authenticate({ headers: { 'x-api-key': `gk_${'x'.repeat(43)}` } }), 'UNAUTHENTICATED');
  });

  it('when no credentials are sent, then demo mode yields the demo caller, anonymous-read a reader and required mode refuses', async () => {
    const repository = new InMemoryApiKeyRepository();
    const demo = createAuthenticator({ apiKeys: repository, jwt: null, mode: 'demo', demoLocationId: 'DemoLoc' });
    expect(expectCaller(await demo({ headers: {} }))).toEqual({
      subject: 'demo',
      kind: 'demo',
      locations: ['DemoLoc'],
      roles: ['read', 'write', 'sync-admin', 'trace'],
      locationId: 'DemoLoc',
    });
    expectError(await demo({ headers: { 'x-location-id': 'OtherLoc' } }), 'FORBIDDEN');
    const required = createAuthenticator({ apiKeys: repository, jwt: null, mode: 'required' });
    expectError(await required({ headers: {} }), 'UNAUTHENTICATED');
    const reader = createAuthenticator({
      apiKeys: repository,
      jwt: null,
      mode: 'anonymous-read',
      demoLocationId: 'DemoLoc',
    });
    expect(expectCaller(await reader({ headers: {} }))).toEqual({
      subject: 'anonymous',
      kind: 'anonymous',
      locations: ['DemoLoc'],
      roles: ['read'],
      locationId: 'DemoLoc',
    });
  });

  it('when a caller lacks a role, then assertRole is FORBIDDEN', () => {
    const caller: CallerIdentity = {
      subject: 'k',
      kind: 'api-key',
      locations: ['L'],
      roles: ['read'],
      locationId: 'L',
    };
    expect(() => assertRole(caller, 'read')).not.toThrow();
    expect(() => assertRole(caller, 'write')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});

describe('authenticateRequest with JWTs', () => {
  const apiKeys = new InMemoryApiKeyRepository();

  it('when an HS256 JWT carries locations and roles, then it authenticates; a wrong signature, expiry or missing claims do not', async () => {
    const jwt = createJwtVerifier({ secret: SECRET, issuer: 'idp', audience: 'gateway' });
    const authenticate = createAuthenticator({ apiKeys, jwt, mode: 'required' });
    const claims = { locations: ['LocA'], roles: ['read', 'write'], iss: 'idp', aud: 'gateway' };

    const caller = expectCaller(await authenticate({ headers: { authorization: `Bearer ${await hsToken(claims)}` } }));
    expect(caller).toEqual({
      subject: 'user-1',
      kind: 'jwt',
      locations: ['LocA'],
      roles: ['read', 'write'],
      locationId: 'LocA',
    });

    expectError(
      await authenticate({
        headers: { authorization: `Bearer ${await hsToken(claims, 'another-secret-that-is-32-chars-long!!')}` },
      }),
      'UNAUTHENTICATED',
    );
    expectError(
      await authenticate({ headers: { authorization: `Bearer ${await hsToken(claims, SECRET, '-1m')}` } }),
      'UNAUTHENTICATED',
    );
    expectError(
      await authenticate({ headers: { authorization: `Bearer ${await hsToken({ ...claims, aud: 'other' })}` } }),
      'UNAUTHENTICATED',
    );
    expectError(
      await authenticate({
        headers: { authorization: `Bearer ${await hsToken({ roles: ['read'], iss: 'idp', aud: 'gateway' })}` },
      }),
      'UNAUTHENTICATED',
    );
    expectError(
      await authenticate({ headers: { authorization: `Bearer ${await hsToken({ ...claims, roles: ['root'] })}` } }),
      'UNAUTHENTICATED',
    );
    expectError(
      await authenticate({ headers: { authorization: `Bearer ${await hsToken(claims)}`, 'x-location-id': 'LocB' } }),
      'FORBIDDEN',
    );
    expectError(await authenticate({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }), 'UNAUTHENTICATED');
  });

  it('when the JWT is RS256 and the verifier reads a JWKS over HTTP, then it authenticates', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [jwk] }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const jwt = createJwtVerifier({
        jwksUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`,
      });
      const authenticate = createAuthenticator({ apiKeys, jwt, mode: 'required' });
      const token = await new SignJWT({ locations: ['LocA'], roles: ['sync-admin'] })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject('svc')
        .setExpirationTime('5m')
        .sign(privateKey);
      expect(expectCaller(await authenticate({ headers: { authorization: `Bearer ${token}` } })).roles).toEqual([
        'sync-admin',
      ]);
      // An HS256 token "signed" with the public key must not pass (algorithm confusion).
      expectError(
        await authenticate({
          headers: { authorization: `Bearer ${await hsToken({ locations: ['LocA'], roles: ['read'] })}` },
        }),
        'UNAUTHENTICATED',
      );
    } finally {
      server.close();
    }
  });
});

describe('client auth start-up policy', () => {
  it('when production has no JWT and no API key, then start-up is refused; with one it starts', () => {
    const production = parseConfig({ NODE_ENV: 'production' });
    expect(() => checkClientAuth(production, 0)).toThrow(ClientAuthConfigError);
    expect(checkClientAuth(production, 1).mode).toBe('required');
    expect(checkClientAuth(parseConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }), 0).mode).toBe('required');
    expect(() => parseConfig({ NODE_ENV: 'production', CLIENT_AUTH: 'demo' })).toThrow(
      /CLIENT_AUTH=demo is refused in production/,
    );
  });

  it('when developing without auth settings, then the mode is demo and the notice says so', () => {
    const result = checkClientAuth(parseConfig({}), 0, 'DemoLoc');
    expect(result.mode).toBe('demo');
    expect(result.notice).toMatch(/DEMO mode.*DemoLoc/);
  });
});
