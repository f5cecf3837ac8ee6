/**
 * The systems compared and, for each, its GraphQL for the four workloads. Each speaks its own
 * schema: this gateway's (contact, contacts connection, federation `_entities`), the Apollo
 * baseline's (a by-ids list field in place of `_entities`) and Mesh's generated one (operation
 * ids as fields, union answers, 100 aliased `get_contact` fields in place of `_entities`).
 */
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeCursor } from '../../src/graphql/cursor.js';
import { forkTs, nextMessage, spawnProgram, type ChildHandle } from './child-processes.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface Operation {
  query: string;
  variables: Record<string, unknown>;
}

export interface Upstream {
  url: string;
  token: string;
  locationId: string;
  /** Cursors of GET /contacts/ pages of 50 (startAfter, startAfterId), page 1 first (null). */
  listPages: Array<{ startAfter: number; startAfterId: string } | null>;
}

export interface RunningPeer {
  graphqlUrl: string;
  process: ChildHandle;
}

export type SystemKey = 'mesh' | 'apollo' | 'naive' | 'gateway';

export interface PeerSystem {
  key: SystemKey;
  label: string;
  start(upstream: Upstream, log: (line: string) => void): Promise<RunningPeer>;
  contact(id: string): Operation;
  /** The `page`-th page (0-based) of 50 contacts with tasks, notes, appointments. */
  page(page: number, upstream: Upstream): Operation;
  entities(ids: readonly string[]): Operation;
}

const CONTACT_FIELDS = 'id name email tasks { id title } notes { id body } appointments { id startTime }';

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function peerEnv(upstream: Upstream): Record<string, string> {
  return { PEER_GHL_BASE_URL: upstream.url, PEER_GHL_TOKEN: upstream.token, PEER_GHL_LOCATION_ID: upstream.locationId };
}

async function forkPeer(script: string, env: Record<string, string>): Promise<RunningPeer> {
  const handle = forkTs(script, env);
  try {
    const ready = await nextMessage<{ type: 'ready'; graphqlUrl: string }>(handle.child, 'ready');
    return { graphqlUrl: ready.graphqlUrl, process: handle };
  } catch (error) {
    await handle.stop();
    throw error;
  }
}

