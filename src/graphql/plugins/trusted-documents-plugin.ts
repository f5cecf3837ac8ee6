/**
 * Trusted documents (persisted operations) as one component of Apollo's request pipeline, the way
 * GraphQL Hive's Apollo plugin does it. It runs first, in requestDidStart, before Apollo resolves
 * the source: a trusted document named by documentId or by a trusted Apollo hash becomes the
 * request's text (and its APQ extension is dropped, so Apollo neither checks a custom id against
 * the text nor stores it in the APQ cache); a refused request's text becomes `{ __typename }` and
 * the refusal is thrown from didResolveOperation, so the document the client sent is never parsed
 * or validated (no schema hints for it) and nothing executes (no upstream call). Everything else
 * goes on as Apollo would have it, APQ included.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { DocumentsMode } from '../../auth/caller-identity.js';
import type { GraphQLContext } from '../context.js';
import { apqHashOf, decideDocument, documentIdOf } from '../trusted-documents/document-request.js';
import type { TrustedDocuments } from '../trusted-documents/trusted-documents.js';

/** Parsed and validated in place of a refused document: trivially valid, no fields that execute. */
const REFUSED_STAND_IN = '{ __typename }';

interface TrustedDocumentsPluginOptions {
  documents: TrustedDocuments;
  /** TRUSTED_DOCUMENTS_DEFAULT_MODE: for callers whose key or JWT names no mode, and anonymous ones. */
  defaultMode: DocumentsMode;
}

function modeOf(context: Pick<GraphQLContext, 'caller'>, defaultMode: DocumentsMode): DocumentsMode {
  return context.caller?.documents ?? defaultMode;
}

export function trustedDocumentsPlugin(options: TrustedDocumentsPluginOptions): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart({ request, contextValue }) {
      // Text and extensions as Apollo read them (GET or POST); documentId is not one of Apollo's fields.
      const documentId = documentIdOf(request.http?.body, request.http?.search);
      const apqHash = apqHashOf(request.extensions);
      const decision = await decideDocument(
        {
          ...(request.query === undefined ? {} : { query: request.query }),
          ...(documentId === undefined ? {} : { documentId }),
          ...(apqHash === undefined ? {} : { apqHash }),
        },
        modeOf(contextValue, options.defaultMode),
        options.documents,
      );
      if (decision.kind === 'as-sent') return;
      const { persistedQuery: _persistedQuery, ...extensions } = request.extensions ?? {};
      request.extensions = extensions;
      let refusal: GraphQLError | null = null;
      if (decision.kind === 'trusted') {
        request.query = decision.query;
      } else {
        refusal = decision.error;
        request.query = REFUSED_STAND_IN;
        request.operationName = undefined;
        request.variables = {};
      }
      return {
        async didResolveOperation() {
          if (refusal !== null) throw refusal;
        },
      };
    },
  };
}
