/**
 * What one GraphQL request came to, as a client sees it: `ok`, `stale` (served with
 * extensions.stale), `error:<CODE>` (a coded GraphQL error; the first error's code), or
 * `other:<why>` (an HTTP answer without a coded error, a body that is not GraphQL, no answer in
 * time, a broken connection). `gateway-down` is kept apart: a request refused while the suite
 * had killed the gateway, or cut when it was killed, says nothing about the gateway's promises.
 * Pure: the load records the raw facts and this decides.
 */
export interface RawAnswer {
  /** HTTP status, or null when no answer came. */
  status: number | null;
  /** The body when it parsed as JSON. */
  body: unknown;
  /** Why there was no (complete) answer: ECONNREFUSED, ECONNRESET, timeout… */
  transportError: string | null;
  /** The gateway was down when the request was sent, or was killed before it was answered. */
  gatewayDown: boolean;
}

interface GraphQLBody {
  data?: unknown;
  errors?: Array<{ message?: string; path?: unknown[]; extensions?: { code?: unknown; [key: string]: unknown } }>;
  extensions?: { stale?: unknown; [key: string]: unknown };
}

export function isGraphQLBody(body: unknown): body is GraphQLBody {
  return typeof body === 'object' && body !== null && ('data' in body || 'errors' in body);
}

export function classify(answer: RawAnswer): string {
  if (answer.status === null) {
    if (answer.gatewayDown) return 'gateway-down';
    return `other:${answer.transportError === 'timeout' ? 'no-answer' : (answer.transportError ?? 'no-answer')}`;
  }
  if (!isGraphQLBody(answer.body)) return `other:http-${answer.status}-not-graphql`;
  const errors = answer.body.errors ?? [];
  if (errors.length > 0) {
    const code = errors[0]?.extensions?.code;
    return typeof code === 'string' ? `error:${code}` : `other:http-${answer.status}-uncoded-error`;
  }
  if (answer.status !== 200) return `other:http-${answer.status}-without-errors`;
  return answer.body.extensions?.stale === true ? 'stale' : 'ok';
}

/** The outcome's family, for the summary: ok, stale, error, other, gateway-down. */
export function family(outcome: string): 'ok' | 'stale' | 'error' | 'other' | 'gateway-down' {
  if (outcome === 'ok' || outcome === 'stale' || outcome === 'gateway-down') return outcome;
  return outcome.startsWith('error:') ? 'error' : 'other';
}
