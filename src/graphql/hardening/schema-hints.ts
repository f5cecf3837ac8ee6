/**
 * Where introspection is off, errors must not hand out the schema piece by piece: graphql-js
 * suggests near names ("Cannot query field "emial" … Did you mean "email"?") in validation
 * errors and in variable coercion errors (`Value "DESCC" does not exist in "SortDirection" enum.
 * Did you mean …?`). Validation is told not to suggest (graphql's `hideSuggestions`); this plugin
 * removes what execution still appends, on every error a response carries, so no path is missed.
 */
import type { ApolloServerPlugin } from '@apollo/server';

/** graphql-js's suggestion sentence, at the end of a message or before the next sentence. */
const SUGGESTION = / ?Did you mean [^?]*\?/g;

function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

export function hideSchemaHintsPlugin<Context extends object>(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors === undefined) return;
          result.errors = result.errors.map((error) => {
            const message = withoutSuggestions(error.message);
            return message === error.message ? error : { ...error, message };
          });
        },
      };
    },
  };
}
