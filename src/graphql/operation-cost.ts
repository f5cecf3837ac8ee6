/**
 * One walk over an operation computes both of its costs, from the costs in the schema
 * (schema/*.graphql: `@cost`, `@listSize`, the IBM cost directives as routers read them):
 *
 * - `routerCost`, the static cost Apollo Router's demand control computes for the same document
 *   (GRAPHQL_MAX_COST limits it): per field, `count × (weight + cost of its selection)`, where a
 *   field's weight is its @cost, else 1 for an object and 0 for a scalar; `count` is 1, or for a
 *   list its @listSize (a slicing argument's value, else its assumed size), the size a parent's
 *   @listSize gives its `sizedFields`, else the default list size; a mutation starts at 10.
 * - The HighLevel calls it may make (admission control): a field with @cost makes `weight` calls
 *   per resolution, once per parent instance, not per item of its own list. A per-contact list
 *   with a batched endpoint (src/entities/contact-lists.ts) makes one call per `contactsPerCall`
 *   contacts where the location may batch it, which is only known per request: the walk records
 *   how many contacts each list is read for, and `upstreamCalls` finishes the sum.
 *
 * Federation's `_entities(representations:)` resolves each representation as a contact through
 * the contact loader, one search per 100 ids. `@skip`/`@include` are not evaluated (an upper
 * bound, as routers do not evaluate them for a static estimate either when variables decide).
 */
import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  valueFromAST,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { CONTACT_LISTS, type ContactListName } from '../entities/contact-lists.js';
import { CONTACT_IDS_PER_SEARCH } from '../loaders/create-loaders.js';

/** Items assumed for a list field without @listSize (Apollo Router's `list_size`). */
const DEFAULT_LIST_SIZE = 10;
/** Apollo Router's base cost of a mutation. */
const MUTATION_BASE_COST = 10;

/** What the cache can answer of one `contact(id)` root field: its contact and the lists selected under it. */
export interface ContactProbe {
  contactId: string;
  lists: ContactListName[];
}

export interface RootFieldCost {
  /** The response key (alias or name). */
  responseKey: string;
  field: string;
  /** HighLevel calls whatever the location may batch. */
  fixedCalls: number;
  /** Contacts each per-contact list under this root is read for. */
  listReads: Array<{ list: ContactListName; contacts: number }>;
  /** Set for `contact(id)`: what to look up in the cache to know whether it costs anything. */
  probe: ContactProbe | null;
}

interface OperationCost {
  routerCost: number;
  roots: RootFieldCost[];
}

/** The calls of lists a location reads in batches, by contactsPerCall; the others one per contact. */
export function upstreamCalls(
  root: Pick<RootFieldCost, 'fixedCalls' | 'listReads'>,
  batchable: (list: ContactListName) => boolean,
): number {
  let calls = root.fixedCalls;
  for (const { list, contacts } of root.listReads) {
    const batched = CONTACT_LISTS.find((candidate) => candidate.field === list)?.batched;
    calls += batched !== undefined && batchable(list) ? Math.ceil(contacts / batched.contactsPerCall) : contacts;
  }
  return calls;
}

const LIST_FIELDS: ReadonlyMap<string, ContactListName> = new Map(
  CONTACT_LISTS.map((list) => [`Contact.${list.field}`, list.field]),
);

function directive(field: GraphQLField<unknown, unknown>, name: string): ConstDirectiveNode | undefined {
  return field.astNode?.directives?.find((node) => node.name.value === name);
}

function intArgument(node: ConstDirectiveNode | undefined, name: string): number | undefined {
  const value = node?.arguments?.find((argument) => argument.name.value === name)?.value;
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function stringListArgument(node: ConstDirectiveNode | undefined, name: string): string[] {
  const value = node?.arguments?.find((argument) => argument.name.value === name)?.value;
  if (value?.kind === Kind.LIST) return value.values.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
  return value?.kind === Kind.STRING ? [value.value] : [];
}

/** The field's @cost weight, when it declares one. */
function declaredCost(field: GraphQLField<unknown, unknown>): number | undefined {
  return intArgument(directive(field, 'cost'), 'weight');
}

/**
 * The walk, and for each root with a probe how to read its contact id again from other variables
 * (the one input of the result a variables shape does not fix).
 */
interface CostPlan {
  cost: OperationCost;
  probeIds: Array<((variables: Readonly<Record<string, unknown>>) => unknown) | null>;
}

export function walkOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  defaultListSize: number = DEFAULT_LIST_SIZE,
): OperationCost {
  return planOperationCost(schema, document, operation, variables, defaultListSize).cost;
}

function planOperationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  requestVariables: Readonly<Record<string, unknown>>,
  defaultListSize: number,
): CostPlan {
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

  const argumentValue = (
    node: FieldNode,
    field: GraphQLField<unknown, unknown>,
    name: string,
    variables: Readonly<Record<string, unknown>> = requestVariables,
  ): unknown => {
    const argument = field.args.find((arg) => arg.name === name);
    if (argument === undefined) return undefined;
    const given = node.arguments?.find((arg) => arg.name.value === name);
    if (given === undefined) return argument.defaultValue;
    if (given.value.kind === Kind.VARIABLE) {
      const variable = given.value.name.value;
      if (variable in variables) return variables[variable];
      const fallback = variableDefaults.get(variable);
      return fallback !== undefined ? valueFromAST(fallback, argument.type) : argument.defaultValue;
    }
    return valueFromAST(given.value, argument.type);
  };

  const count = (value: unknown): number | undefined =>
    typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.ceil(value)) : undefined;

  /** Field nodes of a selection set with their parent type, fragments flattened. */
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

  interface Tally {
    routerCost: number;
    fixedCalls: number;
    listReads: Map<ContactListName, number>;
  }

  /**
   * The selection's cost for one instance of `parent` (routerCost), and its calls for `instances`
   * instances (calls scale with instances, not with the items of a field's own list).
   */
  const walk = (
    selectionSet: SelectionSetNode | undefined,
    parent: GraphQLNamedType,
    instances: number,
    sizedFields: ReadonlyMap<string, number>,
    tally: Tally,
    seen: ReadonlySet<string>,
  ): number => {
    if (selectionSet === undefined) return 0;
    let routerCost = 0;
    // Aliases and argument variants of one list share a loader, hence one read per contact.
    const listsRead = new Set<ContactListName>();
    for (const { node, parent: owner } of fieldsOf(selectionSet, parent, seen)) {
      if (node.name.value === '__typename') continue;
      if (!isObjectType(owner) && !isInterfaceType(owner)) continue;
      const field = owner.getFields()[node.name.value];
      if (field === undefined) continue;
      const listSize = directive(field, 'listSize');
      const slicingArguments = stringListArgument(listSize, 'slicingArguments');
      const sliced = Math.max(...slicingArguments.map((name) => count(argumentValue(node, field, name)) ?? -1), -1);
      const expected = sliced >= 0 ? sliced : intArgument(listSize, 'assumedSize');
      const isList = isListType(getNullableType(field.type));
      const perInstance = isList ? (sizedFields.get(field.name) ?? expected ?? defaultListSize) : 1;
      const childSized = new Map(
        stringListArgument(listSize, 'sizedFields').map((name) => [name, expected ?? defaultListSize]),
      );
      const weight = declaredCost(field) ?? (isCompositeType(getNamedType(field.type)) ? 1 : 0);
      let childInstances = instances * perInstance;
      const coordinate = `${owner.name}.${field.name}`;
      const list = LIST_FIELDS.get(coordinate);
      if (field.name === '_entities' && owner === schema.getQueryType()) {
        const representations = argumentValue(node, field, 'representations');
        childInstances = instances * (Array.isArray(representations) ? representations.length : 1);
        tally.fixedCalls += Math.ceil(childInstances / CONTACT_IDS_PER_SEARCH);
      } else if (list !== undefined) {
        if (!listsRead.has(list)) {
          listsRead.add(list);
          tally.listReads.set(list, (tally.listReads.get(list) ?? 0) + instances * (declaredCost(field) ?? 0));
        }
      } else {
        tally.fixedCalls += instances * (declaredCost(field) ?? 0);
      }
      const children = walk(node.selectionSet, getNamedType(field.type), childInstances, childSized, tally, seen);
      routerCost += perInstance * (weight + children);
    }
    return routerCost;
  };

  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (root === null || root === undefined) return { cost: { routerCost: 0, roots: [] }, probeIds: [] };

  let routerCost = operation.operation === 'mutation' ? MUTATION_BASE_COST : 0;
  const roots: RootFieldCost[] = [];
  const probeIds: CostPlan['probeIds'] = [];
  for (const { node, parent } of fieldsOf(operation.selectionSet, root, new Set())) {
    const tally: Tally = { routerCost: 0, fixedCalls: 0, listReads: new Map() };
    const selection: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [node] };
    routerCost += walk(selection, parent, 1, new Map(), tally, new Set());
    const field = isObjectType(parent) ? parent.getFields()[node.name.value] : undefined;
    let probe: ContactProbe | null = null;
    if (node.name.value === 'contact' && field !== undefined && node.selectionSet !== undefined) {
      const id = argumentValue(node, field, 'id');
      const selected = new Set(
        fieldsOf(node.selectionSet, getNamedType(field.type), new Set()).map(({ node: child }) => child.name.value),
      );
      if (typeof id === 'string')
        probe = { contactId: id, lists: CONTACT_LISTS.map((list) => list.field).filter((name) => selected.has(name)) };
    }
    probeIds.push(
      probe !== null && field !== undefined ? (variables) => argumentValue(node, field, 'id', variables) : null,
    );
    roots.push({
      responseKey: node.alias?.value ?? node.name.value,
      field: node.name.value,
      fixedCalls: tally.fixedCalls,
      listReads: [...tally.listReads].map(([list, contacts]) => ({ list, contacts })),
      probe,
    });
  }
  return { cost: { routerCost, roots }, probeIds };
}

