/**
 * The frontend client's codegen: @graphql-codegen's client preset reads the operations written
 * with `graphql()` in src/ and types them against the gateway's SDL (schema/*.graphql, read from
 * files, so it runs without network), writing src/gql/ and the trusted-documents manifest
 * persisted-documents.json (sha256 of each document → the document). Paths are relative to the
 * repository root, where `npm run codegen` runs it. A frontend team points `schema` at its copy of
 * the SDL or at the gateway's URL (introspection on) instead.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  // The subgraph SDL names federation directives it never defines; the client needs only their shape.
  schema: ['schema/*.graphql', 'examples/frontend-client/federation-directives.graphql'],
  documents: ['examples/frontend-client/src/**/*.ts', '!examples/frontend-client/src/gql/**'],
  ignoreNoDocuments: false,
  // ESM imports with .js extensions, as Node and bundlers resolve them.
  emitLegacyCommonJSImports: false,
  generates: {
    'examples/frontend-client/src/gql/': {
      preset: 'client',
      presetConfig: {
        // No fragment masking: the example reads the fields it selects directly.
        fragmentMasking: false,
        // Each document carries its sha256 (`__meta__.hash`), the id the gateway's trusted documents know it by.
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        // Documents as typed strings: the client sends them as they are, no graphql-js in the bundle.
        documentMode: 'string',
        useTypeImports: true,
        enumsAsTypes: true,
        strictScalars: true,
        scalars: { DateTime: 'string', JSON: 'unknown', FieldSet: 'string', link__Import: 'string' },
      },
    },
  },
};

export default config;
