/**
 * Trusted documents for first-party apps (issue 14, part 4), over real HTTP with real CLI
 * processes. Manifests in the two formats the ecosystem emits (GraphQL Code Generator's client
 * preset `persisted-documents.json`, Apollo's persisted query manifest) from a file and a
 * directory, plus documents registered with `npm run auth -- documents register` into the state
 * database that every replica reads. A client in trusted-only mode (its API key, or its JWT's
 * `documents` claim) runs documents by `documentId` (Hive, Relay), by
 * `extensions.persistedQuery.sha256Hash` (Apollo) or by their exact text, and nothing else:
 * an arbitrary document answers PERSISTED_QUERY_NOT_ALLOWED before it is even parsed, with no
 * upstream call, and the whole-response cache in front of Express cannot be used to get around
 * that. Automatic persisted queries keep working for allow-any clients, shared by replicas
 * through the cache store.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { ConfigError, parseConfig } from '../../src/config.js';
import { startGateway } from '../../src/gateway.js';
import { openStore } from '../../src/store/open-store.js';
import { codeOf, postJson, startSecurityWorld, type Answer, type SecurityWorld } from './security-harness.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const JWT_SECRET = 'security-suite-jwt-secret-of-32-chars';

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

// What the web app shipped with: two queries in the codegen manifest, one in Apollo's.
const CONTACT_LIST = 'query ContactList { contacts(first: 2) { totalCount edges { node { id name } } } }';
const CONTACT_COUNT = 'query ContactCount { contacts(first: 1) { totalCount } }';
const CONTACT_BY_ID = 'query ContactById($id: ID!) { contact(id: $id) { id name email } }';
// Registered later through the CLI.
const CONTACT_EMAILS = 'query ContactEmails { contacts(first: 3) { edges { node { email } } } }';
// Never shipped.
const ARBITRARY = '{ contacts(first: 50) { totalCount edges { node { id name email phone tags } } } }';

/** Runs `auth` CLI arguments (as `npm run auth -- …` does) with the world's state database. */
function authCli(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/auth.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`auth ${args.join(' ')} exited ${code}: ${out}`)),
    );
  });
}

