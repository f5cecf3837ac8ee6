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

/** Contact fields every system's schema has (beside id). */
export type ContactScalar = 'name' | 'firstName' | 'lastName' | 'email' | 'phone';

/**
 * The fields an operation asks of a contact, as a frontend would vary them: some scalars, and
 * each of tasks, notes and appointments either left out (null) or asked with some sub-fields (id
 * always). Workload (e) draws one per request; the other workloads use FIXED_SELECTION.
 */
export interface Selection {
  scalars: readonly ContactScalar[];
  tasks: ReadonlyArray<'title' | 'dueDate' | 'completed'> | null;
  notes: ReadonlyArray<'body' | 'dateAdded'> | null;
  appointments: ReadonlyArray<'title' | 'startTime'> | null;
}

/** (a), (b), (d): name, email and one field of each list. */
const FIXED_SELECTION: Selection = {
  scalars: ['name', 'email'],
  tasks: ['title'],
  notes: ['body'],
  appointments: ['startTime'],
};

/** Options a system's process starts with. */
export interface StartOptions {
  /** False for the execution workloads: this gateway runs with RESPONSE_CACHE_MAX_ENTRIES=0. */
  wholeResponseCache: boolean;
}

export interface PeerSystem {
  key: SystemKey;
  label: string;
  /**
   * Whether the execution workloads (xa, xb: warm entity cache, no whole-response cache) apply:
   * Apollo has no whole-response cache and this gateway's can be turned off; Mesh's is part of
   * the setup compared and the naive resolvers have no cache to be warm.
   */
  executes: boolean;
  start(upstream: Upstream, log: (line: string) => void, options: StartOptions): Promise<RunningPeer>;
  contact(id: string, selection?: Selection): Operation;
  /** The `page`-th page (0-based) of 50 contacts with tasks, notes, appointments. */
  page(page: number, upstream: Upstream, selection?: Selection): Operation;
  /** Many contacts by id; only the selection's scalars are asked (id and email when none). */
  entities(ids: readonly string[], selection?: Selection): Operation;
}

/** The selection in a schema shaped like ours (this gateway's and the Apollo peer's). */
function contactFields(selection: Selection): string {
  const list = (name: string, fields: readonly string[] | null): string =>
    fields === null ? '' : ` ${name} { id${fields.map((field) => ` ${field}`).join('')} }`;
  return (
    `id${selection.scalars.map((field) => ` ${field}`).join('')}` +
    list('tasks', selection.tasks) +
    list('notes', selection.notes) +
    list('appointments', selection.appointments)
  );
}

/** The scalars of a selection for a by-ids query: email when it has none, as (c) asks. */
function entityScalars(selection: Selection | undefined): string {
  const scalars = selection === undefined || selection.scalars.length === 0 ? ['email'] : selection.scalars;
  return `id ${scalars.join(' ')}`;
}

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

/**
 * NODE_ENV=production as the shipped image runs (Dockerfile), for the Apollo peer alike (Hive
 * Gateway gets it too): graphql-js checks every instanceOf across realms otherwise.
 */
function peerEnv(upstream: Upstream): Record<string, string> {
  return {
    PEER_GHL_BASE_URL: upstream.url,
    PEER_GHL_TOKEN: upstream.token,
    PEER_GHL_LOCATION_ID: upstream.locationId,
    NODE_ENV: 'production',
  };
}

