/** The runner's side of simulator-process.ts: start it, read its request log, reset its budget. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { forkTs, nextMessage, type ChildHandle } from './child-processes.js';
import type { Upstream } from './systems.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface SimStats {
  total: number;
  rateLimited: number;
  counts: Record<string, number>;
}

export interface SimReady {
  type: 'ready';
  url: string;
  locationId: string;
  token: string;
  contactIds: string[];
  rateLimit: { max: number; intervalMs: number };
  latencyMs: number;
}

export interface SimControl {
  ready: SimReady;
  upstream: Upstream;
  stats(): Promise<SimStats>;
  /** Forgets the request log and the rate-limit counts. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Cursors of the first `pages` GET /contacts/ pages of 50, fetched once (Mesh pages with them). */
async function listPageCursors(ready: SimReady, pages: number): Promise<Upstream['listPages']> {
  const cursors: Upstream['listPages'] = [null];
  let next: { startAfter: number; startAfterId: string } | null = null;
  for (let page = 1; page < pages; page += 1) {
    const url = new URL('/contacts/', ready.url);
    url.searchParams.set('locationId', ready.locationId);
    url.searchParams.set('limit', '50');
    if (next) {
      url.searchParams.set('startAfter', String(next.startAfter));
      url.searchParams.set('startAfterId', next.startAfterId);
    }
    const response = await fetch(url, { headers: { authorization: `Bearer ${ready.token}`, version: '2021-07-28' } });
    if (!response.ok) throw new Error(`GET /contacts/ answered ${response.status} while reading page cursors`);
    const body = (await response.json()) as { meta?: { startAfter?: unknown; startAfterId?: unknown } };
    const startAfter = body.meta?.startAfter;
    const startAfterId = body.meta?.startAfterId;
    if (typeof startAfter !== 'number' || typeof startAfterId !== 'string')
      throw new Error('GET /contacts/ sent no meta.startAfter / startAfterId');
    next = { startAfter, startAfterId };
    cursors.push(next);
  }
  return cursors;
}

export async function startSimulator(env: Record<string, string>, pages: number): Promise<SimControl> {
  const handle: ChildHandle = forkTs(join(here, 'simulator-process.ts'), env);
  const ready = await nextMessage<SimReady>(handle.child, 'ready');
  const stats = async (): Promise<SimStats> => {
    const answer = nextMessage<SimStats & { type: 'stats' }>(handle.child, 'stats');
    handle.child.send('stats');
    const { total, rateLimited, counts } = await answer;
    return { total, rateLimited, counts };
  };
  const reset = async (): Promise<void> => {
    const done = nextMessage(handle.child, 'reset-done');
    handle.child.send('reset');
    await done;
  };
  const listPages = await listPageCursors(ready, pages);
  await reset();
  return {
    ready,
    upstream: { url: ready.url, token: ready.token, locationId: ready.locationId, listPages },
    stats,
    reset,
    stop: () => handle.stop(),
  };
}