async function waitForGraphql(url: string, handle: ChildHandle, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (handle.child.exitCode !== null)
      throw new Error(`the server exited (${handle.child.exitCode}) before answering`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Copies HighLevel's OpenAPI specs (test/fixtures/ghl, see its README) where mesh.config.ts reads them. */
function copySpecs(): void {
  const reference = resolve(here, '../../test/fixtures/ghl');
  if (!existsSync(join(reference, 'apps/contacts.json'))) {
    throw new Error(`HighLevel's OpenAPI specs not found at ${reference}: see test/fixtures/ghl/README.md`);
  }
  mkdirSync(join(here, 'spec/apps'), { recursive: true });
  mkdirSync(join(here, 'spec/common'), { recursive: true });
  for (const file of ['apps/contacts.json', 'apps/locations.json', 'common/common-schemas.json'])
    cpSync(join(reference, file), join(here, 'spec', file));
}

const bin = (name: string): string => join(here, 'node_modules/.bin', name);

const meshSystem: PeerSystem = {
  key: 'mesh',
  label: 'GraphQL Mesh (Hive Gateway, response cache)',
  async start(upstream, log) {
    const port = await freePort();
    const handle = spawnProgram(
      process.execPath,
      [bin('hive-gateway'), 'supergraph', '--port', String(port), '--host', '127.0.0.1'],
      {
        cwd: join(here, 'mesh'),
        env: { GHL_BASE_URL: upstream.url, GHL_TOKEN: upstream.token, NODE_ENV: 'production' },
        logTo: log,
      },
    );
    const graphqlUrl = `http://127.0.0.1:${port}/graphql`;
    try {
      await waitForGraphql(graphqlUrl, handle, 60_000);
    } catch (error) {
      await handle.stop();
      throw error;
    }
    return { graphqlUrl, process: handle };
  },
  contact: (id) => ({
    query: `query($id: String!) { get_contact(contactId: $id) { ... on ContactsByIdSuccessfulResponseDto { contact { id name email
      tasks { ... on TasksListSuccessfulResponseDto { tasks { id title } } }
      notes { ... on GetNotesListSuccessfulResponseDto { notes { id body } } }
      appointments { ... on GetEventsSuccessfulResponseDto { events { id startTime } } } } } } }`,
    variables: { id },
  }),
  page: (page, upstream) => {
    const cursor = upstream.listPages[page] ?? null;
    return {
      query: `query($loc: String!, $sa: Float, $said: String) { get_contacts(locationId: $loc, limit: 50, startAfter: $sa, startAfterId: $said) {
        ... on ContactsSearchSuccessfulResponseDto { contacts { id email
          tasks { ... on TasksListSuccessfulResponseDto { tasks { id title } } }
          notes { ... on GetNotesListSuccessfulResponseDto { notes { id body } } }
          appointments { ... on GetEventsSuccessfulResponseDto { events { id startTime } } } } } } }`,
      variables: { loc: upstream.locationId, sa: cursor?.startAfter ?? null, said: cursor?.startAfterId ?? null },
    };
  },
  entities: (ids) => ({
    query: `query { ${ids.map((id, index) => `c${index}: get_contact(contactId: ${JSON.stringify(id)}) { ... on ContactsByIdSuccessfulResponseDto { contact { id email } } }`).join('\n')} }`,
    variables: {},
  }),
};

const apolloSystem: PeerSystem = {
  key: 'apollo',
  label: 'Apollo Server + datasource-rest',
  start: (upstream) => forkPeer(join(here, 'apollo-datasource-rest/server.ts'), peerEnv(upstream)),
  contact: (id) => ({ query: `query($id: ID!) { contact(id: $id) { ${CONTACT_FIELDS} } }`, variables: { id } }),
  page: (page) => ({
    query: `query($after: String) { contacts(first: 50, after: $after) { edges { node { ${CONTACT_FIELDS} } } } }`,
    variables: { after: page === 0 ? null : String(page * 50) },
  }),
  entities: (ids) => ({ query: `query($ids: [ID!]!) { contactsByIds(ids: $ids) { id email } }`, variables: { ids } }),
};

function gatewayLike(key: 'naive' | 'gateway', label: string): PeerSystem {
  return {
    key,
    label,
    start: (upstream) => forkPeer(join(here, 'ghl-gateway/server.ts'), { ...peerEnv(upstream), PEER_VARIANT: key }),
    contact: (id) => ({ query: `query($id: ID!) { contact(id: $id) { ${CONTACT_FIELDS} } }`, variables: { id } }),
    // Each page starts where a cursor the API issued would point, so pages never overlap.
    page: (page) => ({
      query: `query($after: String) { contacts(first: 50, after: $after) { edges { node { ${CONTACT_FIELDS} } } } }`,
      variables: { after: page === 0 ? null : encodeCursor({ k: 'search', n: page * 50, sa: null }) },
    }),
    entities: (ids) => ({
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { id email } } }`,
      variables: { r: ids.map((id) => ({ __typename: 'Contact', id })) },
    }),
  };
}

const naiveSystem = gatewayLike('naive', 'Our naive resolvers (no loaders, no cache)');
const gatewaySystem = gatewayLike('gateway', 'This gateway');

/** Writes mesh/supergraph.graphql from the specs (GraphQL Mesh compose). */
export async function composeMesh(log: (line: string) => void): Promise<void> {
  copySpecs();
  const handle = spawnProgram(process.execPath, [bin('mesh-compose'), '-o', 'supergraph.graphql'], {
    cwd: join(here, 'mesh'),
    env: {},
    logTo: log,
  });
  const code = await new Promise<number | null>((resolveExit) =>
    handle.child.once('exit', (exitCode) => resolveExit(exitCode)),
  );
  if (code !== 0) throw new Error(`mesh-compose failed (exit ${code ?? 'signal'})`);
}

export const SYSTEMS: readonly PeerSystem[] = [meshSystem, apolloSystem, naiveSystem, gatewaySystem];
