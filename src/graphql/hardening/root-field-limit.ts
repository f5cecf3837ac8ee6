/**
 * At most `max` root fields per operation (fragments at the root expanded): each root field
 * is an independent fan-out to HighLevel, so a wide root is a batch attack in one request.
 */
import { Kind, type ASTVisitor, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { limitError } from './limit-error.js';

function countRootFields(selectionSet: SelectionSetNode, context: ValidationContext, seen: Set<string>): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') count += 1;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, context, seen);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (fragment === undefined || fragment === null || seen.has(name)) continue;
      seen.add(name);
      count += countRootFields(fragment.selectionSet, context, seen);
    }
  }
  return count;
}

export function rootFieldLimitRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(node) {
      const count = countRootFields(node.selectionSet, context, new Set());
      if (count > max) context.reportError(limitError('rootFields', count, max, 'GRAPHQL_MAX_ROOT_FIELDS', [node]));
    },
  });
}
