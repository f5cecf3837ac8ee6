/** The OAuth state's nonces in Redis: two replicas sharing the secret accept a state once. */
import { Redis } from 'ioredis';
import { OAuthStateSigner, RedisNonceStore } from '../../src/auth/oauth-state.js';

const redisUrl = process.env.REDIS_URL;
const describeIf = redisUrl ? describe : describe.skip;
if (!redisUrl) console.warn('oauth-state-redis.test.ts: set REDIS_URL to run the Redis nonce store tests');

describeIf('RedisNonceStore', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(redisUrl ?? '');
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('when replica B receives a callback replica A issued, then it is accepted once across both', async () => {
    const prefix = `test:oauth-state:${Date.now()}:`;
    const replicaA = new OAuthStateSigner('shared-secret', 60_000, new RedisNonceStore(redis, prefix));
    const replicaB = new OAuthStateSigner('shared-secret', 60_000, new RedisNonceStore(redis, prefix));
    const state = replicaA.issue();
    expect(await replicaB.verifyAndConsume(state)).toEqual({ ok: true });
    expect(await replicaA.verifyAndConsume(state)).toEqual({ ok: false, reason: 'replayed' });
    const ttl = await redis.pttl(
      `${prefix}${JSON.parse(Buffer.from(state.split('.')[0] ?? '', 'base64url').toString()).n}`,
    );
    expect(ttl).toBeGreaterThan(0);
  });
});