/** The operation a request runs, as Apollo picks it (the only one, or the one named). */
export function findOperation(
  document: DocumentNode,
  operationName: string | null | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName === undefined || operationName === null) return operations.length === 1 ? operations[0] : undefined;
  return operations.find((operation) => operation.name?.value === operationName);
}

/**
 * The walk of a request, done once however many plugins ask (the cost limit and admission both
 * do): remembered per request object.
 */
const walked = new WeakMap<object, OperationCost>();

export function costOfRequest(request: object, walk: () => OperationCost): OperationCost {
  const known = walked.get(request);
  if (known !== undefined) return known;
  const cost = walk();
  walked.set(request, cost);
  return cost;
}

/**
 * What of the variables the walk depends on: numbers (a slicing argument such as `first: $n`)
 * exactly, a list by its length (`_entities` representations), anything else by its kind only
 * (a string decides whether a `contact(id:)` probe exists; its value is read again per request).
 */
function shapeOf(value: unknown): string {
  if (typeof value === 'number') return `=${value}`;
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value === null) return 'null';
  return typeof value;
}

function variablesShape(variables: Readonly<Record<string, unknown>>): string {
  let shape = '';
  for (const name in variables) shape += `${name}:${shapeOf(variables[name])},`;
  return shape;
}

/**
 * Operation costs remembered per document and variables shape: frontends send the same few
 * documents over and over with other ids, and the walk (fragments, directives, argument
 * coercion) then costs more than executing over a warm cache. Keyed by the parsed document
 * Apollo keeps in its document store, so a document it forgets is forgotten here too; at most
 * `maxShapes` shapes per document and schema (a client varying `first` widely starts over).
 */
export class OperationCostCache {
  private readonly plans = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, CostPlan>>>();
  /** Walks done (cache misses), for tests and benchmarks. */
  walks = 0;

  constructor(private readonly maxShapes = 64) {}

  estimate(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Readonly<Record<string, unknown>>,
    defaultListSize: number = DEFAULT_LIST_SIZE,
  ): OperationCost {
    let documents = this.plans.get(schema);
    if (documents === undefined) {
      documents = new WeakMap();
      this.plans.set(schema, documents);
    }
    let shapes = documents.get(document);
    if (shapes === undefined) {
      shapes = new Map();
      documents.set(document, shapes);
    }
    const key = `${operation.name?.value ?? ''}|${defaultListSize}|${variablesShape(variables)}`;
    const known = shapes.get(key);
    if (known === undefined) {
      this.walks += 1;
      const plan = planOperationCost(schema, document, operation, variables, defaultListSize);
      if (shapes.size >= this.maxShapes) shapes.clear();
      shapes.set(key, plan);
      return plan.cost;
    }
    return {
      routerCost: known.cost.routerCost,
      roots: known.cost.roots.map((root, index) => {
        const probeId = known.probeIds[index];
        return root.probe === null || probeId === undefined || probeId === null
          ? root
          : { ...root, probe: { ...root.probe, contactId: String(probeId(variables)) } };
      }),
    };
  }
}

/** The process's cost cache, shared by the cost limit and admission control. */
export const operationCosts = new OperationCostCache();
