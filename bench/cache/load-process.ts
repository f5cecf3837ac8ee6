/**
 * The load generator of the cache benchmark, in its own process so its CPU work does not share
 * the gateway's event loop (on 2 cores it would otherwise take half of what is measured).
 * Receives a job over IPC (sequential runs for latency, then runs with N in flight for
 * throughput), answers with per-request timings, upstream calls and error codes.
 */
import { Agent } from 'node:http';
import { executeGraphQL, type Answer } from '../support/graphql-answer.js';

interface Job {
  type: 'job';
  url: string;
  query: string;
  variables: Array<Record<string, unknown>>;
  sequentialRuns: number;
  inFlight: number;
}

async function runJob(job: Job): Promise<{ sequential: Answer[]; parallel: Answer[]; parallelMs: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.inFlight });
  try {
    const sequential: Answer[] = [];
    for (let run = 0; run < job.sequentialRuns; run += 1)
      sequential.push(await executeGraphQL(agent, job.url, job.query, job.variables[run] ?? {}));
    const parallel: Answer[] = [];
    let next = job.sequentialRuns;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < job.variables.length) {
        const run = next;
        next += 1;
        parallel.push(await executeGraphQL(agent, job.url, job.query, job.variables[run] ?? {}));
      }
    };
    await Promise.all(Array.from({ length: job.inFlight }, () => worker()));
    return { sequential, parallel, parallelMs: performance.now() - started };
  } finally {
    agent.destroy();
  }
}

process.on('message', (message: unknown) => {
  if (message === 'close') process.exit(0);
  if (typeof message === 'object' && message !== null && 'type' in message && message.type === 'job') {
    runJob(message as Job).then(
      (result) => process.send?.({ type: 'result', ...result }),
      (error: unknown) =>
        process.send?.({
          type: 'result',
          error: error instanceof Error ? error.message : String(error),
          sequential: [],
          parallel: [],
          parallelMs: 0,
        }),
    );
  }
});
process.send?.({ type: 'ready' });
