/**
 * How many HighLevel calls an operation will need, estimated from its AST and variables before
 * it runs (admission control, see plugins/admission.ts). Mirrors how the resolvers and loaders
 * spend calls:
 *   contact(id)                 1 (GET /contacts/{id})
 *   contacts / contactsByBusiness(first: n)
 *                               1 page, and n contacts below it
 *   _entities(representations)  1 search per 100 representations, one contact each
 *   task / note / previewRoofrRecord, each mutation field: 1
 * and for the contacts below (m of them): tasks 1 task search per 100 contacts (m calls when
 * the location's token lacks the batch scope), notes m, appointments m (no batch endpoints).
 * An upper bound, not a promise: loaders may dedupe further, and the cache may hold parts (the
 * plugin subtracts what it can check cheaply, see `cacheProbesOf`).
 */
import {
  Kind,
  getNamedType,
  isInterfaceType,
  isObjectType,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

export interface CostEstimateOptions {
  /** Whether the location's tasks of many contacts come from one task search per 100 (scope known or untested). */
  taskSearchBatched: boolean;
  /** Contacts per batched call (CONTACT_IDS_PER_SEARCH / CONTACTS_PER_TASK_SEARCH). */
  batchSize?: number;
}

/** The parts of one root field a cache can answer: a contact by id and the per-contact lists selected under it. */
export interface ContactProbe {
  contactId: string;
  lists: Array<'tasks' | 'notes' | 'appointments'>;
}

export interface RootFieldCost {
  /** The response key (alias or name). */
  responseKey: string;
  field: string;
  calls: number;
  /** Set for `contact(id)`: what to look up in the cache to know whether it costs anything. */
  probe: ContactProbe | null;
}

export interface CostEstimate {
  calls: number;
  roots: RootFieldCost[];
}

/** Calls a root field itself costs, before what its contacts cost. */
const ROOT_CALLS: Record<string, number> = {
  contact: 1,
  contacts: 1,
  contactsByBusiness: 1,
  task: 1,
  note: 1,
  previewRoofrRecord: 1,
  rateLimit: 0,
  deadLetters: 0,
  retryDeadLetter: 0,
  _service: 0,
  __typename: 0,
};

const CONTACT_LISTS = new Set(['tasks', 'notes', 'appointments']);

export function estimateOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  options: CostEstimateOptions,
): CostEstimate {
  const batchSize = options.batchSize ?? 100;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const variableDefaults = new Map(
    (operation.variableDefinitions ?? []).flatMap((definition) =>
      definition.defaultValue !== undefined ? [[definition.variable.name.value, definition.defaultValue] as const] : [],
    ),
  );

  const argumentValue = (node: FieldNode, field: GraphQLField<unknown, unknown>, name: string): unknown => {
    const argument = field.args.find((arg) => arg.name === name);
    if (argument === undefined) return undefined;
    const given = node.arguments?.find((arg) => arg.name.value === name);
    if (given === undefined) return argument.defaultValue;
    const value: ValueNode = given.value;
    if (value.kind === Kind.VARIABLE) {
      const variable = value.name.value;
      if (variable in variables) return variables[variable];
      const fallback = variableDefaults.get(variable);
      return fallback !== undefined ? valueFromAST(fallback, argument.type) : argument.defaultValue;
    }
    return valueFromAST(value, argument.type);
  };

  /** Every field node of a selection set with its parent type, fragments flattened. */
  const fieldsOf = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    seen: ReadonlySet<string>,
  ): Array<{ node: FieldNode; parent: GraphQLNamedType }> => {
    const out: Array<{ node: FieldNode; parent: GraphQLNamedType }> = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) out.push({ node: selection, parent });
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed =
          selection.typeCondition !== undefined
            ? (schema.getType(selection.typeCondition.name.value) ?? parent)
            : parent;
        out.push(...fieldsOf(selection.selectionSet, typed, seen));
      } else {
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined || seen.has(fragment.name.value)) continue;
        const typed = schema.getType(fragment.typeCondition.name.value) ?? parent;
        out.push(...fieldsOf(fragment.selectionSet, typed, new Set([...seen, fragment.name.value])));
      }
    }
    return out;
  };

  const fieldOf = (parent: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined =>
    isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;

  /** Calls spent below `count` objects of type `parent` selected by `selectionSet`. */
  const below = (
    selectionSet: SelectionSetNode | undefined,
    parent: GraphQLNamedType,
    count: number,
    seen: ReadonlySet<string>,
  ): number => {
    if (selectionSet === undefined || count === 0) return 0;
    let total = 0;
    const listsCounted = new Set<string>();
    for (const { node, parent: owner } of fieldsOf(selectionSet, parent, seen)) {
      const field = fieldOf(owner, node.name.value);
      if (field === undefined) continue;
      const name = node.name.value;
      if (owner.name === 'Contact' && CONTACT_LISTS.has(name)) {
        // One loader per list and contact: aliases and `tasks(completed:)` variants share a fetch.
        if (listsCounted.has(name)) continue;
        listsCounted.add(name);
        total += name === 'tasks' && options.taskSearchBatched ? Math.ceil(count / batchSize) : count;
        continue;
      }
      const first = argumentValue(node, field, 'first');
      const size = typeof first === 'number' && Number.isFinite(first) ? Math.max(0, Math.ceil(first)) : 1;
      total += below(node.selectionSet, getNamedType(field.type), count * size, seen);
    }
    return total;
  };

  const listsSelected = (
    selectionSet: SelectionSetNode | undefined,
    parent: GraphQLNamedType,
  ): Array<'tasks' | 'notes' | 'appointments'> => {
    if (selectionSet === undefined) return [];
    const names = new Set(fieldsOf(selectionSet, parent, new Set()).map(({ node }) => node.name.value));
    return (['tasks', 'notes', 'appointments'] as const).filter((name) => names.has(name));
  };

  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (root === null || root === undefined) return { calls: 0, roots: [] };

  const roots: RootFieldCost[] = [];
  for (const { node, parent } of fieldsOf(operation.selectionSet, root, new Set())) {
    const name = node.name.value;
    const field = fieldOf(parent, name);
    const responseKey = node.alias?.value ?? name;
    if (field === undefined) continue;
    const type = getNamedType(field.type);
    let calls = ROOT_CALLS[name] ?? 1;
    let contacts = 1;
    let probe: ContactProbe | null = null;
    if (name === '_entities') {
      const representations = argumentValue(node, field, 'representations');
      contacts = Array.isArray(representations) ? representations.length : 1;
      calls = Math.ceil(contacts / batchSize);
    } else {
      const first = argumentValue(node, field, 'first');
      if (typeof first === 'number' && Number.isFinite(first)) contacts = Math.max(0, Math.ceil(first));
    }
    if (name === 'contact') {
      const id = argumentValue(node, field, 'id');
      if (typeof id === 'string') probe = { contactId: id, lists: listsSelected(node.selectionSet, type) };
    }
    calls += below(node.selectionSet, type, contacts, new Set());
    roots.push({ responseKey, field: name, calls, probe });
  }
  return { calls: roots.reduce((sum, item) => sum + item.calls, 0), roots };
}
