/**
 * The cost of an operation in "fields resolved": every field costs 1, and everything under a
 * list is multiplied by how many items the list may hold. A field with a size argument
 * (`first`, `limit`…) multiplies its selection by that value, read from the literal, the
 * request's variables, the variable's default or the argument's schema default. A list field
 * without one uses `defaultListSize`, except directly under a sized field (a connection's
 * `edges`/`nodes`, whose length the parent's `first` already counted).
 * Pure: needs the variables, which is why the limit runs after validation (see cost-limit-plugin).
 */
import {
  Kind,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface CostSettings {
  defaultListSize: number;
  listSizeArguments: readonly string[];
}

export const DEFAULT_COST_SETTINGS: CostSettings = {
  defaultListSize: 10,
  listSizeArguments: ['first', 'last', 'limit', 'pageLimit', 'pageSize'],
};

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

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Readonly<Record<string, unknown>>,
  settings: CostSettings = DEFAULT_COST_SETTINGS,
): number {
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

  const listSize = (node: FieldNode, field: GraphQLField<unknown, unknown>): number | undefined => {
    for (const name of settings.listSizeArguments) {
      const argument = field.args.find((arg) => arg.name === name);
      if (argument === undefined) continue;
      const given = node.arguments?.find((arg) => arg.name.value === name);
      let value: unknown = argument.defaultValue;
      if (given !== undefined) {
        if (given.value.kind === Kind.VARIABLE) {
          const variable = given.value.name.value;
          const fallback = variableDefaults.get(variable);
          value =
            variable in variables
              ? variables[variable]
              : fallback !== undefined
                ? valueFromAST(fallback, argument.type)
                : argument.defaultValue;
        } else {
          value = valueFromAST(given.value, argument.type);
        }
      }
      if (typeof value === 'number' && Number.isFinite(value)) return Math.max(0, Math.ceil(value));
    }
    return undefined;
  };

  const costOf = (
    selectionSet: SelectionSetNode,
    parent: GraphQLNamedType,
    parentSized: boolean,
    seen: ReadonlySet<string>,
  ): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typed =
          selection.typeCondition !== undefined
            ? (schema.getType(selection.typeCondition.name.value) ?? parent)
            : parent;
        total += costOf(selection.selectionSet, typed, parentSized, seen);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment === undefined || seen.has(fragment.name.value)) continue;
        const typed = schema.getType(fragment.typeCondition.name.value) ?? parent;
        total += costOf(fragment.selectionSet, typed, parentSized, new Set([...seen, fragment.name.value]));
        continue;
      }
      if (selection.name.value.startsWith('__')) continue;
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const field = parent.getFields()[selection.name.value];
      if (field === undefined) continue;
      const sized = listSize(selection, field);
      const isList = isListType(getNullableType(field.type));
      const multiplier = sized ?? (isList && !parentSized ? settings.defaultListSize : 1);
      const children =
        selection.selectionSet === undefined
          ? 0
          : costOf(selection.selectionSet, getNamedType(field.type), sized !== undefined, seen);
      total += 1 + multiplier * children;
    }
    return total;
  };

  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (root === null || root === undefined) return 0;
  return costOf(operation.selectionSet, root, false, new Set());
}
