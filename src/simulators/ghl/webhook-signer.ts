/**
 * Signs webhook bodies as GHL does: `x-wh-signature` is RSA-SHA256 and `x-ghl-signature` is
 * Ed25519, both base64 over the raw body bytes. The key pairs are generated once per process
 * (RSA generation is the slow part of starting a simulator) and their public halves exported.
 */
import { generateKeyPair, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

export interface WebhookPublicKeys {
  rsaPem: string;
  ed25519Pem: string;
}

interface KeySet {
  rsa: { privateKey: KeyObject; publicPem: string };
  ed25519: { privateKey: KeyObject; publicPem: string };
}

let processKeys: KeySet | null = null;
let pendingKeys: Promise<KeySet> | null = null;

const generate = promisify(generateKeyPair);

function keySet(
  rsa: { privateKey: KeyObject; publicKey: KeyObject },
  ed25519: { privateKey: KeyObject; publicKey: KeyObject },
): KeySet {
  return {
    rsa: { privateKey: rsa.privateKey, publicPem: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
    ed25519: {
      privateKey: ed25519.privateKey,
      publicPem: ed25519.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    },
  };
}

/** Generates the key pairs off the event loop (called at start, overlapping with seeding). */
export async function prepareWebhookKeys(): Promise<void> {
  if (processKeys) return;
  pendingKeys ??= Promise.all([generate('rsa', { modulusLength: 2048 }), generate('ed25519')]).then(([rsa, ed25519]) =>
    keySet(rsa, ed25519),
  );
  const generated = await pendingKeys;
  processKeys ??= generated;
}

function keys(): KeySet {
  // Normally prepared at start; generated here only if a caller skipped prepareWebhookKeys().
  processKeys ??= keySet(generateKeyPairSync('rsa', { modulusLength: 2048 }), generateKeyPairSync('ed25519'));
  return processKeys;
}

export function webhookPublicKeys(): WebhookPublicKeys {
  const set = keys();
  return { rsaPem: set.rsa.publicPem, ed25519Pem: set.ed25519.publicPem };
}

export function signWebhookBody(body: Buffer): { 'x-wh-signature': string; 'x-ghl-signature': string } {
  const set = keys();
  return {
    'x-wh-signature': sign('sha256', body, set.rsa.privateKey).toString('base64'),
    'x-ghl-signature': sign(null, body, set.ed25519.privateKey).toString('base64'),
  };
}
