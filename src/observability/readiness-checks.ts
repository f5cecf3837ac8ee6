/**
 * The checks behind GET /readyz. Each resolves when its dependency is usable and throws an
 * Error saying what is wrong (and what to do) otherwise; health-routes.ts runs them with a
 * deadline. A replica failing one is taken out of the load balancer, not restarted (/healthz
 * stays 200 while the process runs).
 */
import { sql, type Kysely } from 'kysely';
import { Redis } from 'ioredis';
import type { Database } from '../store/schema.js';

export type ReadinessCheck = () => Promise<void>;

/** The state database answers a trivial query. */
export function databaseCheck(db: Kysely<Database>): ReadinessCheck {
  return async () => {
    await sql`select 1`.execute(db);
  };
}

export interface RedisCheck {
  check: ReadinessCheck;
  close(): Promise<void>;
}

/**
 * Redis answers PING, on a connection of its own: the cache's and the rate budget's clients
 * have their own reconnect policies and queues, which a probe must not wait behind.
 */
export function redisCheck(redisUrl: string): RedisCheck {
  const client = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    retryStrategy: () => 1000,
  });
  // Without a listener ioredis prints every reconnect failure; the probe's answer says it instead.
  client.on('error', () => undefined);
  let connecting: Promise<void> | null = null;
  return {
    async check() {
      if (client.status === 'wait' || client.status === 'end') {
        connecting ??= client.connect().finally(() => {
          connecting = null;
        });
        await connecting;
      }
      const answer = await client.ping();
      if (answer !== 'PONG') throw new Error(`Redis answered ${answer} to PING`);
    },
    async close() {
      client.disconnect();
    },
  };
}

export interface TokenSource {
  getToken(locationId: string): Promise<unknown>;
}

/** The token provider can supply a token for the served location (a PIT, or an OAuth install that is not needs_reinstall). */
export function tokenCheck(provider: TokenSource, locationId: string): ReadinessCheck {
  return async () => {
    await provider.getToken(locationId);
  };
}

/** OAuth without a default location: at least one installed location or company is not needs_reinstall. */
export function oauthInstallsCheck(db: Kysely<Database>): ReadinessCheck {
  return async () => {
    const row = await db
      .selectFrom('oauth_tokens')
      .select((eb) => eb.fn.countAll<string | number>().as('n'))
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (Number(row?.n ?? 0) === 0)
      throw new Error('no active OAuth install: every location needs a (re)install; open /oauth/install');
  };
}
