/**
 * The interactive load: N clients, each one request at a time over a keep-alive connection with
 * a bearer JWT, as an app would. The mix: the same few contacts again and again (what a CRM
 * screen does), new contacts, 50-contact pages walked by cursor, and mutations (createContact,
 * updateContact, createTask, createNote, completeTask), each carrying a unique marker so the
 * end of the run can check in HighLevel's own data whether it was written, once, and whether the
 * client was told so. Every answer is recorded with its time, outcome and the faults active when
 * it was asked; a client waits at most `clientTimeoutMs` (far past any deadline, to measure it).
 */
import { Agent, request } from 'node:http';
import { mulberry32 } from '../../src/simulators/prng.js';
import { classify, isGraphQLBody, type RawAnswer } from './answer-outcome.js';
import type { ActiveConditions } from './fault-phases.js';

const CONTACT_DETAIL = `query ContactDetail($id: ID!) {
  contact(id: $id) { id name email phone companyName tags
    tasks { id title completed } notes { id body } appointments { id title startTime } }
}`;
const CONTACTS_PAGE = `query ContactsPage($after: String) {
  contacts(first: 50, after: $after) { totalCount pageInfo { hasNextPage endCursor }
    edges { node { id name email tasks { id title } } } }
}`;
const CREATE_CONTACT = `mutation CreateContact($input: CreateContactInput!) {
  createContact(input: $input) { contact { id email companyName } created roofrSync { status error } }
}`;
const UPDATE_CONTACT = `mutation UpdateContact($id: ID!, $input: UpdateContactInput!) {
  updateContact(id: $id, input: $input) { contact { id companyName } roofrSync { status error } }
}`;
const CREATE_TASK = `mutation CreateTask($contactId: ID!, $input: CreateTaskInput!) {
  createTask(contactId: $contactId, input: $input) { task { id title } roofrSync { status error } }
}`;
const CREATE_NOTE = `mutation CreateNote($contactId: ID!, $input: NoteInput!) {
  createNote(contactId: $contactId, input: $input) { note { id body } roofrSync { status error } }
}`;
const COMPLETE_TASK = `mutation CompleteTask($contactId: ID!, $id: ID!) {
  completeTask(contactId: $contactId, id: $id) { task { id completed } roofrSync { status error } }
}`;

export type MutationKind = 'createContact' | 'updateContact' | 'createTask' | 'createNote' | 'completeTask';
export type OperationName = 'contact (repeated)' | 'contact (new)' | 'contacts page' | MutationKind;

export interface Sample {
  operation: OperationName;
  /** Sent, in ms since the load started. */
  at: number;
  ms: number;
  status: number | null;
  outcome: string;
  condition: string;
  /** First error message or transport error, for examples. */
  detail: string | null;
  variables: Record<string, unknown>;
}

export interface MutationRecord {
  kind: MutationKind;
  /** The unique value the mutation wrote (email, title, body, companyName), or the task id completed. */
  marker: string;
  /** The contact written or written under. */
  contactId: string | null;
  /** The id the answer returned; null when it returned no entity. */
  entityId: string | null;
  outcome: string;
  roofrSync: string | null;
  /** Order of this client's mutations on one contact (updates are checked in order). */
  sequence: number;
  client: number;
  at: number;
  ms: number;
}

interface GatewayLiveness {
  /** True while the suite has the gateway down (killed, not yet listening again). */
  readonly down: boolean;
  /** Bumped at every kill: a request that fails across a kill was cut by it. */
  readonly kills: number;
}

interface LoadOptions {
  graphqlUrl: string;
  bearer: string;
  contactIds: readonly string[];
  clients: number;
  thinkMs: number;
  clientTimeoutMs: number;
  seed: number;
  runTag: string;
  conditions: ActiveConditions;
  gateway: GatewayLiveness;
}

export interface LoadResult {
  samples: Sample[];
  mutations: MutationRecord[];
}

const MIX: Array<[OperationName, number]> = [
  ['contact (repeated)', 25],
  ['contact (new)', 20],
  ['contacts page', 15],
  ['createContact', 10],
  ['updateContact', 8],
  ['createTask', 8],
  ['createNote', 8],
  ['completeTask', 6],
];

