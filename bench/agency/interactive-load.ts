/**
 * The interactive side of the agency benchmark: one client per read location (10 of them), as a
 * frontend user of that sub-account would be, each alternating between the two replicas, asking
 * `contact(id)` with tasks and notes for contacts of its location (a working set of 50, so the
 * shared cache helps as it does for real users) with a pause between requests, until stopped.
 * Every answer is timed; errors are kept by code.
 */
import { mulberry32 } from '../../src/simulators/prng.js';

const CONTACT = 'query($id: ID!) { contact(id: $id) { id name tasks { id } notes { id } } }';

interface LoadOptions {
  graphqlUrls: string[];
  bearer: string;
  /** location → the contact ids its client reads. */
  contacts: Record<string, string[]>;
  thinkMs: number;
  seed: number;
}

export interface LoadResult {
  latenciesMs: number[];
  answered: number;
  errors: Record<string, number>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function startInteractiveLoad(options: LoadOptions): { stop(): Promise<LoadResult> } {
  const result: LoadResult = { latenciesMs: [], answered: 0, errors: {} };
  let stopped = false;
  const count = (code: string): void => {
    result.errors[code] = (result.errors[code] ?? 0) + 1;
  };
  const clients = Object.entries(options.contacts).map(async ([locationId, ids], index) => {
    const random = mulberry32(options.seed + index);
    for (let turn = index; !stopped; turn += 1) {
      const url = options.graphqlUrls[turn % options.graphqlUrls.length] ?? '';
      const id = ids[Math.floor(random() * ids.length)];
      const started = performance.now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${options.bearer}`,
            'x-location-id': locationId,
          },
          body: JSON.stringify({ query: CONTACT, variables: { id } }),
          signal: AbortSignal.timeout(30_000),
        });
        const body = (await response.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        result.latenciesMs.push(performance.now() - started);
        if (body.errors !== undefined && body.errors.length > 0) count(body.errors[0]?.extensions?.code ?? 'UNKNOWN');
        else result.answered += 1;
      } catch (error) {
        count(error instanceof Error ? error.name : 'FETCH_FAILED');
      }
      await sleep(options.thinkMs);
    }
  });
  return {
    async stop() {
      stopped = true;
      await Promise.all(clients);
      return result;
    },
  };
}
