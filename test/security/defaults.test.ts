/**
 * Safe defaults outside demo mode (issue 14, part 1), over real HTTP: with HighLevel credentials
 * configured and NODE_ENV unset, a caller without credentials is refused before anything is read
 * upstream; CLIENT_AUTH=anonymous-read is the only anonymous opt-in and grants reading only;
 * "every role for anyone" (CLIENT_AUTH=demo) is refused outside demo mode; the gateway listens on
 * loopback unless HOST says otherwise, and the Docker image says otherwise.
 */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { ConfigError, parseConfig } from '../../src/config.js';
import { codeOf, gql, startSecurityWorld, type SecurityWorld } from './security-harness.js';

const CONTACTS = '{ contacts(first: 2) { totalCount edges { node { id name } } } }';
const DEAD_LETTERS = '{ deadLetters(first: 5) { edges { node { id } } } }';
const CREATE = 'mutation { createContact(input: { email: "intruder@example.com" }) { contact { id } } }';

/** An IPv4 address of this machine that is not loopback, if it has one. */
function externalAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces()))
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  return undefined;
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

describe('safe defaults with HighLevel credentials (no NODE_ENV)', () => {
  let world: SecurityWorld;

  beforeAll(async () => {
    world = await startSecurityWorld();
  });

  afterAll(async () => {
    await world.close();
  });

  it('when a caller sends no credentials, then contacts, dead letters and mutations answer 401 UNAUTHENTICATED and nothing reaches HighLevel', async () => {
    const gateway = await world.start();
    const before = world.sim.log.total();
    for (const query of [CONTACTS, DEAD_LETTERS, CREATE]) {
      const answer = await gql(gateway.graphqlUrl, query);
      expect(answer.status).toBe(401);
      expect(codeOf(answer)).toBe('UNAUTHENTICATED');
      expect(answer.body.data ?? null).toBeNull();
    }
    expect(world.sim.log.total()).toBe(before);
    expect(gateway.clientAuth.mode).toBe('required');
    // The start-up notice tells the operator how to make a key.
    expect(gateway.clientAuth.notice).toContain(
      `npm run auth -- api-key create --name app --locations ${world.sim.locationId}`,
    );
  });

  it('when CLIENT_AUTH=anonymous-read, then an anonymous caller reads contacts but mutations and dead letters are FORBIDDEN', async () => {
    const gateway = await world.start({ CLIENT_AUTH: 'anonymous-read' });
    const read = await gql(gateway.graphqlUrl, CONTACTS);
    expect(read.status).toBe(200);
    expect(read.body.errors).toBeUndefined();
    expect((read.body.data?.contacts as { totalCount: number }).totalCount).toBe(5);

    const writesBefore = world.sim.log.count('POST', '/contacts/');
    const write = await gql(gateway.graphqlUrl, CREATE);
    expect(codeOf(write)).toBe('FORBIDDEN');
    expect(world.sim.log.count('POST', '/contacts/')).toBe(writesBefore);
    const dead = await gql(gateway.graphqlUrl, DEAD_LETTERS);
    expect(codeOf(dead)).toBe('FORBIDDEN');
  });

  it('when CLIENT_AUTH=demo is set with a Private Integration Token or an OAuth app, then the configuration is refused naming CLIENT_AUTH=anonymous-read', () => {
    const attempt = (env: Record<string, string>) => () => parseConfig({ ...env, CLIENT_AUTH: 'demo' });
    expect(attempt(world.env)).toThrow(ConfigError);
    expect(attempt(world.env)).toThrow(/CLIENT_AUTH=demo is only for demo mode.*CLIENT_AUTH=anonymous-read/);
    expect(
      attempt({
        GHL_CLIENT_ID: 'app',
        GHL_CLIENT_SECRET: 'secret',
        GHL_REDIRECT_URI: 'http://127.0.0.1:4000/oauth/callback',
        TOKEN_ENCRYPTION_KEY: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      }),
    ).toThrow(/CLIENT_AUTH=demo is only for demo mode/);
    // Demo mode on the embedded simulators keeps it.
    expect(parseConfig({ CLIENT_AUTH: 'demo' }).CLIENT_AUTH).toBe('demo');
  });

  it('when HOST is unset, then the gateway listens on loopback only: another interface of the machine is refused', async () => {
    expect(parseConfig({}).HOST).toBe('127.0.0.1');
    const gateway = await world.start();
    const port = Number(new URL(gateway.url).port);
    expect(await connects('127.0.0.1', port)).toBe(true);
    const external = externalAddress();
    if (external === undefined) {
      console.warn('defaults.test.ts: this machine has no non-loopback IPv4 address; only the loopback half ran');
      return;
    }
    expect(await connects(external, port)).toBe(false);
    // HOST=0.0.0.0 (what the Docker image sets) is reachable there.
    const everywhere = await world.start({ HOST: '0.0.0.0' });
    expect(await connects(external, Number(new URL(everywhere.url).port))).toBe(true);
  });

  it('when the Docker image runs, then it listens on every interface (its runtime stage sets HOST=0.0.0.0)', async () => {
    const dockerfile = await readFile(new URL('../../Dockerfile', import.meta.url), 'utf8');
    const runtime = dockerfile.slice(dockerfile.search(/^FROM\s.+\sAS\s+runtime\b/im));
    expect(runtime).toMatch(/^ENV\s+(.*\s)?HOST=0\.0\.0\.0\b/m);
  });
});
