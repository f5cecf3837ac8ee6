/**
 * Idempotency-Key handling as the REST shape assumes it (Stripe's rules): the first response to a
 * key is stored and replayed for the same request; the same key on a different request is a 409.
 * Scoped per API key. Requests are handled one at a time between awaits, so two concurrent
 * same-key requests cannot both create.
 */
import { createHash } from 'node:crypto';

interface StoredResponse {
  status: number;
  body: unknown;
}

export class IdempotencyStore {
  private readonly entries = new Map<string, { fingerprint: string; response: StoredResponse }>();

  static fingerprint(method: string, path: string, rawBody: string): string {
    return createHash('sha256').update(`${method}\n${path}\n${rawBody}`).digest('hex');
  }

  lookup(
    scope: string,
    key: string,
    fingerprint: string,
  ): { kind: 'miss' } | { kind: 'replay'; response: StoredResponse } | { kind: 'conflict' } {
    const entry = this.entries.get(`${scope}\u0000${key}`);
    if (!entry) return { kind: 'miss' };
    return entry.fingerprint === fingerprint ? { kind: 'replay', response: entry.response } : { kind: 'conflict' };
  }

  remember(scope: string, key: string, fingerprint: string, response: StoredResponse): void {
    this.entries.set(`${scope}\u0000${key}`, { fingerprint, response });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
