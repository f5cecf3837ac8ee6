/**
 * What a production gateway shows to whoever can reach it (issue 14, part 1), over real HTTP:
 * with introspection off, no error hints at the schema ("Did you mean …?") whether it comes from
 * validation or from variables; Apollo's inline traces (ftv1) only for callers holding the
 * `trace` role (the router in front), never for an ordinary key; /readyz names the dependency
 * that is down without echoing a driver error or an address.
 */
import { codeOf, gql, postJson, startSecurityWorld, type SecurityWorld } from './security-harness.js';

describe('a production gateway', () => {
  let world: SecurityWorld;
  let readKey: string;
  let traceKey: string;

  beforeAll(async () => {
    world = await startSecurityWorld();
    readKey = await world.apiKey({ roles: ['read'] });
    traceKey = await world.apiKey({ roles: ['read', 'trace'], name: 'router' });
  });

  afterAll(async () => {
    await world.close();
  });

  it('when a query names a field, argument, type or enum value that nearly exists, then the errors say it is unknown without suggesting the real name', async () => {
    const gateway = await world.start({ NODE_ENV: 'production' });
    const headers = { 'x-api-key': readKey };
    // Each probe and the real name it must not give away.
    const probes: Array<[string, Record<string, unknown>, string]> = [
      ['{ contacts(first: 1) { edges { node { emial } } } }', {}, '"email"'],
      ['{ contacts(frist: 1) { totalCount } }', {}, '"first"'],
      ['query($f: ContactFiltr) { contacts(first: 1, filter: $f) { totalCount } }', {}, '"ContactFilter"'],
      ['{ contacts(first: 1, sort: [{ field: DATE_UPDATD, direction: DESC }]) { totalCount } }', {}, '"DATE_UPDATED"'],
      // Variables are coerced at execution, past validation: their errors suggested too.
      [
        'query($s: [ContactSort!]) { contacts(first: 1, sort: $s) { totalCount } }',
        { s: [{ field: 'DATE_UPDATED', direction: 'DESCC' }] },
        '"DESC"',
      ],
      [
        'query($s: [ContactSort!]) { contacts(first: 1, sort: $s) { totalCount } }',
        { s: [{ feild: 'DATE_UPDATED' }] },
        'Did you mean',
      ],
    ];
    for (const [query, variables, hidden] of probes) {
      const answer = await gql(gateway.graphqlUrl, query, variables, headers);
      expect(answer.body.errors?.length).toBeGreaterThan(0);
      const text = JSON.stringify(answer.body.errors);
      expect(text).not.toMatch(/did you mean/i);
      expect(text).not.toContain(hidden);
    }
    // Introspection is off in production, which is what makes the hints worth hiding.
    const introspection = await gql(gateway.graphqlUrl, '{ __schema { types { name } } }', {}, headers);
    expect(codeOf(introspection)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('when a caller asks for Apollo inline traces (ftv1), then only a key holding the trace role gets one', async () => {
    const gateway = await world.start({ NODE_ENV: 'production' });
    const query = { query: '{ contacts(first: 1) { totalCount } }' };
    const ask = { 'apollo-federation-include-trace': 'ftv1' };
    const ordinary = await postJson(gateway.graphqlUrl, query, { ...ask, 'x-api-key': readKey });
    expect(ordinary.body.errors).toBeUndefined();
    expect(ordinary.body.extensions?.['ftv1']).toBeUndefined();
    const router = await postJson(gateway.graphqlUrl, query, { ...ask, 'x-api-key': traceKey });
    expect(router.body.errors).toBeUndefined();
    expect(typeof router.body.extensions?.['ftv1']).toBe('string');
  });

  it('when Redis or the state database is down, then /readyz names it without a driver error or an address', async () => {
    const gateway = await world.start({
      NODE_ENV: 'production',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    await gateway.writePath.store.close();
    const ready = await fetch(`${gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    const text = await ready.text();
    const body = JSON.parse(text) as { failed: string[]; checks: Record<string, string> };
    expect(body.failed.sort()).toEqual(['database', 'redis']);
    // Written for operators, the same whatever the driver said (it said "driver has already been
    // destroyed", "Connection is closed.", "connect ECONNREFUSED 127.0.0.1:1"); the log has that.
    expect(body.checks).toEqual({
      database: 'failed: the state database does not answer (DATABASE_URL)',
      redis: 'failed: Redis does not answer (REDIS_URL)',
      token: 'ok',
    });
    for (const leak of ['127.0.0.1', 'ECONNREFUSED', 'destroyed', 'closed', world.dir])
      expect(text).not.toContain(leak);
  });
});
