/** Options of `startGhlSimulator`, their defaults, and the seeded demo identity. */
import type { RateLimitConfig } from './rate-limiter.js';
import type { OAuthClient } from './oauth.js';
import type { UserType } from './tokens.js';

export interface SimLocationOptions {
  locationId: string;
  /** Seeded contacts in this location (default: the top-level `contacts`). */
  contacts?: number;
  companyId?: string;
  allowDuplicateContacts?: boolean;
}

export interface SimTokenOptions {
  token: string;
  /** Location tokens name their location; omit with userType 'Company'. */
  locationId?: string;
  scopes: string[];
  /** Epoch ms; omitted: never expires (like a Private Integration Token). */
  expiresAt?: number;
  userType?: UserType;
  companyId?: string;
}

export interface GhlSimulatorOptions {
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** PRNG seed of all generated data (default 42). */
  seed?: number;
  /** Seeded contacts per location (default 200; up to 100,000 is fine). */
  contacts?: number;
  /** The default location's id (default `DEFAULT_LOCATION_ID`). Ignored when `locations` is set. */
  locationId?: string;
  companyId?: string;
  /** Several locations; the first is the default one. */
  locations?: SimLocationOptions[];
  rateLimit?: Partial<RateLimitConfig>;
  /** Latency added to every answer (a fault that can be changed at run time). */
  latencyMs?: number;
  /** Replaces the default demo token. */
  tokens?: SimTokenOptions[];
  oauthClients?: OAuthClient[];
  /** expires_in of OAuth access tokens (default 86399, as GHL). */
  accessTokenTtlSec?: number;
  webhookUrl?: string;
  /** Webhook delivery outcomes kept for inspection (default 500). */
  webhookHistory?: number;
  /** Whether locations accept duplicate contacts (default false, GHL's default setting). */
  allowDuplicateContacts?: boolean;
  /** Delay before writes show in POST /contacts/search (GHL's index is eventually consistent); default 0. */
  searchLagMs?: number;
  /** "Now" the seeded dates are spread back from (2 years); default: today 00:00 UTC. */
  referenceTime?: number;
}

export const DEFAULT_LOCATION_ID = 'SimDemoLocation00001';
export const DEFAULT_COMPANY_ID = 'SimDemoCompany000001';
export const DEMO_TOKEN = 'pit-sim-demo-token';
export const DEMO_SCOPES = [
  'contacts.readonly',
  'contacts.write',
  'locations/tasks.readonly',
  'calendars/events.readonly',
  'opportunities.readonly',
];
export const DEFAULT_OAUTH_CLIENT: OAuthClient = { clientId: 'sim-oauth-client', clientSecret: 'sim-oauth-secret' };
export const DEFAULT_ACCESS_TOKEN_TTL_SEC = 86_399;
export const DEFAULT_CONTACTS = 200;
export const MAX_CONTACTS_PER_LOCATION = 1_000_000;
