/**
 * Hive Gateway serving the Mesh-composed supergraph (mesh.config.ts) with its response cache on,
 * as the Mesh docs recommend for read-heavy APIs. The cache is global (no session: the benchmark
 * has one caller) and entries live 120 s, like the gateway's default list TTL.
 */
import { defineConfig } from '@graphql-hive/gateway';

export const gatewayConfig = defineConfig({
  supergraph: './supergraph.graphql',
  responseCaching: {
    session: () => null,
    ttl: 120_000,
  },
});
