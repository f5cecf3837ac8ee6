/**
 * Admission before HighLevel has told its limits. The budget learns a location's limits from the
 * headers of its first answer; until then no estimate holds. Admitting every operation blind let
 * a burst of cold operations overrun the first window, and their calls then waited for the next
 * (~10 s in production) although ADMISSION_MAX_WAIT_MS promises an answer or a RATE_LIMITED much
 * sooner. Now one operation goes (at most the 100 calls HighLevel documents for a window) and the
 * others wait for its first answer, up to ADMISSION_MAX_WAIT_MS, then are admitted or refused as
 * usual; when it ends without saying the limits, the next one goes.
 *
 * Real HTTP against the simulator, with a window of 10 calls per 8 s and 50 ms per answer. The
 * time bounds are promises (an answer well before the next window), with wide margins.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Gateway } from '../../src/gateway.js';
import { WRITE_TOKEN, gql, startWriteWorld, type GraphQLAnswer, type WriteWorld } from './mutations-harness.js';

const WINDOW_MS = 8_000;
const MAX_WAIT_MS = 300;
/** Far below a window: an operation that waited for the next window cannot answer within it. */
const ANSWERED_WITHIN_MS = MAX_WAIT_MS + 2_700;

const CONTACT_NESTED = `query($id: ID!) { contact(id: $id) { id name tasks { id } notes { id } appointments { id } } }`;
/** 1 search + 60 notes + 60 appointments: more than the 100 calls the first operation may spend blind. */
const SIXTY_WITH_LISTS = `{ contacts(first: 60) { edges { node { id notes { id } appointments { id } } } } }`;

type Answer = GraphQLAnswer & { extensions?: Record<string, unknown> };

let world: WriteWorld;
let gateway: Gateway;
let ids: string[];

beforeEach(async () => {
  world = await startWriteWorld({ contacts: 60 });
  world.ghlSim.setRateLimit({ max: 10, intervalMs: WINDOW_MS });
  world.ghlSim.faults.setLatency({ ms: 50 });
  ids = world.ghlSim.data.listContactIds();
  gateway = await world.startGateway({
    ADMISSION_MAX_WAIT_MS: String(MAX_WAIT_MS),
    GRAPHQL_OPERATION_TIMEOUT_MS: '15000',
    RESPONSE_CACHE_MAX_ENTRIES: '0',
  });
});

afterEach(async () => {
  await world.close();
});

async function timed(run: () => Promise<GraphQLAnswer>): Promise<{ answer: Answer; elapsedMs: number }> {
  const started = performance.now();
  const answer = await run();
  return { answer, elapsedMs: performance.now() - started };
}

function refusals(answer: Answer): unknown[] {
  return (answer.errors ?? []).map((error) => error.extensions);
}

describe('admission before the limits are known', () => {
  it('when eight cold operations arrive before the first answer, then none waits for a later window and no 429 is earned', async () => {
    const answers = await Promise.all(ids.slice(0, 8).map((id) => timed(() => gql(gateway, CONTACT_NESTED, { id }))));
    for (const { elapsedMs } of answers) expect(elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
    const complete = answers.filter(({ answer }) => answer.errors === undefined);
    // 4 calls each, 10 a window: the first is admitted blind, the others as the window allows.
    expect(complete.length).toBeGreaterThanOrEqual(1);
    expect(complete.length).toBeLessThanOrEqual(2);
    for (const { answer } of answers.filter(({ answer }) => answer.errors !== undefined))
      for (const extensions of refusals(answer))
        expect(extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    expect(world.ghlSim.log.snapshot().rateLimited).toBe(0);
    expect(world.ghlSim.log.snapshot().total).toBeLessThanOrEqual(10);
  }, 20_000);

  it('when the first operation needs more calls than may go blind, then it spends those, says so, and its retry completes it', async () => {
    world.ghlSim.setRateLimit({ max: 200, intervalMs: WINDOW_MS });
    const first = (await gql(gateway, SIXTY_WITH_LISTS)) as Answer;
    expect(first.extensions).toMatchObject({
      admission: { mode: 'partial', grantedCalls: 100, retryAfterMs: expect.any(Number) },
    });
    expect(world.ghlSim.log.snapshot().total).toBeLessThanOrEqual(100);
    expect(refusals(first)[0]).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
    // Following the advice completes it: the limits are known from the first try on.
    let retry = first;
    for (let attempt = 0; attempt < 3 && retry.errors !== undefined; attempt += 1) {
      const advice = retry.errors[0]?.extensions?.['retryAfterMs'];
      await new Promise((resolveWait) => setTimeout(resolveWait, (typeof advice === 'number' ? advice : 1_000) + 50));
      retry = (await gql(gateway, SIXTY_WITH_LISTS)) as Answer;
    }
    expect(retry.errors).toBeUndefined();
    expect((retry.data?.['contacts'] as { edges: unknown[] }).edges).toHaveLength(60);
    expect(world.ghlSim.log.snapshot().rateLimited).toBe(0);
  }, 40_000);

  it('when the first operation ends without saying the limits (a 401), then the next one goes and is answered for itself, not RATE_LIMITED', async () => {
    world.ghlSim.tokens.revoke(WRITE_TOKEN);
    const [firstId = '', secondId = ''] = ids;
    const answers = await Promise.all([
      timed(() => gql(gateway, CONTACT_NESTED, { id: firstId })),
      timed(() => gql(gateway, CONTACT_NESTED, { id: secondId })),
    ]);
    for (const { answer, elapsedMs } of answers) {
      expect(elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(answer.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
  }, 20_000);

  it('when the first answer hangs, then a second read and a mutation are answered RATE_LIMITED within ADMISSION_MAX_WAIT_MS', async () => {
    world.ghlSim.faults.hangNext(1);
    const [firstId = '', secondId = ''] = ids;
    const hung = gql(gateway, CONTACT_NESTED, { id: firstId });
    // The first operation's first call is out (and hangs) before the others arrive.
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    const read = await timed(() => gql(gateway, CONTACT_NESTED, { id: secondId }));
    const write = await timed(() =>
      gql(
        gateway,
        `mutation { createContact(input: { firstName: "Ada", email: "ada@example.com" }) { contact { id } } }`,
      ),
    );
    for (const { answer, elapsedMs } of [read, write]) {
      expect(elapsedMs).toBeLessThan(ANSWERED_WITHIN_MS);
      expect(refusals(answer)[0]).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: expect.any(Number) });
      expect(answer.errors?.[0]?.message).toMatch(/limits for this location are not known yet/);
    }
    // Nothing of the refused write reached HighLevel.
    expect(world.ghlSim.log.snapshot().counts['POST /contacts/'] ?? 0).toBe(0);
    await hung;
  }, 30_000);
});
