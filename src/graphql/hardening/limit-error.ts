/** The error every hardening limit reports: what was exceeded, by how much, and which knob. */
import { GraphQLError, type ASTNode } from 'graphql';

type LimitName = 'depth' | 'aliases' | 'rootFields' | 'cost';

export function limitError(
  limit: LimitName,
  actual: number,
  max: number,
  variable: string,
  nodes?: readonly ASTNode[],
): GraphQLError {
  const what = { depth: 'depth', aliases: 'aliases', rootFields: 'root fields', cost: 'cost' }[limit];
  return new GraphQLError(`Operation ${what} ${actual} exceeds the limit of ${max} (${variable})`, {
    ...(nodes !== undefined ? { nodes } : {}),
    extensions: { limit, max, actual },
  });
}
