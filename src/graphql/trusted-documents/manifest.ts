/**
 * Trusted-document manifests in the formats the ecosystem emits, parsed at the trust boundary:
 *  - GraphQL Code Generator's client preset (`persistedDocuments: true`) `persisted-documents.json`,
 *    and Relay's / graphql-codegen-persisted-query-ids' server file: `{ "<id>": "<document text>" }`;
 *  - Apollo's persisted query manifest (`@apollo/generate-persisted-query-manifest`):
 *    `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ id, name, type, body }] }`.
 * A document's id is what clients send (documentId, or Apollo's sha256Hash); ids usually are the
 * sha256 of the text, but need not be (sha1 in older codegen, custom generators), so the sha256 of
 * the text is kept beside it: a trusted client may also send the exact text.
 */
import { createHash } from 'node:crypto';
import { GraphQLError, Kind, parse } from 'graphql';
import { z } from 'zod';

export interface TrustedDocument {
  id: string;
  /** sha256 (hex) of `body`, byte for byte as shipped. */
  sha256: string;
  body: string;
  /** The first operation's name, for listings and logs. */
  operationName: string | null;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/** Ids end up in logs and URLs: hex digests, `sha256:<hex>`, or names built of these characters. */
const DocumentIdSchema = z.string().regex(/^[\w:.-]{1,200}$/, 'a document id is 1 to 200 letters, digits and _ : . -');

/** The largest document text accepted (the /graphql body limit is 100 kB by default). */
const MAX_DOCUMENT_BYTES = 100_000;

const BodySchema = z.string().min(1).max(MAX_DOCUMENT_BYTES);

const ApolloManifestSchema = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: DocumentIdSchema,
      name: z.string().optional(),
      type: z.enum(['query', 'mutation', 'subscription']).optional(),
      body: BodySchema,
    }),
  ),
});

const DocumentMapSchema = z.record(DocumentIdSchema, BodySchema);

export function documentSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function operationNameOf(body: string, id: string): string | null {
  let document;
  try {
    document = parse(body, { noLocation: true });
  } catch (error) {
    const reason = error instanceof GraphQLError ? error.message : String(error);
    throw new ManifestError(`document ${id} is not GraphQL: ${reason}`);
  }
  for (const definition of document.definitions)
    if (definition.kind === Kind.OPERATION_DEFINITION) return definition.name?.value ?? null;
  throw new ManifestError(`document ${id} has no operation`);
}

function toDocument(id: string, body: string): TrustedDocument {
  return { id, sha256: documentSha256(body), body, operationName: operationNameOf(body, id) };
}

/** The documents of one manifest (any known format); throws ManifestError saying what is wrong. */
export function parseManifest(json: unknown): TrustedDocument[] {
  if (typeof json === 'object' && json !== null && 'format' in json) {
    const manifest = ApolloManifestSchema.safeParse(json);
    if (!manifest.success)
      throw new ManifestError(`not an Apollo persisted query manifest: ${describe(manifest.error)}`);
    return manifest.data.operations.map((operation) => toDocument(operation.id, operation.body));
  }
  const map = DocumentMapSchema.safeParse(json);
  if (!map.success)
    throw new ManifestError(
      `neither an Apollo persisted query manifest nor a { "<id>": "<document>" } map (persisted-documents.json): ${describe(map.error)}`,
    );
  return Object.entries(map.data).map(([id, body]) => toDocument(id, body));
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue === undefined ? 'unexpected shape' : `${issue.path.join('.') || '(top)'}: ${issue.message}`;
}
