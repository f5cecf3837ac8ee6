/**
 * OAuth endpoints: POST /oauth/token and POST /oauth/locationToken (form bodies), and the
 * consent page stand-in GET [/v2]/oauth/chooselocation, which "picks" a location (the
 * simulator-only `locationId` query parameter, default the first location; or a Company install
 * when only `companyId` is given) and redirects to redirect_uri?code=…&state=….
 */
import { badRequest } from '../errors.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { LocationTokenForm, OAuthTokenForm, parseBody } from '../validation.js';

function token(context: RouteContext): RouteResult {
  return { status: 200, body: context.services.oauth.exchange(parseBody(OAuthTokenForm, context.body)) };
}

function locationToken(context: RouteContext): RouteResult {
  const form = parseBody(LocationTokenForm, context.body);
  if (!context.token) throw new Error('locationToken route reached without a token');
  return { status: 200, body: context.services.oauth.locationToken(context.token, form) };
}

function chooseLocation(context: RouteContext): RouteResult {
  const query = context.query;
  const clientId = query.get('client_id') ?? '';
  const redirectUri = query.get('redirect_uri');
  if (query.get('response_type') !== 'code') throw badRequest('response_type must be code');
  if (!redirectUri) throw badRequest('redirect_uri is required');
  let target: URL;
  try {
    target = new URL(redirectUri);
  } catch {
    throw badRequest('redirect_uri must be an absolute URL');
  }
  const companyId = query.get('companyId') ?? undefined;
  const locationId =
    query.get('locationId') ?? (companyId === undefined ? context.services.store.locations()[0]?.id : undefined);
  const code = context.services.oauth.authorize({
    clientId,
    scopes: (query.get('scope') ?? '').split(/\s+/).filter((scope) => scope !== ''),
    locationId,
    companyId,
    redirectUri,
  });
  target.searchParams.set('code', code);
  const state = query.get('state');
  if (state !== null) target.searchParams.set('state', state);
  return { status: 302, body: null, headers: { location: target.toString() } };
}

export const oauthRoutes: RouteDefinition[] = [
  { method: 'POST', template: '/oauth/token', versions: null, auth: 'none', body: 'form', handle: token },
  {
    method: 'POST',
    template: '/oauth/locationToken',
    versions: [VERSION_CONTACTS],
    auth: 'company',
    scope: 'oauth.write',
    body: 'form',
    handle: locationToken,
  },
  {
    method: 'GET',
    template: '/oauth/chooselocation',
    versions: null,
    auth: 'none',
    body: 'none',
    handle: chooseLocation,
  },
  {
    method: 'GET',
    template: '/v2/oauth/chooselocation',
    versions: null,
    auth: 'none',
    body: 'none',
    handle: chooseLocation,
  },
];