describe('trusted documents', () => {
  let world: SecurityWorld;
  let manifestFile: string;
  let manifestDir: string;
  let web: string;
  let backend: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    world = await startSecurityWorld({ contacts: 8 });
    manifestFile = join(world.dir, 'persisted-documents.json');
    await writeFile(
      manifestFile,
      JSON.stringify({ [sha256(CONTACT_LIST)]: CONTACT_LIST, [sha256(CONTACT_COUNT)]: CONTACT_COUNT }),
    );
    manifestDir = join(world.dir, 'manifests');
    await mkdir(manifestDir);
    await writeFile(
      join(manifestDir, 'web.json'),
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [{ id: sha256(CONTACT_BY_ID), name: 'ContactById', type: 'query', body: CONTACT_BY_ID }],
      }),
    );
    web = await world.apiKey({ roles: ['read', 'write'], name: 'web', documents: 'trusted-only' });
    backend = await world.apiKey({ roles: ['read', 'write'], name: 'backend' });
    env = { TRUSTED_DOCUMENTS: `${manifestFile},${manifestDir}` };
  });

  afterAll(async () => {
    await world.close();
  });

  it('when a trusted-only client sends a document it did not ship (plain, a typo, a mutation, an APQ registration or hash), then PERSISTED_QUERY_NOT_ALLOWED before parsing and no upstream call', async () => {
    const gateway = await world.start(env);
    const headers = { 'x-api-key': web };
    // Another client registers ARBITRARY through APQ: a trusted-only client may not borrow it.
    const registered = await postJson(
      gateway.graphqlUrl,
      { query: ARBITRARY, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(ARBITRARY) } } },
      { 'x-api-key': backend },
    );
    expect(registered.body.errors).toBeUndefined();

    const before = world.sim.log.total();
    // Status and code as Apollo answers them: an unknown Apollo hash is 200 PERSISTED_QUERY_NOT_FOUND,
    // which Apollo Client answers with the full text (then refused); everything else a 400.
    const attempts: Array<[string, unknown, string, number?]> = [
      ['plain query', { query: ARBITRARY }, 'PERSISTED_QUERY_NOT_ALLOWED'],
      ['unknown field (never parsed)', { query: '{ contacts(first: 1) { emial } }' }, 'PERSISTED_QUERY_NOT_ALLOWED'],
      [
        'mutation',
        { query: 'mutation { createContact(input: { email: "x@example.com" }) { contact { id } } }' },
        'PERSISTED_QUERY_NOT_ALLOWED',
      ],
      [
        'APQ registration',
        { query: ARBITRARY, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(ARBITRARY) } } },
        'PERSISTED_QUERY_NOT_ALLOWED',
      ],
      [
        'APQ hash another client registered',
        { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(ARBITRARY) } } },
        'PERSISTED_QUERY_NOT_FOUND',
        200,
      ],
      ['unknown documentId', { documentId: sha256('query Nope { __typename }') }, 'PERSISTED_QUERY_NOT_FOUND'],
      ['trusted text one byte off', { query: `${CONTACT_LIST} ` }, 'PERSISTED_QUERY_NOT_ALLOWED'],
    ];
    for (const [what, body, code, status = 400] of attempts) {
      const answer = await postJson(gateway.graphqlUrl, body, headers);
      expect({ what, status: answer.status, code: codeOf(answer), data: answer.body.data ?? null }).toEqual({
        what,
        status,
        code,
        data: null,
      });
    }
    expect(world.sim.log.total()).toBe(before);
    // Observable like every other refusal: counted by code.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/gateway_graphql_errors_total\{[^}]*code="PERSISTED_QUERY_NOT_ALLOWED"[^}]*\} 5/);
  });

  it('when a trusted-only client sends documentId, an Apollo hash or the exact text of a shipped document, then it runs, from the codegen manifest file and the Apollo manifest directory', async () => {
    const gateway = await world.start(env);
    const headers = { 'x-api-key': web };
    const [contactId] = world.sim.data.listContactIds();
    const runs: Array<[string, unknown]> = [
      ['documentId (codegen manifest)', { documentId: sha256(CONTACT_LIST) }],
      ['documentId with the sha256: prefix', { documentId: `sha256:${sha256(CONTACT_COUNT)}` }],
      [
        'Apollo hash (codegen manifest)',
        { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(CONTACT_COUNT) } } },
      ],
      [
        'Apollo hash with variables (Apollo manifest)',
        {
          operationName: 'ContactById',
          variables: { id: contactId },
          extensions: { persistedQuery: { version: 1, sha256Hash: sha256(CONTACT_BY_ID) } },
        },
      ],
      ['exact text', { query: CONTACT_LIST }],
    ];
    for (const [what, body] of runs) {
      const answer = await postJson(gateway.graphqlUrl, body, headers);
      expect({ what, status: answer.status, errors: answer.body.errors }).toEqual({
        what,
        status: 200,
        errors: undefined,
      });
      expect(answer.body.data).not.toBeNull();
    }
    // An allow-any client still runs anything, and may use documentId too.
    expect(
      (await postJson(gateway.graphqlUrl, { query: ARBITRARY }, { 'x-api-key': backend })).body.errors,
    ).toBeUndefined();
    expect(
      (await postJson(gateway.graphqlUrl, { documentId: sha256(CONTACT_LIST) }, { 'x-api-key': backend })).body.errors,
    ).toBeUndefined();
  });

  it('when documents are registered with the CLI, then every replica on the state database serves them, and the key can be switched to trusted-only', async () => {
    const replicaA = await world.start(env);
    const replicaB = await world.start(env);
    const cliEnv = { DATABASE_URL: world.databaseUrl };
    const emails = join(world.dir, 'emails.json');
    await writeFile(emails, JSON.stringify({ [sha256(CONTACT_EMAILS)]: CONTACT_EMAILS }));

    const refusedFirst = await postJson(
      replicaB.graphqlUrl,
      { documentId: sha256(CONTACT_EMAILS) },
      { 'x-api-key': web },
    );
    expect(codeOf(refusedFirst)).toBe('PERSISTED_QUERY_NOT_FOUND');

    const output = await authCli(['documents', 'register', emails, '--app', 'web'], cliEnv);
    expect(output).toMatch(/Registered 1 document/);
    // A document the schema cannot run is refused at registration, naming it.
    const stale = join(world.dir, 'stale.json');
    await writeFile(stale, JSON.stringify({ [sha256('{ noSuchField }')]: '{ noSuchField }' }));
    await expect(authCli(['documents', 'register', stale], cliEnv)).rejects.toThrow(/noSuchField/);

    for (const replica of [replicaA, replicaB]) {
      let answer: Answer | undefined;
      // A replica that looked the id up before may remember the miss for a few seconds.
      for (let attempt = 0; attempt < 40; attempt += 1) {
        answer = await postJson(replica.graphqlUrl, { documentId: sha256(CONTACT_EMAILS) }, { 'x-api-key': web });
        if (answer.body.errors === undefined) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(answer?.body.errors).toBeUndefined();
      expect(answer?.body.data?.['contacts']).toBeDefined();
    }
    expect(await authCli(['documents', 'list'], cliEnv)).toContain(sha256(CONTACT_EMAILS));

    // The backend key becomes trusted-only: arbitrary documents stop at once on both replicas.
    const keys = await authCli(['api-key', 'list'], cliEnv);
    const backendId = /^(key_\w+)\s+backend\b/m.exec(keys)?.[1] ?? '';
    expect(backendId).not.toBe('');
    await authCli(['api-key', 'documents', backendId, 'trusted-only'], cliEnv);
    for (const replica of [replicaA, replicaB])
      expect(codeOf(await postJson(replica.graphqlUrl, { query: ARBITRARY }, { 'x-api-key': backend }))).toBe(
        'PERSISTED_QUERY_NOT_ALLOWED',
      );
    await authCli(['api-key', 'documents', backendId, 'default'], cliEnv);
  });

  it('when an allow-any client uses automatic persisted queries, then a hash registered on one replica is served by the other through the shared cache store', async () => {
    const shared = { ...env, CACHE_URL: `sqlite://${join(world.dir, 'shared-cache.db')}` };
    const replicaA = await world.start(shared);
    const replicaB = await world.start(shared);
    const query = 'query Apq { contacts(first: 4) { totalCount } }';
    const hashOnly = { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };
    const headers = { 'x-api-key': backend };

    const miss = await postJson(replicaB.graphqlUrl, hashOnly, headers);
    expect(codeOf(miss)).toBe('PERSISTED_QUERY_NOT_FOUND');
    const register = await postJson(replicaA.graphqlUrl, { query, ...hashOnly }, headers);
    expect(register.body.errors).toBeUndefined();
    // Apollo stores the text without waiting for the store (the answer goes out first): poll briefly.
    let served = await postJson(replicaB.graphqlUrl, hashOnly, headers);
    for (let attempt = 0; attempt < 20 && served.body.errors !== undefined; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      served = await postJson(replicaB.graphqlUrl, hashOnly, headers);
    }
    expect(served.body.errors).toBeUndefined();
    expect(served.body.data).toEqual(register.body.data);
  });

  it('when a trusted-only client repeats a document, then the whole-response cache answers documentId requests, but never an arbitrary document it answered before the key became trusted-only', async () => {
    const gateway = await world.start(env);
    const repeat = async (body: unknown, headers: Record<string, string>): Promise<Answer> => {
      let answer = await postJson(gateway.graphqlUrl, body, headers);
      for (let attempt = 0; attempt < 4 && answer.body.extensions?.['responseCache'] === undefined; attempt += 1)
        answer = await postJson(gateway.graphqlUrl, body, headers);
      return answer;
    };
    const byId = await repeat({ documentId: sha256(CONTACT_LIST) }, { 'x-api-key': web });
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.extensions?.['responseCache']).toMatchObject({ hit: true });

    // A key answered ARBITRARY from the response cache while allow-any; then it turns trusted-only.
    const switching = await world.apiKey({ roles: ['read'], name: 'switching' });
    const cached = await repeat({ query: ARBITRARY }, { 'x-api-key': switching });
    expect(cached.body.extensions?.['responseCache']).toMatchObject({ hit: true });
    const keys = await authCli(['api-key', 'list'], { DATABASE_URL: world.databaseUrl });
    const switchingId = /^(key_\w+)\s+switching\b/m.exec(keys)?.[1] ?? '';
    await authCli(['api-key', 'documents', switchingId, 'trusted-only'], { DATABASE_URL: world.databaseUrl });
    const refused = await postJson(gateway.graphqlUrl, { query: ARBITRARY }, { 'x-api-key': switching });
    expect(codeOf(refused)).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    expect(refused.body.data ?? null).toBeNull();
  });

  it("when a JWT's documents claim says trusted-only, or TRUSTED_DOCUMENTS_DEFAULT_MODE does for callers naming none, then only trusted documents run", async () => {
    const gateway = await world.start({
      ...env,
      JWT_SECRET,
      TRUSTED_DOCUMENTS_DEFAULT_MODE: 'trusted-only',
      CLIENT_AUTH: 'anonymous-read',
    });
    const now = Math.floor(Date.now() / 1000);
    const jwt = (claims: Record<string, unknown>) =>
      new SignJWT({ locations: [world.sim.locationId], roles: ['read'], ...claims })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('web-user')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode(JWT_SECRET));
    const trustedJwt = { authorization: `Bearer ${await jwt({ documents: 'trusted-only' })}` };
    const openJwt = { authorization: `Bearer ${await jwt({ documents: 'allow-any' })}` };
    const defaultJwt = { authorization: `Bearer ${await jwt({})}` };

    expect(codeOf(await postJson(gateway.graphqlUrl, { query: ARBITRARY }, trustedJwt))).toBe(
      'PERSISTED_QUERY_NOT_ALLOWED',
    );
    expect(
      (await postJson(gateway.graphqlUrl, { documentId: sha256(CONTACT_COUNT) }, trustedJwt)).body.errors,
    ).toBeUndefined();
    expect((await postJson(gateway.graphqlUrl, { query: ARBITRARY }, openJwt)).body.errors).toBeUndefined();
    // No claim, and no credentials at all: the default mode.
    expect(codeOf(await postJson(gateway.graphqlUrl, { query: ARBITRARY }, defaultJwt))).toBe(
      'PERSISTED_QUERY_NOT_ALLOWED',
    );
    expect(codeOf(await postJson(gateway.graphqlUrl, { query: ARBITRARY }))).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    expect((await postJson(gateway.graphqlUrl, { documentId: sha256(CONTACT_COUNT) })).body.errors).toBeUndefined();
    // A key made without a mode follows the default; one made allow-any does not.
    expect(codeOf(await postJson(gateway.graphqlUrl, { query: ARBITRARY }, { 'x-api-key': backend }))).toBe(
      'PERSISTED_QUERY_NOT_ALLOWED',
    );
  });

  it('when the state database does not answer, then a registered document answers 503 SERVICE_UNAVAILABLE (never "not trusted"), manifest documents still run, and GET by documentId works', async () => {
    const store = await openStore(world.databaseUrl);
    await store.trustedDocuments.register(
      [
        {
          id: sha256(CONTACT_EMAILS),
          sha256: sha256(CONTACT_EMAILS),
          body: CONTACT_EMAILS,
          operationName: 'ContactEmails',
        },
      ],
      'web',
    );
    await store.close();
    const gateway = await world.start({ ...env, JWT_SECRET });
    // A JWT caller: its identity does not need the database, so only the document lookup fails.
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ locations: [world.sim.locationId], roles: ['read'], documents: 'trusted-only' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('web-user')
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const headers = { authorization: `Bearer ${token}` };
    const get = await fetch(`${gateway.graphqlUrl}?documentId=${sha256(CONTACT_COUNT)}`, {
      headers: { ...headers, 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { errors?: unknown }).errors).toBeUndefined();

    await gateway.writePath.store.close();
    const registered = await postJson(gateway.graphqlUrl, { documentId: sha256(CONTACT_EMAILS) }, headers);
    expect({ status: registered.status, code: codeOf(registered) }).toEqual({
      status: 503,
      code: 'SERVICE_UNAVAILABLE',
    });
    const fromManifest = await postJson(gateway.graphqlUrl, { documentId: sha256(CONTACT_LIST) }, headers);
    expect(fromManifest.body.errors).toBeUndefined();
  });

  it('when a manifest cannot be read or is in no known format, then the gateway does not start and names the file', async () => {
    const broken = join(world.dir, 'broken.json');
    await writeFile(broken, JSON.stringify({ operations: 'not a manifest' }));
    const attempt = startGateway(parseConfig({ ...world.env, TRUSTED_DOCUMENTS: broken }));
    await expect(attempt).rejects.toThrow(broken);
    expect(() => parseConfig({ ...world.env, TRUSTED_DOCUMENTS_DEFAULT_MODE: 'trusted-sometimes' })).toThrow(
      ConfigError,
    );
  });
});
