/**
 * graphql-armor's max-depth rule, made to REPORT its error (Apollo answers 400
 * GRAPHQL_VALIDATION_FAILED) instead of throwing out of validate(), which would surface as 500.
 */
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { ValidationRule } from 'graphql';
import { limitError } from './limit-error.js';

export function depthLimitRule(max: number): ValidationRule {
  return (context) =>
    maxDepthRule({
      n: max,
      // Fragments count at their real depth: flattening would let a spread hide a level.
      flattenFragments: false,
      propagateOnRejection: false,
      onReject: [
        (_ctx, error) => {
          const found = /found (\d+)/.exec(error.message)?.[1];
          context.reportError(
            limitError('depth', found === undefined ? max + 1 : Number(found), max, 'GRAPHQL_MAX_DEPTH'),
          );
        },
      ],
    })(context);
}
