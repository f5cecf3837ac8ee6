/**
 * Named secrets (Roofr API key, webhook secret, Zapier hook URL…) encrypted at rest in the
 * store's secrets table, set through `npm run auth -- secret set <name> <value>`. Values are
 * returned to code that needs them and never listed or logged; `names()` is what operators see.
 */
import type { SecretsTable } from '../store/schema.js';
import type { KeyRing } from './key-ring.js';

export type SecretRow = SecretsTable;

/** The names the gateway reads; others may be stored but nothing uses them. */
export const KNOWN_SECRETS = {
  roofrApiKey: 'roofr.api_key',
  roofrWebhookSecret: 'roofr.webhook_secret',
  roofrZapierHookUrl: 'roofr.zapier_hook_url',
} as const;

const SECRET_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

export interface SecretRepository {
  get(key: string): Promise<SecretRow | null>;
  upsert(row: SecretRow): Promise<void>;
  list(): Promise<SecretRow[]>;
  delete(key: string): Promise<boolean>;
}

export class SecretVault {
  constructor(
    private readonly repository: SecretRepository,
    private readonly keyRing: KeyRing,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async set(name: string, value: string): Promise<void> {
    if (!SECRET_NAME.test(name))
      throw new Error(`Secret names are lower-case letters, digits, . _ -; e.g. ${KNOWN_SECRETS.roofrApiKey}`);
    if (value === '') throw new Error('A secret value cannot be empty; use `secret delete` to remove one');
    const box = this.keyRing.seal(value);
    await this.repository.upsert({
      key: name,
      ciphertext: box.ciphertext,
      iv: box.iv,
      auth_tag: box.authTag,
      key_id: box.keyId,
      updated_at: this.now().toISOString(),
    });
  }

  async get(name: string): Promise<string | null> {
    const row = await this.repository.get(name);
    if (row === null) return null;
    return this.keyRing.open({ ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyId: row.key_id });
  }

  async names(): Promise<Array<{ name: string; updatedAt: string; keyId: string }>> {
    return (await this.repository.list()).map((row) => ({
      name: row.key,
      updatedAt: row.updated_at,
      keyId: row.key_id,
    }));
  }

  async delete(name: string): Promise<boolean> {
    return this.repository.delete(name);
  }

  /** Start-up check, like TokenVault.assertReadable. */
  async assertReadable(): Promise<number> {
    const rows = await this.repository.list();
    for (const row of rows)
      this.keyRing.open({ ciphertext: row.ciphertext, iv: row.iv, authTag: row.auth_tag, keyId: row.key_id });
    return rows.length;
  }

  async reencryptStale(): Promise<number> {
    let moved = 0;
    for (const row of await this.repository.list()) {
      if (!this.keyRing.isStale({ keyId: row.key_id })) continue;
      const value = this.keyRing.open({
        ciphertext: row.ciphertext,
        iv: row.iv,
        authTag: row.auth_tag,
        keyId: row.key_id,
      });
      await this.set(row.key, value);
      moved += 1;
    }
    return moved;
  }
}

export class InMemorySecretRepository implements SecretRepository {
  private readonly rows = new Map<string, SecretRow>();

  async get(key: string): Promise<SecretRow | null> {
    const row = this.rows.get(key);
    return row === undefined ? null : { ...row };
  }

  async upsert(row: SecretRow): Promise<void> {
    this.rows.set(row.key, { ...row });
  }

  async list(): Promise<SecretRow[]> {
    return [...this.rows.values()].map((row) => ({ ...row }));
  }

  async delete(key: string): Promise<boolean> {
    return this.rows.delete(key);
  }
}
