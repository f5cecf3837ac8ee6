/**
 * What mutations need besides the HighLevel client, injected once (docs/style.md rule 3): the Roofr
 * push service, the token's scopes (least privilege: no write without contacts.write), the phone
 * country for E.164, the outbox's dead letters, and the hook the shared cache uses to evict what
 * a mutation changed. `requireWriteAccess` runs before any upstream call.
 */
import { GraphQLError } from 'graphql';
import type { CountryCode } from 'libphonenumber-js';
import { GHL_SCOPES } from '../domain/types.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { RoofrPush } from '../sync/roofr-push.js';
import { ErrorCode } from './errors.js';

/** A GHL record a mutation changed; the cache integration evicts by it. */
export type EntityChange =
  | { kind: 'contact'; change: 'created' | 'updated' | 'deleted'; locationId: string; contactId: string }
  | {
      kind: 'task' | 'note';
      change: 'created' | 'updated' | 'deleted';
      locationId: string;
      contactId: string;
      id: string;
    };

export interface WritePath {
  push: RoofrPush;
  /**
   * The scopes the location's token holds (TokenProvider.getToken → scopes); null when unknown,
   * which counts as contacts.readonly only: writes stay off until contacts.write is declared.
   */
  scopesOf(locationId: string): Promise<ReadonlySet<string> | null>;
  /** PHONE_DEFAULT_COUNTRY: numbers written without +country are read in it. */
  defaultPhoneCountry: CountryCode;
  deadLetters: Pick<OutboxRepo, 'listDead' | 'retryDead' | 'get'>;
  /** Called after every successful HighLevel write (e.g. SharedCache invalidation). Errors are logged, never fatal. */
  onEntityChanged?: (change: EntityChange) => Promise<void> | void;
  /** Wakes the outbox worker after a dead letter was put back. */
  nudgeOutbox?: () => void;
}

/** The part of a request's context mutations read (GraphQLContext has it; declared here so context.ts alone imports). */
interface WriteContext {
  writePath?: WritePath | undefined;
  locationId: string;
}

export function writePathOf(context: WriteContext): WritePath {
  if (context.writePath === undefined) {
    throw new GraphQLError(
      'Writes are not configured on this gateway (no store or Roofr port was given to startGateway)',
      { extensions: { code: ErrorCode.Forbidden } },
    );
  }
  return context.writePath;
}

/** FORBIDDEN with `extensions.missingScope` unless the token holds contacts.write; no request is sent. */
export async function requireWriteAccess(context: WriteContext): Promise<WritePath> {
  const writePath = writePathOf(context);
  const scopes = await writePath.scopesOf(context.locationId);
  if (scopes === null || !scopes.has(GHL_SCOPES.contactsWrite)) {
    throw new GraphQLError(
      `The HighLevel token of this location lacks the scope ${GHL_SCOPES.contactsWrite}, so writes are off. Grant it (OAuth: reinstall with it; Private Integration Token: enable it and list it in GHL_TOKEN_SCOPES).`,
      { extensions: { code: ErrorCode.Forbidden, missingScope: GHL_SCOPES.contactsWrite } },
    );
  }
  return writePath;
}

/** Runs the cache hook; a failing hook must not fail a write that HighLevel already holds. */
export async function announceChange(writePath: WritePath, change: EntityChange): Promise<void> {
  try {
    await writePath.onEntityChanged?.(change);
  } catch {
    // The hook owner logs its own failures; stale cache entries expire by TTL.
  }
}