async function forkPeer(
  script: string,
  env: Record<string, string>,
  nodeOptions: readonly string[] = [],
): Promise<RunningPeer> {
  const handle = forkTs(script, env, nodeOptions);
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

/** The selection in Mesh's generated schema: each list behind its success type's union member. */
function meshFields(selection: Selection): string {
  const list = (name: string, member: string, inner: string, fields: readonly string[] | null): string =>
    fields === null
      ? ''
      : ` ${name} { ... on ${member} { ${inner} { id${fields.map((field) => ` ${field}`).join('')} } } }`;
  return (
    `id${selection.scalars.map((field) => ` ${field}`).join('')}` +
    list('tasks', 'TasksListSuccessfulResponseDto', 'tasks', selection.tasks) +
    list('notes', 'GetNotesListSuccessfulResponseDto', 'notes', selection.notes) +
    list('appointments', 'GetEventsSuccessfulResponseDto', 'events', selection.appointments)
  );
}

const bin = (name: string): string => join(here, 'node_modules/.bin', name);

const meshSystem: PeerSystem = {
  key: 'mesh',
  label: 'GraphQL Mesh (Hive Gateway, response cache)',
  executes: false,
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
  contact: (id, selection = FIXED_SELECTION) => ({
    query: `query($id: String!) { get_contact(contactId: $id) { ... on ContactsByIdSuccessfulResponseDto { contact { ${meshFields(selection)} } } } }`,
    variables: { id },
  }),
  // The list endpoint's contact type has email but no name, firstName, lastName or phone.
  page: (page, upstream, selection = FIXED_SELECTION) => {
    const cursor = upstream.listPages[page] ?? null;
    return {
      query: `query($loc: String!, $sa: Float, $said: String) { get_contacts(locationId: $loc, limit: 50, startAfter: $sa, startAfterId: $said) {
        ... on ContactsSearchSuccessfulResponseDto { contacts { ${meshFields({ ...selection, scalars: ['email'] })} } } } }`,
      variables: { loc: upstream.locationId, sa: cursor?.startAfter ?? null, said: cursor?.startAfterId ?? null },
    };
  },
  entities: (ids, selection) => ({
    query: `query { ${ids.map((id, index) => `c${index}: get_contact(contactId: ${JSON.stringify(id)}) { ... on ContactsByIdSuccessfulResponseDto { contact { ${entityScalars(selection)} } } }`).join('\n')} }`,
    variables: {},
  }),
};

const apolloSystem: PeerSystem = {
  key: 'apollo',
  label: 'Apollo Server + datasource-rest',
  executes: true,
  // No whole-response cache to turn off: Apollo Server has none unless a plugin adds it.
  // BENCH_APOLLO_CPU_PROF=<dir>: a V8 CPU profile of the Apollo peer, to read beside this gateway's.
  start: (upstream) =>
    forkPeer(
      join(here, 'apollo-datasource-rest/server.ts'),
      peerEnv(upstream),
      process.env.BENCH_APOLLO_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_APOLLO_CPU_PROF}`] : [],
    ),
  contact: (id, selection = FIXED_SELECTION) => ({
    query: `query($id: ID!) { contact(id: $id) { ${contactFields(selection)} } }`,
    variables: { id },
  }),
  page: (page, _upstream, selection = FIXED_SELECTION) => ({
    query: `query($after: String) { contacts(first: 50, after: $after) { edges { node { ${contactFields(selection)} } } } }`,
    variables: { after: page === 0 ? null : String(page * 50) },
  }),
  entities: (ids, selection) => ({
    query: `query($ids: [ID!]!) { contactsByIds(ids: $ids) { ${entityScalars(selection)} } }`,
    variables: { ids },
  }),
};

function gatewayLike(key: 'naive' | 'gateway', label: string): PeerSystem {
  return {
    key,
    label,
    executes: key === 'gateway',
    start: (upstream, _log, options) =>
      forkPeer(
        join(here, 'ghl-gateway/server.ts'),
        { ...peerEnv(upstream), PEER_VARIANT: key, PEER_RESPONSE_CACHE: options.wholeResponseCache ? 'on' : 'off' },
        // BENCH_GATEWAY_CPU_PROF=<dir>: a V8 CPU profile of each of this gateway's processes.
        process.env.BENCH_GATEWAY_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_CPU_PROF}`]
          : [],
      ),
    contact: (id, selection = FIXED_SELECTION) => ({
      query: `query($id: ID!) { contact(id: $id) { ${contactFields(selection)} } }`,
      variables: { id },
    }),
    // Each page starts where a cursor the API issued would point, so pages never overlap.
    page: (page, upstream, selection = FIXED_SELECTION) => ({
      query: `query($after: String) { contacts(first: 50, after: $after) { edges { node { ${contactFields(selection)} } } } }`,
      variables: {
        after: page === 0 ? null : encodeCursor({ k: 'search', n: page * 50, sa: null }, upstream.locationId),
      },
    }),
    entities: (ids, selection) => ({
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { ${entityScalars(selection)} } } }`,
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
