/** The consent URL an admin is sent to, and the scopes the gateway asks for. Pure. */

/** Always requested: every contact read needs it. */
const BASE_SCOPES = ['contacts.readonly'] as const;

/** Scopes GHL_SCOPES may add; others are refused at start-up rather than at consent. */
const OPTIONAL_SCOPES = [
  'contacts.write',
  'locations/tasks.readonly',
  'calendars/events.readonly',
  'calendars/events.write',
  'oauth.write',
  'oauth.readonly',
  'locations.readonly',
] as const;

export function requestedScopes(extra: readonly string[] | undefined): string[] {
  const unknown = (extra ?? []).filter(
    (scope) =>
      !(OPTIONAL_SCOPES as readonly string[]).includes(scope) && !(BASE_SCOPES as readonly string[]).includes(scope),
  );
  if (unknown.length > 0)
    throw new Error(`GHL_SCOPES: unknown scope ${unknown.join(', ')}; known: ${OPTIONAL_SCOPES.join(', ')}`);
  return [...new Set([...BASE_SCOPES, ...(extra ?? [])])];
}

export interface ConsentSettings {
  consentUrl: string;
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
}

export function buildConsentUrl(settings: ConsentSettings, state: string): string {
  const url = new URL(settings.consentUrl);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('redirect_uri', settings.redirectUri);
  url.searchParams.set('client_id', settings.clientId);
  // docs/ghl-facts.md: scopes are space separated (URLSearchParams encodes the spaces as "+").
  url.searchParams.set('scope', settings.scopes.join(' '));
  url.searchParams.set('state', state);
  return url.toString();
}
