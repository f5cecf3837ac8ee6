/**
 * One wrapper around every field resolver of the schema, installed once at start, for what a
 * request decides about all of its fields:
 * - its operation's deadline has passed (operation-timeout-plugin.ts): the field fails with the
 *   signal's OPERATION_TIMEOUT instead of starting more upstream work;
 * - it runs restricted (admission's cache-only or partial mode, RequestAdmission): a field whose
 *   read was refused gets its located error here, built without a stack trace. graphql-js would
 *   build the same GraphQLError, but its constructor captures ten frames and V8 then formats them,
 *   only for the stack to be replaced by the refusal's own: ~9% of the CPU of bench:peers (e), where
 *   a refused page of 50 contacts has 150 such fields.
 * One wrapper for both, not one per duty: each adds a call to every field of every request. In
 * normal mode the result passes through untouched, so a served field pays one property read.
 */
import {
  defaultFieldResolver,
  GraphQLObjectType,
  locatedError,
  responsePathAsArray,
  type GraphQLError,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';

/** Where a request's context carries its operation's signal, for the deadline check. */
const OPERATION_SIGNAL = Symbol('operationSignal');

interface GuardedContext {
  [OPERATION_SIGNAL]?: AbortSignal;
  /** The request's admission (GraphQLContext.admission): 'normal' unless restricted. */
  admission?: { mode: string };
}

/** Lets the field guard stop the request's fields once `signal` has fired. */
export function guardWithSignal(context: object, signal: AbortSignal): void {
  (context as GuardedContext)[OPERATION_SIGNAL] = signal;
}

/**
 * What graphql-js would make of `error` at this field (or at item `index` of its list), built
 * without capturing a stack.
 */
function locatedQuietly(error: unknown, info: GraphQLResolveInfo, index?: number): GraphQLError {
  const frames = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const path = responsePathAsArray(info.path);
    return locatedError(error, info.fieldNodes, index === undefined ? path : [...path, index]);
  } finally {
    Error.stackTraceLimit = frames;
  }
}

/** `result` with its rejections (and its items', for a list of promises: `_entities`) located quietly. */
function locatingRejections(result: unknown, info: GraphQLResolveInfo): unknown {
  if (isPromise(result))
    return result.then(undefined, (error: unknown) => {
      throw locatedQuietly(error, info);
    });
  if (Array.isArray(result) && result.some(isPromise))
    return result.map((item: unknown, index) =>
      isPromise(item)
        ? item.then(undefined, (error: unknown) => {
            throw locatedQuietly(error, info, index);
          })
        : item,
    );
  return result;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

const guardedSchemas = new WeakSet<GraphQLSchema>();

/**
 * Wraps every field of `schema`, once per schema: servers sharing a schema share the guard, and
 * each request's own context is what it reads.
 */
export function guardFields(schema: GraphQLSchema): void {
  if (guardedSchemas.has(schema)) return;
  guardedSchemas.add(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(type instanceof GraphQLObjectType) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context: GuardedContext | undefined, info) => {
        const signal = context?.[OPERATION_SIGNAL];
        if (signal?.aborted === true) throw signal.reason;
        if (context?.admission === undefined || context.admission.mode === 'normal')
          return resolve(source, args, context, info);
        let result: unknown;
        try {
          result = resolve(source, args, context, info);
        } catch (error) {
          throw locatedQuietly(error, info);
        }
        return locatingRejections(result, info);
      };
    }
  }
}
