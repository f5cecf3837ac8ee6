/**
 * What a request asks to run, and whether its client may: the one decision behind trusted
 * documents, taken by the Apollo plugin (trusted-documents-plugin.ts) for every operation and by
 * the whole-response cache in front of Express (src/response-reuse/front-layer.ts) before it reuses an
 * answer, so neither path can be used to get around the other.
 *
 * A request names its document in one of three ways: `documentId` (GraphQL over HTTP's persisted
 * documents, Hive, Relay's `doc_id`), Apollo's `extensions.persistedQuery.sha256Hash` (persisted
 * query manifests and automatic persisted queries), or the text (`query`).
 *  - allow-any clients: a documentId must be trusted; an Apollo hash that is trusted runs as such,
 *    any other hash and any text go to Apollo as they are (APQ, ordinary requests).
 *  - trusted-only clients: only trusted documents, by id, hash or exact text; anything else is
 *    PERSISTED_QUERY_NOT_ALLOWED (an unknown hash PERSISTED_QUERY_NOT_FOUND, as Apollo answers it,
 *    so Apollo Client sends the text, which is then refused), and never looked up in the APQ cache.
 */
import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { DocumentsMode } from '../../auth/caller-identity.js';
import { ErrorCode } from '../errors.js';
import { TrustedDocumentsUnavailableError, type TrustedDocuments } from './trusted-documents.js';

interface DocumentRequest {
  query?: string;
  documentId?: string;
  apqHash?: string;
}

type DocumentDecision =
  /** Run this trusted text instead of whatever the request carried (drop the APQ extension). */
  | { kind: 'trusted'; query: string }
  /** Leave the request to Apollo as it is: an ordinary request, or APQ. */
  | { kind: 'as-sent' }
  | { kind: 'refused'; error: GraphQLError };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Apollo's `extensions.persistedQuery.sha256Hash`, when the extensions carry one. */
export function apqHashOf(extensions: unknown): string | undefined {
  const persisted = isRecord(extensions) ? extensions['persistedQuery'] : undefined;
  return isRecord(persisted) ? text(persisted['sha256Hash']) : undefined;
}

/** `documentId` (or Relay's `doc_id`) of a JSON body (POST) or of the query string (GET). */
export function documentIdOf(body: unknown, search?: string): string | undefined {
  const fields = isRecord(body) ? body : {};
  const params = new URLSearchParams(search ?? '');
  return (
    text(fields['documentId']) ?? text(fields['doc_id']) ?? text(params.get('documentId')) ?? text(params.get('doc_id'))
  );
}

/** The document reference of a POST JSON body, as sent. */
function documentRequestOf(body: unknown): DocumentRequest {
  const fields = isRecord(body) ? body : {};
  const query = text(fields['query']);
  const documentId = documentIdOf(body);
  const apqHash = apqHashOf(fields['extensions']);
  return {
    ...(query === undefined ? {} : { query }),
    ...(documentId === undefined ? {} : { documentId }),
    ...(apqHash === undefined ? {} : { apqHash }),
  };
}

const NOT_ALLOWED_MESSAGE =
  'This client may only run trusted documents: send the documentId (or extensions.persistedQuery.sha256Hash) of a document its app shipped with';

function refused(code: string, message: string, status: number, headers?: HeaderMap): DocumentDecision {
  const http = headers === undefined ? { status } : { status, headers };
  return { kind: 'refused', error: new GraphQLError(message, { extensions: { code, http } }) };
}

const notAllowed = (): DocumentDecision => refused(ErrorCode.PersistedQueryNotAllowed, NOT_ALLOWED_MESSAGE, 400);

export async function decideDocument(
  request: DocumentRequest,
  mode: DocumentsMode,
  documents: TrustedDocuments,
): Promise<DocumentDecision> {
  try {
    if (request.documentId !== undefined) {
      if (request.query !== undefined) return refused('BAD_REQUEST', 'Send either documentId or query, not both', 400);
      const document = await documents.get(request.documentId);
      if (document === null)
        return refused(ErrorCode.PersistedQueryNotFound, `No trusted document has the id ${request.documentId}`, 400);
      return { kind: 'trusted', query: document.body };
    }
    if (request.apqHash !== undefined && request.query === undefined) {
      const document = await documents.get(request.apqHash);
      if (document !== null) return { kind: 'trusted', query: document.body };
      // Apollo's own answer to an unknown hash (status 200): Apollo Client then sends the text.
      if (mode === 'trusted-only')
        return refused(
          ErrorCode.PersistedQueryNotFound,
          'PersistedQueryNotFound',
          200,
          new HeaderMap([['cache-control', 'private, no-cache, must-revalidate']]),
        );
      return { kind: 'as-sent' };
    }
    if (mode === 'allow-any') return { kind: 'as-sent' };
    if (request.query === undefined) return notAllowed();
    const document = await documents.byText(request.query);
    return document === null ? notAllowed() : { kind: 'trusted', query: document.body };
  } catch (error) {
    if (!(error instanceof TrustedDocumentsUnavailableError)) throw error;
    return refused(
      ErrorCode.ServiceUnavailable,
      'Trusted documents cannot be checked right now (the state database does not answer); retry shortly',
      503,
    );
  }
}

/**
 * For the whole-response cache in front of Express: the text whose reused answer this request
 * may get, or null when only the pipeline can answer it (a refusal, an APQ request). A documentId
 * resolves to its text, so repeated documentId requests are reused like repeated texts; a
 * trusted-only caller's text must be trusted, so an answer kept while its key was allow-any (or
 * for a document since removed) is never given to it.
 */
export function trustedDocumentText(
  documents: TrustedDocuments,
  defaultMode: DocumentsMode,
): (body: unknown, caller: { documents?: DocumentsMode } | undefined) => Promise<string | null> {
  return async (body, caller) => {
    const request = documentRequestOf(body);
    const decision = await decideDocument(request, caller?.documents ?? defaultMode, documents);
    if (decision.kind === 'trusted') return decision.query;
    if (decision.kind === 'refused' || request.apqHash !== undefined) return null;
    return request.query ?? null;
  };
}
