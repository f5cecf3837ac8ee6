/**
 * A deadline per operation (GRAPHQL_OPERATION_TIMEOUT_MS). When it passes, the operation's
 * AbortSignal fires (hand it to upstream calls through `onStart`, e.g. into
 * `context.callOptions.signal`, so in-flight HighLevel requests stop) and every field not yet
 * started fails with OPERATION_TIMEOUT instead of starting more upstream work.
 */
import { setMaxListeners } from 'node:events';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const OPERATION_TIMEOUT = 'OPERATION_TIMEOUT';

export function operationTimeoutError(timeoutMs: number): GraphQLError {
  return new GraphQLError(
    `The operation ran longer than ${timeoutMs} ms and was stopped (GRAPHQL_OPERATION_TIMEOUT_MS)`,
    {
      extensions: { code: OPERATION_TIMEOUT, timeoutMs },
    },
  );
}

export function operationTimeoutPlugin<Context extends object>(
  timeoutMs: number,
  onStart?: (context: Context, signal: AbortSignal) => void,
): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ contextValue }) {
      const controller = new AbortController();
      // Every upstream call of the operation listens on this one signal (a 50-contact page
      // makes 100+), so Node's default of 10 listeners would warn of a leak that is none.
      setMaxListeners(0, controller.signal);
      const timer = setTimeout(() => controller.abort(operationTimeoutError(timeoutMs)), timeoutMs);
      // A forgotten timer must not keep a shutting-down process alive.
      timer.unref();
      onStart?.(contextValue, controller.signal);
      return {
        async executionDidStart() {
          return {
            willResolveField() {
              if (controller.signal.aborted) throw operationTimeoutError(timeoutMs);
            },
          };
        },
        async willSendResponse() {
          clearTimeout(timer);
        },
      };
    },
  };
}
