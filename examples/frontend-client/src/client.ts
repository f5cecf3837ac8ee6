/**
 * A small typed client for the gateway, with no UI framework and no GraphQL library: operations
 * are the TypedDocumentStrings codegen writes (src/gql/), so `execute(ContactsPageQuery, vars)`
 * checks the variables and types the data at compile time.
 *
 * - `send: 'document'` posts the document text (works against any gateway); `send: 'persisted'`
 *   posts only its sha256 as `documentId` and `extensions.persistedQuery`, for a gateway that
 *   loaded persisted-documents.json as trusted documents.
 * - A GraphQL error becomes a GatewayError carrying `extensions.code` (NOT_FOUND, RATE_LIMITED
 *   with retryAfterMs, …), so callers branch on codes, never on messages.
 * - `extensions` (upstream calls, rate limit, response cache, stale) come back with the data.
 */
import type { TypedDocumentString } from './gql/graphql.js';

export interface GatewayClientOptions {
  /** e.g. https://gateway.example.com/graphql */
  url: string;
  /** Credentials and the like: `{ 'x-api-key': 'gk_…' }` or `{ authorization: 'Bearer <JWT>' }`. */
  headers?: Record<string, string>;
  send?: 'document' | 'persisted';
  fetch?: typeof fetch;
}

export interface GatewayResult<Data> {
  data: Data;
  extensions: Record<string, unknown>;
}

export interface GatewayErrorDetail {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

export class GatewayError extends Error {
  readonly code: string;
  constructor(
    readonly status: number,
    readonly errors: GatewayErrorDetail[],
  ) {
    super(errors.map((error) => error.message).join('; ') || `HTTP ${status}`);
    this.name = 'GatewayError';
    const code = errors[0]?.extensions?.['code'];
    this.code = typeof code === 'string' ? code : 'UNKNOWN';
  }
}

interface GraphQLResponse<Data> {
  data?: Data | null;
  errors?: GatewayErrorDetail[];
  extensions?: Record<string, unknown>;
}

export function createGatewayClient(options: GatewayClientOptions) {
  const send = options.send ?? 'document';
  const doFetch = options.fetch ?? fetch;

  function body<Data, Variables>(
    document: TypedDocumentString<Data, Variables>,
    variables: Variables | Record<string, never>,
  ): Record<string, unknown> {
    if (send === 'document') return { query: document.toString(), variables };
    const hash = document.__meta__?.['hash'];
    if (typeof hash !== 'string') throw new Error('this document has no persisted hash: run codegen');
    return {
      documentId: `sha256:${hash}`,
      variables,
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    };
  }

  return {
    /** Runs one operation; resolves with typed data, rejects with a GatewayError on any GraphQL error. */
    async execute<Data, Variables>(
      document: TypedDocumentString<Data, Variables>,
      ...[variables]: Variables extends Record<string, never> ? [] : [Variables]
    ): Promise<GatewayResult<Data>> {
      const response = await doFetch(options.url, {
        method: 'POST',
        headers: {
          ...options.headers,
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
        },
        body: JSON.stringify(body(document, variables ?? {})),
      });
      const result = (await response.json()) as GraphQLResponse<Data>;
      if (result.errors?.length || result.data === undefined || result.data === null) {
        throw new GatewayError(response.status, result.errors ?? []);
      }
      return { data: result.data, extensions: result.extensions ?? {} };
    },
  };
}

export type GatewayClient = ReturnType<typeof createGatewayClient>;
