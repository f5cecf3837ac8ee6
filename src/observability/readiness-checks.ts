/**
 * The checks behind GET /readyz. Each resolves when its dependency is usable and throws
 * otherwise; health-routes.ts runs them with a deadline. A replica failing one is taken out of
 * the load balancer, not restarted (/healthz stays 200 while the process runs).
 * /readyz is unauthenticated, so what it shows is chosen here: a ReadinessFailure's message
 * (written for operators, no addresses or driver errors) is shown; any other error is logged
 * and shown only as "failed".
 */
import { sql, type Kysely } from 'kysely';
import type { Redis } from 'ioredis';
import type { Database } from '../store/schema.js';

export type ReadinessCheck = () => Promise<void>;

/** A failure whose message is safe to show on /readyz: it says what to do, never an address or a driver error. */
export class ReadinessFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReadinessFailure';
  }
}

/** The state database answers a trivial query. */
export function databaseCheck(db: Kysely<Database>): ReadinessCheck {
  return async () => {
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      throw new ReadinessFailure('the state database does not answer (DATABASE_URL)', { cause: error });
    }
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
  // Created at the first probe, ioredis imported then: a process without Redis never loads it.
  let opening: Promise<Redis> | null = null;
  const probeClient = (): Promise<Redis> =>
    (opening ??= import('ioredis').then(({ Redis }) => {
      const client = new Redis(redisUrl, {
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        connectTimeout: 2000,
        retryStrategy: () => 1000,
      });
      // Without a listener ioredis prints every reconnect failure; the probe's answer says it instead.
      client.on('error', () => undefined);
      return client;
    }));
  let connecting: Promise<void> | null = null;
  return {
    async check() {
      let answer: string;
      try {
        const client = await probeClient();
        if (client.status === 'wait' || client.status === 'end') {
          connecting ??= client.connect().finally(() => {
            connecting = null;
          });
          await connecting;
        }
        answer = await client.ping();
      } catch (error) {
        throw new ReadinessFailure('Redis does not answer (REDIS_URL)', { cause: error });
      }
      if (answer !== 'PONG') throw new ReadinessFailure('Redis did not answer PING with PONG');
    },
    async close() {
      (await opening)?.disconnect();
    },
  };
}

interface TokenSource {
  getToken(locationId: string): Promise<unknown>;
}

/**
 * The token provider can supply a token for the served location (a PIT, or an OAuth install
 * that is not needs_reinstall). `publicReason` picks the failures whose message is for
 * operators (e.g. "install the app again at …").
 */
export function tokenCheck(
  provider: TokenSource,
  locationId: string,
  publicReason: (error: unknown) => string | null = () => null,
): ReadinessCheck {
  return async () => {
    try {
      await provider.getToken(locationId);
    } catch (error) {
      const reason = publicReason(error);
      throw reason === null ? error : new ReadinessFailure(reason, { cause: error });
    }
  };
}

/** OAuth without a default location: at least one installed location or company is not needs_reinstall. */
export function oauthInstallsCheck(tokens: { countActive(): Promise<number> }): ReadinessCheck {
  return async () => {
    if ((await tokens.countActive()) === 0)
      throw new ReadinessFailure('no active OAuth install: every location needs a (re)install; open /oauth/install');
  };
}
