/**
 * `npm run auth -- …`: operator commands for installs, client API keys, trusted documents and
 * stored secrets.
 * Parsing is pure and `runAuthCommand` writes to an injected output, so both are tested
 * without a process. Secrets are never printed, except a newly created API key (and a newly
 * generated encryption key), once.
 */
import { z } from 'zod';
import { createApiKey, type ApiKeyRepository } from '../auth/api-keys.js';
import { DocumentsModeSchema, RoleSchema } from '../auth/caller-identity.js';
import type { TrustedDocument } from '../graphql/trusted-documents/manifest.js';
import type { RegisterOutcome, StoredTrustedDocument } from '../store/trusted-documents-repo.js';
import { generateKeyRingEntry, type KeyRing } from '../auth/key-ring.js';
import { SecretVault, type SecretRepository } from '../auth/secret-vault.js';
import { TokenVault, type OAuthTokenRepository } from '../auth/token-vault.js';

export const USAGE = `Usage: npm run auth -- <command>
  url                                   the install link to open (GET /oauth/install)
  status                                installed locations: scopes, expiry, last refresh, status
  revoke <locationId>                   forget a location's tokens (then uninstall the app in HighLevel)
  api-key create --name N --locations a,b --roles read,write[,sync-admin][,trace] [--documents trusted-only]
                                        prints the new key ONCE
  api-key list                          ids, names, locations, roles, documents mode (never keys)
  api-key revoke <id>
  api-key documents <id> <allow-any|trusted-only|default>
                                        which documents the key may run (default: TRUSTED_DOCUMENTS_DEFAULT_MODE)
  documents register <file|dir>… [--app NAME]
                                        trusted documents from manifests (persisted-documents.json,
                                        Apollo persisted query manifests), checked against the schema
  documents list [--app NAME]           ids, operation names, apps
  documents remove <id>
  secret set <name> <value|->           store encrypted (- reads the value from stdin), e.g. roofr.api_key
  secret list                           names only
  reencrypt                             re-seal tokens and secrets with the first TOKEN_ENCRYPTION_KEY key
  key generate [id]                     print a new TOKEN_ENCRYPTION_KEY entry`;

const list = z
  .string()
  .transform((text) =>
    text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  )
  .pipe(z.array(z.string().min(1)).min(1));

export const AuthCommandSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('url') }),
  z.object({ command: z.literal('status') }),
  z.object({ command: z.literal('revoke'), locationId: z.string().min(1) }),
  z.object({
    command: z.literal('api-key create'),
    name: z.string().min(1).max(100),
    locations: list,
    roles: list.pipe(z.array(RoleSchema)),
    documents: DocumentsModeSchema.optional(),
  }),
  z.object({ command: z.literal('api-key list') }),
  z.object({ command: z.literal('api-key revoke'), id: z.string().min(1) }),
  z.object({
    command: z.literal('api-key documents'),
    id: z.string().min(1),
    mode: z.union([DocumentsModeSchema, z.literal('default')]),
  }),
  z.object({
    command: z.literal('documents register'),
    paths: z.array(z.string().min(1)).min(1),
    app: z.string().min(1).max(100).optional(),
  }),
  z.object({ command: z.literal('documents list'), app: z.string().min(1).optional() }),
  z.object({ command: z.literal('documents remove'), id: z.string().min(1) }),
  z.object({ command: z.literal('secret set'), name: z.string().min(1), value: z.string().min(1) }),
  z.object({ command: z.literal('secret list') }),
  z.object({ command: z.literal('reencrypt') }),
  z.object({ command: z.literal('key generate'), id: z.string().default('k1') }),
]);
export type AuthCommand = z.infer<typeof AuthCommandSchema>;

function flags(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (!arg.startsWith('--')) continue;
    const [name, inline] = arg.slice(2).split('=', 2);
    if (name === undefined) continue;
    out[name] = inline ?? args[index + 1] ?? '';
    if (inline === undefined) index += 1;
  }
  return out;
}

