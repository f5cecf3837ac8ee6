/**
 * The executable schema: every schema/*.graphql file (one per type family) read in name order
 * and built as an Apollo Federation 2 subgraph, so the same schema serves clients directly and
 * joins a supergraph (Contact is an entity keyed by id).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Resolvers } from './resolvers-types.generated.js';

/** schema/ sits two levels above both src/graphql/ (tsx) and dist/graphql/ (built). */
const SCHEMA_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schema');

function loadTypeDefs(dir: string = SCHEMA_DIR): DocumentNode {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort();
  if (files.length === 0) throw new Error(`No *.graphql files in ${dir}: the GraphQL schema is missing`);
  return parse(files.map((name) => readFileSync(join(dir, name), 'utf8')).join('\n'));
}

type SubgraphModule = Exclude<Extract<Parameters<typeof buildSubgraphSchema>[0], unknown[]>[number], DocumentNode>;

export function buildGatewaySchema(resolvers: Resolvers): GraphQLSchema {
  // The generated Resolvers type is stricter than @apollo/subgraph's loose resolver map; the
  // shapes agree at runtime (codegen ran with federation: true for __resolveReference).
  const module: SubgraphModule = { typeDefs: loadTypeDefs(), resolvers: resolvers as SubgraphModule['resolvers'] };
  return buildSubgraphSchema([module]);
}
