/**
 * The OAuth `state` parameter: HMAC-SHA256 signed, expiring and single-use, so a callback
 * can only finish an install this gateway started (CSRF on the redirect) and a captured
 * callback URL cannot be replayed. Format: base64url(JSON payload) "." base64url(signature).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const OAuthStatePayloadSchema = z.object({
  /** Nonce: what makes the state single-use. */
  n: z.string().min(16),
  /** Expiry, epoch ms. */
  exp: z.number().int(),
});
type OAuthStatePayload = z.infer<typeof OAuthStatePayloadSchema>;

/**
 * Remembers consumed nonces until they expire. In-memory is right for one replica; replicas
 * sharing REDIS_URL use RedisNonceStore (wired in src/wiring/security.ts).
 */
export interface NonceStore {
  /** True the first time a nonce is consumed, false on every later attempt. */
  consume(nonce: string, expiresAt: number): Promise<boolean>;
}

class InMemoryNonceStore implements NonceStore {
  private readonly used = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  async consume(nonce: string, expiresAt: number): Promise<boolean> {
    const now = this.now();
    for (const [key, expiry] of this.used) if (expiry < now) this.used.delete(key);
    if (this.used.has(nonce)) return false;
    this.used.set(nonce, expiresAt);
    return true;
  }
}

type StateCheck = { ok: true } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'replayed' };

export class OAuthStateSigner {
  private readonly key: Buffer;

  constructor(
    secret: string | undefined,
    private readonly ttlMs: number,
    private readonly nonces: NonceStore = new InMemoryNonceStore(),
    private readonly now: () => number = Date.now,
  ) {
    // Without a configured secret a random one still protects a single replica; config says so.
    this.key = secret !== undefined ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  issue(): string {
    const payload: OAuthStatePayload = { n: randomBytes(18).toString('base64url'), exp: this.now() + this.ttlMs };
    const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  async verifyAndConsume(state: string | undefined): Promise<StateCheck> {
    if (state === undefined || state.length > 512) return { ok: false, reason: 'malformed' };
    const [body, signature, ...rest] = state.split('.');
    if (body === undefined || signature === undefined || rest.length > 0) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.sign(body), 'utf8');
    const given = Buffer.from(signature, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given))
      return { ok: false, reason: 'bad-signature' };
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const payload = OAuthStatePayloadSchema.safeParse(decoded);
    if (!payload.success) return { ok: false, reason: 'malformed' };
    if (payload.data.exp < this.now()) return { ok: false, reason: 'expired' };
    if (!(await this.nonces.consume(payload.data.n, payload.data.exp))) return { ok: false, reason: 'replayed' };
    return { ok: true };
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body, 'utf8').digest('base64url');
  }
}

/** The subset of an ioredis client the nonce store needs (SET key value PX ms NX). */
interface RedisSetNx {
  set(key: string, value: string, px: 'PX', milliseconds: number, nx: 'NX'): Promise<'OK' | null>;
}

/** Shared by all replicas: an install started on one replica can finish on another, still once. */
export class RedisNonceStore implements NonceStore {
  constructor(
    private readonly redis: RedisSetNx,
    private readonly prefix = 'gateway:oauth-state:',
    private readonly now: () => number = Date.now,
  ) {}

  async consume(nonce: string, expiresAt: number): Promise<boolean> {
    const ttl = Math.max(1, expiresAt - this.now());
    return (await this.redis.set(`${this.prefix}${nonce}`, '1', 'PX', ttl, 'NX')) === 'OK';
  }
}
