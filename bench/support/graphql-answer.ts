/**
 * One GraphQL request as the cache benchmark counts it: time, upstream calls the gateway
 * reported (`extensions.upstream.calls`), whether it failed and the first error's code.
 */
import type { Agent } from 'node:http';
import { postJson } from './http-post.js';

export interface Answer {
  ms: number;
  calls: number;
  failed: boolean;
  code: string | null;
}

export async function executeGraphQL(
  agent: Agent,
  url: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Answer> {
  const started = performance.now();
  const response = await postJson(agent, url, JSON.stringify({ query, variables }));
  const body = JSON.parse(response.text) as {
    errors?: Array<{ extensions?: { code?: string } }>;
    extensions?: { upstream?: { calls: number } };
  };
  return {
    ms: performance.now() - started,
    calls: body.extensions?.upstream?.calls ?? 0,
    failed: response.status !== 200 || (body.errors?.length ?? 0) > 0,
    code: body.errors?.[0]?.extensions?.code ?? null,
  };
}