/** Arguments that are neither flags nor flag values. */
function positionals(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] ?? '';
    if (arg.startsWith('--')) {
      if (!arg.includes('=')) index += 1;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Parses argv (after `--`); throws an Error whose message includes the usage. */
export function parseAuthCommand(argv: readonly string[]): AuthCommand {
  const [first, second, ...rest] = argv;
  const grouped = first === 'api-key' || first === 'secret' || first === 'key' || first === 'documents';
  const command = grouped ? `${first} ${second ?? ''}`.trim() : (first ?? '');
  const args = grouped ? rest : [second, ...rest].filter((arg): arg is string => arg !== undefined);
  const input: Record<string, unknown> = { command };
  if (command === 'revoke') input.locationId = args[0];
  if (command === 'api-key create') Object.assign(input, flags(args));
  if (command === 'api-key revoke') input.id = args[0];
  if (command === 'api-key documents') Object.assign(input, { id: args[0], mode: args[1] });
  if (command === 'documents register') Object.assign(input, { ...flags(args), paths: positionals(args) });
  if (command === 'documents list') Object.assign(input, flags(args));
  if (command === 'documents remove') input.id = args[0];
  if (command === 'secret set') Object.assign(input, { name: args[0], value: args[1] });
  if (command === 'key generate' && args[0] !== undefined) input.id = args[0];
  const parsed = AuthCommandSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join('.') || 'command'}: ${issue.message}`)
      .join('; ');
    throw new Error(`${problems}\n\n${USAGE}`);
  }
  return parsed.data;
}

export interface AuthCommandDeps {
  tokens: OAuthTokenRepository;
  apiKeys: ApiKeyRepository;
  secrets: SecretRepository;
  /** null when TOKEN_ENCRYPTION_KEY is unset: commands that seal or open say so. */
  keyRing: KeyRing | null;
  /** The gateway's /oauth/install, or null when OAuth is not configured. */
  installUrl: string | null;
  scopes: readonly string[];
  readStdin: () => Promise<string>;
  out: (line: string) => void;
  now?: () => Date;
  /** For `documents …`: the state database's documents, reading manifests, and the schema check. */
  trustedDocuments?: {
    repo: {
      register(documents: TrustedDocument[], app: string | null): Promise<RegisterOutcome>;
      list(options?: { app?: string }): Promise<StoredTrustedDocument[]>;
      remove(id: string): Promise<boolean>;
    };
    readManifests(paths: readonly string[]): Promise<{ documents: TrustedDocument[]; files: string[] }>;
    /** Why the schema cannot run this document (validation errors); empty when it can. */
    problemsOf(body: string): string[];
  };
}

/** Needs no store, so the entry point runs it before opening one. */
export function keyGenerateLines(id: string): string[] {
  return [
    `TOKEN_ENCRYPTION_KEY=${generateKeyRingEntry(id)}`,
    'Keep it in your secret manager. To rotate, put a new entry FIRST (k2:…,k1:…), deploy, then run `npm run auth -- reencrypt`.',
  ];
}

function requireDocuments(deps: AuthCommandDeps): NonNullable<AuthCommandDeps['trustedDocuments']> {
  if (deps.trustedDocuments === undefined) throw new Error('Trusted documents are not available to this command');
  return deps.trustedDocuments;
}

function requireKeyRing(deps: AuthCommandDeps): KeyRing {
  if (deps.keyRing === null)
    throw new Error(
      'TOKEN_ENCRYPTION_KEY is not set: tokens and secrets are only stored encrypted (npm run auth -- key generate)',
    );
  return deps.keyRing;
}

function describeExpiry(expiresAt: string, now: Date): string {
  const minutes = Math.round((new Date(expiresAt).getTime() - now.getTime()) / 60_000);
  return minutes >= 0
    ? `${expiresAt} (in ${minutes} min)`
    : `${expiresAt} (expired ${-minutes} min ago; refreshed on next use)`;
}

export async function runAuthCommand(command: AuthCommand, deps: AuthCommandDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const out = deps.out;
  switch (command.command) {
    case 'key generate':
      keyGenerateLines(command.id).forEach((line) => out(line));
      return;
    case 'url':
      if (deps.installUrl === null)
        throw new Error('OAuth is not configured: set GHL_CLIENT_ID, GHL_CLIENT_SECRET and GHL_REDIRECT_URI');
      out(`Open ${deps.installUrl} in a browser (the gateway must be running) to install the app.`);
      out(`Scopes requested: ${deps.scopes.join(' ')}`);
      return;
    case 'status': {
      const vault = new TokenVault(deps.tokens, requireKeyRing(deps), now);
      const grants = await vault.list();
      if (grants.length === 0) {
        out(`No HighLevel installs yet.${deps.installUrl !== null ? ` Install at ${deps.installUrl}` : ''}`);
        return;
      }
      for (const grant of grants) {
        let readable = 'ok';
        try {
          await vault.get(grant.subjectKind, grant.subjectId);
        } catch (error) {
          readable = error instanceof Error ? error.message : 'cannot decrypt';
        }
        out(
          [
            `${grant.subjectKind} ${grant.subjectId}${grant.companyId !== null && grant.companyId !== grant.subjectId ? ` (agency ${grant.companyId})` : ''}`,
            `  status:       ${grant.status}${grant.status === 'needs_reinstall' && deps.installUrl !== null ? ` → reinstall at ${deps.installUrl}` : ''}`,
            `  scopes:       ${grant.scopes.join(' ') || '(none)'}`,
            `  expires:      ${describeExpiry(grant.expiresAt, now())}`,
            `  last refresh: ${grant.lastRefreshAt ?? 'never'}`,
            `  encryption:   key ${grant.keyId}, ${readable}`,
          ].join('\n'),
        );
      }
      return;
    }
    case 'revoke': {
      const removed = await deps.tokens.delete('location', command.locationId);
      if (!removed)
        throw new Error(`No tokens stored for location ${command.locationId} (see \`npm run auth -- status\`)`);
      out(
        `Forgot the tokens of location ${command.locationId}. To revoke them at HighLevel too, uninstall the app from that sub-account.`,
      );
      return;
    }
    case 'api-key create': {
      const { key, record } = await createApiKey(
        deps.apiKeys,
        {
          name: command.name,
          locations: command.locations,
          roles: command.roles,
          documents: command.documents ?? null,
        },
        now(),
      );
      out(
        `Created API key ${record.id} "${record.name}" for ${record.locations.join(', ')} with roles ${record.roles.join(', ')}${record.documents === null ? '' : `, documents ${record.documents}`}.`,
      );
      out(`Key (shown only now, store it safely): ${key}`);
      out(
        'Send it as `x-api-key: <key>` or `Authorization: Bearer <key>`; add `x-location-id` when it has several locations.',
      );
      return;
    }
    case 'api-key list': {
      const keys = await deps.apiKeys.list();
      if (keys.length === 0)
        out('No API keys. Create one with `npm run auth -- api-key create --name N --locations L --roles read`.');
      for (const key of keys) {
        out(
          `${key.id}  ${key.name}  locations=${key.locations.join(',')}  roles=${key.roles.join(',')}  documents=${key.documents ?? 'default'}  created=${key.createdAt}${key.revokedAt !== null ? `  REVOKED ${key.revokedAt}` : ''}`,
        );
      }
      return;
    }
    case 'api-key revoke': {
      if (!(await deps.apiKeys.revoke(command.id, now().toISOString())))
        throw new Error(`No active API key ${command.id} (see \`npm run auth -- api-key list\`)`);
      out(`Revoked API key ${command.id}; requests with it now answer UNAUTHENTICATED.`);
      return;
    }
    case 'api-key documents': {
      const mode = command.mode === 'default' ? null : command.mode;
      if (!(await deps.apiKeys.setDocuments(command.id, mode)))
        throw new Error(`No active API key ${command.id} (see \`npm run auth -- api-key list\`)`);
      out(
        `API key ${command.id} now runs ${mode === null ? 'what TRUSTED_DOCUMENTS_DEFAULT_MODE allows' : mode === 'trusted-only' ? 'trusted documents only' : 'any document'}; every replica applies it from its next request.`,
      );
      return;
    }
    case 'documents register': {
      const documents = requireDocuments(deps);
      const { documents: found, files } = await documents.readManifests(command.paths);
      const invalid = found.flatMap((document) =>
        documents
          .problemsOf(document.body)
          .map((problem) => `  ${document.id} (${document.operationName ?? 'anonymous'}): ${problem}`),
      );
      if (invalid.length > 0)
        throw new Error(
          `Nothing registered: these documents cannot run against this gateway's schema:\n${invalid.join('\n')}`,
        );
      const outcome = await documents.repo.register(found, command.app ?? null);
      out(
        `Registered ${outcome.added.length} document${outcome.added.length === 1 ? '' : 's'} from ${files.join(', ')} (${outcome.unchanged.length} already registered).`,
      );
      if (outcome.conflicts.length > 0)
        throw new Error(
          `These ids are registered with another text and were left as they are (an id names one text for ever): ${outcome.conflicts.join(', ')}`,
        );
      return;
    }
    case 'documents list': {
      const listed = await requireDocuments(deps).repo.list(command.app === undefined ? {} : { app: command.app });
      if (listed.length === 0)
        out('No registered trusted documents (manifest files in TRUSTED_DOCUMENTS are not listed).');
      for (const document of listed)
        out(
          `${document.id}  ${document.operationName ?? '(anonymous)'}  app=${document.app ?? '-'}  registered=${document.createdAt}`,
        );
      return;
    }
    case 'documents remove': {
      if (!(await requireDocuments(deps).repo.remove(command.id)))
        throw new Error(`No registered document ${command.id} (see \`npm run auth -- documents list\`)`);
      out(`Removed trusted document ${command.id}; replicas stop accepting it within a minute.`);
      return;
    }
    case 'secret set': {
      const value = command.value === '-' ? (await deps.readStdin()).replace(/\r?\n$/, '') : command.value;
      const vault = new SecretVault(deps.secrets, requireKeyRing(deps), now);
      await vault.set(command.name, value);
      out(`Stored secret ${command.name} (encrypted with key ${requireKeyRing(deps).primaryKeyId}).`);
      return;
    }
    case 'secret list': {
      const vault = new SecretVault(deps.secrets, requireKeyRing(deps), now);
      const names = await vault.names();
      if (names.length === 0) out('No secrets stored.');
      for (const secret of names) out(`${secret.name}  (key ${secret.keyId})`);
      return;
    }
    case 'reencrypt': {
      const keyRing = requireKeyRing(deps);
      const tokens = await new TokenVault(deps.tokens, keyRing, now).reencryptStale();
      const secrets = await new SecretVault(deps.secrets, keyRing, now).reencryptStale();
      out(
        `Re-encrypted ${tokens} token grant(s) and ${secrets} secret(s) with key ${keyRing.primaryKeyId}. Older keys can be removed once every replica runs with the new ring.`,
      );
      return;
    }
  }
}
