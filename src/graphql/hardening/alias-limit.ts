/**
 * At most `max` aliases per document: aliases are how one request multiplies an expensive
 * field (`a: contacts(first: 500) … b: contacts(first: 500) …`) past the root-field and cost
 * views of the same query.
 */
import type { ASTVisitor, ValidationContext, ValidationRule } from 'graphql';
import { limitError } from './limit-error.js';

export function aliasLimitRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    let aliases = 0;
    return {
      Field(node) {
        if (node.alias !== undefined) aliases += 1;
      },
      Document: {
        leave(node) {
          if (aliases > max) context.reportError(limitError('aliases', aliases, max, 'GRAPHQL_MAX_ALIASES', [node]));
        },
      },
    };
  };
}
