/**
 * Roles per root field, checked before anything executes: queries need `read`, mutations
 * `write`, and fields named in `fieldRoles` (e.g. "Mutation.startSync": "sync-admin") their
 * own role. A missing caller means the auth wiring is missing: refused, never let through.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, Kind, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import type { CallerIdentity, Role } from '../../auth/caller-identity.js';

interface RoleGuardOptions<Context> {
  callerOf: (context: Context) => CallerIdentity | undefined;
  /** "Type.field" → role, overriding the per-operation default. */
  fieldRoles?: Readonly<Record<string, Role>>;
}

function rootFieldNames(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  seen: Set<string>,
  into: Set<string>,
): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) into.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT) rootFieldNames(selection.selectionSet, fragments, seen, into);
    else {
      const fragment = fragments.get(selection.name.value);
      if (fragment === undefined || seen.has(fragment.name.value)) continue;
      seen.add(fragment.name.value);
      rootFieldNames(fragment.selectionSet, fragments, seen, into);
    }
  }
  return into;
}

export function roleGuardPlugin<Context extends object>(
  options: RoleGuardOptions<Context>,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, operation, document }) {
          if (operation === undefined) return;
          const caller = options.callerOf(contextValue);
          if (caller === undefined) {
            throw new GraphQLError('No caller identity for this request', {
              extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
            });
          }
          const typeName =
            operation.operation === 'mutation'
              ? 'Mutation'
              : operation.operation === 'subscription'
                ? 'Subscription'
                : 'Query';
          const fallback: Role = operation.operation === 'mutation' ? 'write' : 'read';
          const fragments = new Map(
            document.definitions.flatMap((definition) =>
              definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
            ),
          );
          for (const field of rootFieldNames(operation.selectionSet, fragments, new Set(), new Set())) {
            if (field.startsWith('__')) continue;
            const role = options.fieldRoles?.[`${typeName}.${field}`] ?? fallback;
            if (!caller.roles.includes(role)) {
              throw new GraphQLError(
                `${typeName}.${field} needs the "${role}" role; this caller has ${caller.roles.join(', ') || 'none'}`,
                {
                  extensions: { code: 'FORBIDDEN', requiredRole: role, http: { status: 403 } },
                },
              );
            }
          }
        },
      };
    },
  };
}