function post(
  agent: Agent,
  url: string,
  bearer: string,
  payload: string,
  timeoutMs: number,
): Promise<{ status: number | null; text: string; transportError: string | null }> {
  return new Promise((resolve) => {
    const outgoing = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          authorization: `Bearer ${bearer}`,
        },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text, transportError: null }));
        response.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ status: null, text: '', transportError: error.code ?? error.message }),
        );
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    outgoing.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: null, text: '', transportError: error.code ?? error.message }),
    );
    outgoing.end(payload);
  });
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** Runs the load until `stopAt` (epoch ms); resolves with every answer once the clients stopped. */
export async function runLoad(options: LoadOptions, startedAt: number, stopAt: number): Promise<LoadResult> {
  const samples: Sample[] = [];
  const mutations: MutationRecord[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const hot = options.contactIds.slice(0, 30);
  const total = MIX.reduce((sum, [, weight]) => sum + weight, 0);

  async function execute(
    operation: OperationName,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<{ sample: Sample; body: unknown }> {
    const condition = options.conditions.label();
    const killsBefore = options.gateway.kills;
    const downBefore = options.gateway.down;
    const sent = Date.now();
    const answer = await post(
      agent,
      options.graphqlUrl,
      options.bearer,
      JSON.stringify({ query, variables }),
      options.clientTimeoutMs,
    );
    const ms = Date.now() - sent;
    let body: unknown = null;
    try {
      body = answer.text === '' ? null : JSON.parse(answer.text);
    } catch {
      body = null;
    }
    const raw: RawAnswer = {
      status: answer.status,
      body,
      transportError: answer.transportError,
      gatewayDown: downBefore || options.gateway.down || options.gateway.kills !== killsBefore,
    };
    const firstError = isGraphQLBody(body) ? body.errors?.[0]?.message : undefined;
    const sample: Sample = {
      operation,
      at: sent - startedAt,
      ms,
      status: answer.status,
      outcome: classify(raw),
      // Cut by a kill that came after it was sent: file it under the kill too.
      condition: raw.gatewayDown && !condition.includes('gateway killed') ? `${condition} + gateway killed` : condition,
      detail:
        firstError ?? answer.transportError ?? (body === null && answer.text !== '' ? answer.text.slice(0, 200) : null),
      variables,
    };
    samples.push(sample);
    return { sample, body };
  }

  async function client(index: number): Promise<void> {
    const random = mulberry32(options.seed * 1000 + index);
    const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(random() * items.length)];
    const ownContacts: string[] = [];
    const ownTasks: Array<{ contactId: string; taskId: string }> = [];
    const sequences = new Map<string, number>();
    let cursor: string | null = null;
    let made = 0;
    const marker = (kind: string): string => `chaos-${options.runTag}-${kind}-${index}-${(made += 1)}`;

    const mutate = async (
      kind: MutationKind,
      query: string,
      variables: Record<string, unknown>,
      record: { marker: string; contactId: string | null },
      entityPath: string[],
    ): Promise<string | null> => {
      const { sample, body } = await execute(kind, query, variables);
      const entityId = field(body, 'data', ...entityPath, 'id');
      const sequence = (sequences.get(record.contactId ?? '') ?? 0) + 1;
      sequences.set(record.contactId ?? '', sequence);
      const roofrSync = field(body, 'data', entityPath[0] ?? '', 'roofrSync', 'status');
      mutations.push({
        kind,
        ...record,
        entityId: typeof entityId === 'string' ? entityId : null,
        outcome: sample.outcome,
        roofrSync: typeof roofrSync === 'string' ? roofrSync : null,
        sequence,
        client: index,
        at: sample.at,
        ms: sample.ms,
      });
      return typeof entityId === 'string' ? entityId : null;
    };

    while (Date.now() < stopAt) {
      let roll = random() * total;
      let operation: OperationName = 'contact (repeated)';
      for (const [name, weight] of MIX) {
        roll -= weight;
        if (roll < 0) {
          operation = name;
          break;
        }
      }
      const someContact = pick(ownContacts.length > 0 && random() < 0.5 ? ownContacts : options.contactIds) ?? '';
      switch (operation) {
        case 'contact (repeated)':
          await execute(operation, CONTACT_DETAIL, { id: pick(hot) ?? '' });
          break;
        case 'contact (new)':
          await execute(operation, CONTACT_DETAIL, { id: pick(options.contactIds) ?? '' });
          break;
        case 'contacts page': {
          const { body } = await execute(operation, CONTACTS_PAGE, { after: cursor });
          const next = field(body, 'data', 'contacts', 'pageInfo', 'endCursor');
          const more = field(body, 'data', 'contacts', 'pageInfo', 'hasNextPage') === true;
          cursor = more && typeof next === 'string' && random() < 0.8 ? next : null;
          break;
        }
        case 'createContact': {
          const email = `${marker('contact')}@example.com`;
          const id = await mutate(
            operation,
            CREATE_CONTACT,
            { input: { firstName: 'Chaos', lastName: `Client ${index}`, email, tags: ['chaos'] } },
            { marker: email, contactId: null },
            ['createContact', 'contact'],
          );
          if (id !== null) ownContacts.push(id);
          break;
        }
        case 'updateContact': {
          // Only this client's contacts: its updates of one contact are then strictly ordered.
          const contactId = pick(ownContacts);
          if (contactId === undefined) break;
          const companyName = marker('company');
          await mutate(
            operation,
            UPDATE_CONTACT,
            { id: contactId, input: { companyName } },
            { marker: companyName, contactId },
            ['updateContact', 'contact'],
          );
          break;
        }
        case 'createTask': {
          const title = marker('task');
          const dueDate = new Date(Date.now() + 86_400_000 * (1 + Math.floor(random() * 20))).toISOString();
          const id = await mutate(
            operation,
            CREATE_TASK,
            { contactId: someContact, input: { title, dueDate } },
            { marker: title, contactId: someContact },
            ['createTask', 'task'],
          );
          if (id !== null) ownTasks.push({ contactId: someContact, taskId: id });
          break;
        }
        case 'createNote': {
          const body = marker('note');
          await mutate(
            operation,
            CREATE_NOTE,
            { contactId: someContact, input: { body } },
            { marker: body, contactId: someContact },
            ['createNote', 'note'],
          );
          break;
        }
        case 'completeTask': {
          const task = ownTasks.shift();
          if (task === undefined) break;
          await mutate(
            operation,
            COMPLETE_TASK,
            { contactId: task.contactId, id: task.taskId },
            { marker: task.taskId, contactId: task.contactId },
            ['completeTask', 'task'],
          );
          break;
        }
      }
      // A client whose gateway is down backs off a little, as a real one would.
      await new Promise((resolve) => setTimeout(resolve, options.gateway.down ? 250 : options.thinkMs));
    }
  }

  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  agent.destroy();
  return { samples, mutations };
}
