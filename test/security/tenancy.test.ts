/**
 * Tenant-tight paging and credentials (issue 14, part 2), over real HTTP. Every paged list
 * filters by the caller's location before it pages, so a page is never emptied by another
 * location's rows and never hints at them; cursors are opaque and bound to the location that
 * received them. Client JWTs must expire, within JWT_MAX_LIFETIME_MS, and cannot claim to start
 * (nbf) or to have been issued (iat) in the future beyond JWT_CLOCK_SKEW_MS.
 */
import { SignJWT } from 'jose';
import { openStore } from '../../src/store/open-store.js';
import { codeOf, gql, OTHER_LOCATION, startSecurityWorld, type SecurityWorld } from './security-harness.js';

const JWT_SECRET = 'security-suite-jwt-secret-of-32-chars';
const DEAD_LETTERS =
  'query($first: Int!, $after: String) { deadLetters(first: $first, after: $after) { edges { cursor node { id locationId kind } } pageInfo { hasNextPage endCursor } } }';

interface DeadPage {
  edges: Array<{ cursor: string; node: { id: string; locationId: string; kind: string } }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** Dead letters in this order: B1, B2, A1, B3, A2 (ids ascending), straight into the state database. */
async function seedDeadLetters(databaseUrl: string, a: string, b: string): Promise<void> {
  const store = await openStore(databaseUrl, { outboxMaxAttempts: 1 });
  try {
    for (const [location, kind] of [
      [b, 'b1'],
      [b, 'b2'],
      [a, 'a1'],
      [b, 'b3'],
      [a, 'a2'],
    ] as const) {
      await store.outbox.enqueue({ locationId: location, kind, payload: { kind }, idempotencyKey: `dead-${kind}` });
      const [claimed] = await store.outbox.claimDue('security-suite', 1, 60_000);
      if (claimed === undefined) throw new Error('nothing to claim');
      await store.outbox.fail(claimed.id, 'Roofr refused it', new Date(0), { owner: 'security-suite' });
    }
  } finally {
    await store.close();
  }
}

/** What an opaque cursor carries, if a client decodes it anyway. */
function decoded(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

describe('tenant-tight paging', () => {
  let world: SecurityWorld;
  let adminA: string;
  let adminB: string;
  let readerAB: string;

  beforeAll(async () => {
    world = await startSecurityWorld({ contacts: 30 });
    await seedDeadLetters(world.databaseUrl, world.sim.locationId, OTHER_LOCATION);
    adminA = await world.apiKey({ roles: ['read', 'sync-admin'] });
    adminB = await world.apiKey({ roles: ['read', 'sync-admin'], locations: [OTHER_LOCATION] });
    readerAB = await world.apiKey({ roles: ['read'], locations: [world.sim.locationId, OTHER_LOCATION] });
  });

  afterAll(async () => {
    await world.close();
  });

  it("when location A pages its dead letters behind location B's, then every page is full of A's own entries and no cursor carries B's ids", async () => {
    const gateway = await world.start();
    const first = await gql(gateway.graphqlUrl, DEAD_LETTERS, { first: 1 }, { 'x-api-key': adminA });
    expect(first.body.errors).toBeUndefined();
    const page1 = first.body.data?.deadLetters as DeadPage;
    expect(page1.edges.map((edge) => edge.node.kind)).toEqual(['a1']);
    expect(page1.pageInfo.hasNextPage).toBe(true);

    const second = await gql(
      gateway.graphqlUrl,
      DEAD_LETTERS,
      { first: 1, after: page1.pageInfo.endCursor },
      { 'x-api-key': adminA },
    );
    const page2 = second.body.data?.deadLetters as DeadPage;
    expect(page2.edges.map((edge) => edge.node.kind)).toEqual(['a2']);
    expect(page2.pageInfo.hasNextPage).toBe(false);

    const whole = await gql(gateway.graphqlUrl, DEAD_LETTERS, { first: 2 }, { 'x-api-key': adminA });
    const both = whole.body.data?.deadLetters as DeadPage;
    expect(both.edges.map((edge) => edge.node.locationId)).toEqual([world.sim.locationId, world.sim.locationId]);
    expect(both.pageInfo.hasNextPage).toBe(false);

    // B's ids (1, 2, 4) appear in no cursor A was given; A's own ids stay behind the opaque form.
    const bIds = (
      (await gql(gateway.graphqlUrl, DEAD_LETTERS, { first: 5 }, { 'x-api-key': adminB })).body.data
        ?.deadLetters as DeadPage
    ).edges.map((edge) => edge.node.id);
    expect(bIds).toHaveLength(3);
    for (const cursor of [...page1.edges, ...page2.edges].map((edge) => edge.cursor)) {
      expect(cursor).not.toMatch(/^\d+$/);
      for (const id of bIds) expect(decoded(cursor)).not.toMatch(new RegExp(`[":]${id}[",}]`));
    }
  });

  it("when location B replays a cursor location A received (dead letters, sync runs, contacts, business contacts), then it is refused BAD_USER_INPUT and B's list does not move", async () => {
    const gateway = await world.start();
    const store = gateway.writePath.store;
    for (const location of [world.sim.locationId, world.sim.locationId, OTHER_LOCATION])
      await store.syncRuns.start({ trigger: 'manual', locationId: location, mode: 'FULL' });

    const deadA = (await gql(gateway.graphqlUrl, DEAD_LETTERS, { first: 1 }, { 'x-api-key': adminA })).body.data
      ?.deadLetters as DeadPage;
    const replayedDead = await gql(
      gateway.graphqlUrl,
      DEAD_LETTERS,
      { first: 1, after: deadA.pageInfo.endCursor },
      { 'x-api-key': adminB },
    );
    expect(codeOf(replayedDead)).toBe('BAD_USER_INPUT');

    const RUNS =
      'query($after: String) { syncRuns(first: 1, after: $after) { edges { node { locationId } } pageInfo { endCursor hasNextPage } } }';
    const runsA = await gql(gateway.graphqlUrl, RUNS, {}, { 'x-api-key': adminA });
    const runsPage = runsA.body.data?.syncRuns as { pageInfo: { endCursor: string; hasNextPage: boolean } };
    expect(runsPage.pageInfo.hasNextPage).toBe(true);
    expect(
      codeOf(await gql(gateway.graphqlUrl, RUNS, { after: runsPage.pageInfo.endCursor }, { 'x-api-key': adminB })),
    ).toBe('BAD_USER_INPUT');

    // One key for both locations: a cursor of A's contacts is not one of B's.
    const CONTACTS = 'query($after: String) { contacts(first: 2, after: $after) { pageInfo { endCursor } } }';
    const contactsA = await gql(
      gateway.graphqlUrl,
      CONTACTS,
      {},
      { 'x-api-key': readerAB, 'x-location-id': world.sim.locationId },
    );
    const contactsCursor = (contactsA.body.data?.contacts as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
    const before = world.sim.log.total();
    const contactsB = await gql(
      gateway.graphqlUrl,
      CONTACTS,
      { after: contactsCursor },
      { 'x-api-key': readerAB, 'x-location-id': OTHER_LOCATION },
    );
    expect(codeOf(contactsB)).toBe('BAD_USER_INPUT');
    expect(world.sim.log.total()).toBe(before);

    // A business of A with at least two contacts, so its first page of one has a next page.
    const byBusiness = new Map<string, number>();
    for (const id of world.sim.data.listContactIds(world.sim.locationId)) {
      const businessId = world.sim.data.getContact(id)?.['businessId'];
      if (typeof businessId === 'string') byBusiness.set(businessId, (byBusiness.get(businessId) ?? 0) + 1);
    }
    const businessId = [...byBusiness].find(([, count]) => count >= 2)?.[0];
    expect(businessId).toBeDefined();
    const BUSINESS =
      'query($id: ID!, $after: String) { contactsByBusiness(businessId: $id, first: 1, after: $after) { pageInfo { endCursor hasNextPage } } }';
    const businessA = await gql(
      gateway.graphqlUrl,
      BUSINESS,
      { id: businessId },
      { 'x-api-key': readerAB, 'x-location-id': world.sim.locationId },
    );
    expect(businessA.body.errors).toBeUndefined();
    const businessPage = (
      businessA.body.data?.contactsByBusiness as { pageInfo: { endCursor: string; hasNextPage: boolean } }
    ).pageInfo;
    expect(businessPage.hasNextPage).toBe(true);
    const businessB = await gql(
      gateway.graphqlUrl,
      BUSINESS,
      { id: businessId, after: businessPage.endCursor },
      { 'x-api-key': readerAB, 'x-location-id': OTHER_LOCATION },
    );
    expect(codeOf(businessB)).toBe('BAD_USER_INPUT');
  });
});

describe('client JWT lifetimes', () => {
  let world: SecurityWorld;

  beforeAll(async () => {
    world = await startSecurityWorld();
  });

  afterAll(async () => {
    await world.close();
  });

  async function token(set: (jwt: SignJWT) => SignJWT): Promise<string> {
    const jwt = new SignJWT({ locations: [world.sim.locationId], roles: ['read'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('crm-user');
    return set(jwt).sign(new TextEncoder().encode(JWT_SECRET));
  }

  it('when a JWT has no exp, lives longer than JWT_MAX_LIFETIME_MS, or starts or was issued in the future, then it is refused UNAUTHENTICATED saying why; a well-formed one runs', async () => {
    const gateway = await world.start({
      JWT_SECRET,
      JWT_MAX_LIFETIME_MS: String(60 * 60_000),
      JWT_CLOCK_SKEW_MS: '60000',
    });
    const now = Math.floor(Date.now() / 1000);
    const ask = async (jwt: string) =>
      gql(gateway.graphqlUrl, '{ contacts(first: 1) { totalCount } }', {}, { authorization: `Bearer ${jwt}` });

    const refusals: Array<[string, string, RegExp]> = [
      ['no exp', await token((jwt) => jwt.setIssuedAt(now)), /exp/],
      [
        'ten years',
        await token((jwt) => jwt.setIssuedAt(now).setExpirationTime(now + 10 * 365 * 86400)),
        /lifetime|JWT_MAX_LIFETIME_MS/,
      ],
      [
        'two hours, no iat',
        await token((jwt) => jwt.setExpirationTime(now + 2 * 3600)),
        /lifetime|JWT_MAX_LIFETIME_MS/,
      ],
      [
        'nbf in an hour',
        await token((jwt) => jwt.setNotBefore(now + 3600).setExpirationTime(now + 1800)),
        /nbf|not valid yet/,
      ],
      ['iat in an hour', await token((jwt) => jwt.setIssuedAt(now + 3600).setExpirationTime(now + 1800)), /iat|future/],
    ];
    for (const [what, jwt, reason] of refusals) {
      const answer = await ask(jwt);
      expect({ what, status: answer.status, code: codeOf(answer) }).toEqual({
        what,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expect(answer.body.errors?.[0]?.message).toMatch(reason);
    }

    // Within the skew and the lifetime: accepted.
    for (const jwt of [
      await token((jwt) => jwt.setIssuedAt(now).setExpirationTime(now + 1800)),
      await token((jwt) =>
        jwt
          .setIssuedAt(now + 20)
          .setNotBefore(now + 20)
          .setExpirationTime(now + 1800),
      ),
    ]) {
      const answer = await ask(jwt);
      expect(answer.body.errors).toBeUndefined();
    }
  });
});
