/**
 * A deadline per operation (GRAPHQL_OPERATION_TIMEOUT_MS), in two steps:
 * - The upstream deadline, a little before the operation's: every upstream call made for the
 *   operation (through loaders, the rate budget's queue, retries, an inline Roofr push) gets the
 *   time left until it, never more (`onStart` hands it to `context.callOptions.deadlineAt`). A
 *   field whose upstream read cannot finish by then fails alone (UPSTREAM_UNAVAILABLE with
 *   reason TIMEOUT, or RATE_LIMITED), or is served stale from the cache, and the margin left is
 *   the time to assemble and send the rest of the answer.
 * - The operation's hard stop: only what truly cannot be split is still running then. Its
 *   AbortSignal fires (in-flight requests stop) and every field not yet started fails with
 *   OPERATION_TIMEOUT instead of starting more upstream work.
 *
 * The per-field check is the field guard's (src/graphql/field-guard.ts), which wraps the schema's
 * resolvers once, at start, and reads the operation's signal from its context. Apollo's
 * `willResolveField` hook would do the same, but makes Apollo wrap every field of every request
 * in its plugin dispatcher: ~3% of a warm query's CPU (bench/results/profile-notes.md), for one
 * boolean read.
 */
import { setMaxListeners } from 'node:events';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { guardFields, guardWithSignal } from '../field-guard.js';

const OPERATION_TIMEOUT = 'OPERATION_TIMEOUT';

function operationTimeoutError(timeoutMs: number): GraphQLError {
  return new GraphQLError(
    `The operation ran longer than ${timeoutMs} ms and was stopped (GRAPHQL_OPERATION_TIMEOUT_MS)`,
    {
      extensions: { code: OPERATION_TIMEOUT, timeoutMs },
    },
  );
}

/** Time kept between the upstream deadline and the operation's: a tenth, at least 200 ms, at most 1 s. */
function answerMarginMs(timeoutMs: number): number {
  return Math.min(1000, Math.max(200, Math.round(timeoutMs / 10)), Math.floor(timeoutMs / 2));
}

export type OperationStart<Context> = (context: Context, signal: AbortSignal, upstreamDeadlineAt: number) => void;

export function operationTimeoutPlugin<Context extends object>(
  timeoutMs: number,
  onStart?: OperationStart<Context>,
): ApolloServerPlugin<Context> {
  return {
    async serverWillStart({ schema }) {
      guardFields(schema);
    },
    async requestDidStart({ contextValue }) {
      const controller = new AbortController();
      // Every upstream call of the operation listens on this one signal (a 50-contact page
      // makes 100+), so Node's default of 10 listeners would warn of a leak that is none.
      setMaxListeners(0, controller.signal);
      const timer = setTimeout(() => controller.abort(operationTimeoutError(timeoutMs)), timeoutMs);
      // A forgotten timer must not keep a shutting-down process alive.
      timer.unref();
      onStart?.(contextValue, controller.signal, Date.now() + timeoutMs - answerMarginMs(timeoutMs));
      guardWithSignal(contextValue, controller.signal);
      return {
        async willSendResponse() {
          clearTimeout(timer);
        },
      };
    },
  };
}
