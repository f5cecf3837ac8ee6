/**
 * Route table: GHL's path templates (as written in the OpenAPI files, so the request log names
 * operations the way the spec does), their Version header, scope and body kind. Literal
 * segments win over parameters (`/contacts/search` is not `/contacts/{contactId}`).
 */
import type { IncomingMessage } from 'node:http';
import type { SimStore } from './store.js';
import type { ContactViews } from './search.js';
import type { TokenRecord, TokenRegistry } from './tokens.js';
import type { WebhookDispatcher } from './webhooks.js';
import type { OAuthService } from './oauth.js';
import type { SimClock } from './clock.js';
import type { Json } from './views.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export const VERSION_CONTACTS = '2021-07-28';
const VERSION_CALENDARS = '2021-04-15';
export const KNOWN_VERSIONS: readonly string[] = [VERSION_CONTACTS, VERSION_CALENDARS];

/** Services a route handler may use. */
export interface SimServices {
  store: SimStore;
  views: ContactViews;
  tokens: TokenRegistry;
  webhooks: WebhookDispatcher;
  oauth: OAuthService;
  clock: SimClock;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Set for routes with auth other than 'none'. */
  token: TokenRecord | null;
  services: SimServices;
  request: IncomingMessage;
  /** Origin the client reached us at, for nextPageUrl. */
  baseUrl: string;
}

export interface RouteResult {
  status: number;
  body: Json | null;
  headers?: Record<string, string>;
}

export interface RouteDefinition {
  method: HttpMethod;
  template: string;
  /** Accepted Version header values; null: no Version header required. */
  versions: readonly string[] | null;
  /** 'location': a Location token; 'company': a Company token; 'none': no bearer token. */
  auth: 'location' | 'company' | 'none';
  scope?: string;
  body: 'json' | 'form' | 'none';
  handle(context: RouteContext): RouteResult | Promise<RouteResult>;
}

interface CompiledRoute {
  route: RouteDefinition;
  segments: string[];
  literals: number;
}

interface RouteMatch {
  route: RouteDefinition;
  params: Record<string, string>;
}

/** A malformed escape (`%zz`) stays as sent: the id then simply matches nothing. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly RouteDefinition[]) {
    this.routes = routes.map((route) => {
      const segments = split(route.template);
      return { route, segments, literals: segments.filter((segment) => !segment.startsWith('{')).length };
    });
  }

  /** The route serving this method and path; null answers 404 (NestJS answers 404 for a wrong method too). */
  match(method: string, path: string): RouteMatch | null {
    const segments = split(path);
    let best: { compiled: CompiledRoute; params: Record<string, string> } | null = null;
    for (const compiled of this.routes) {
      if (compiled.route.method !== method || compiled.segments.length !== segments.length) continue;
      const params: Record<string, string> = {};
      let matches = true;
      for (let index = 0; index < segments.length && matches; index += 1) {
        const pattern = compiled.segments[index] ?? '';
        const actual = segments[index] ?? '';
        if (pattern.startsWith('{')) params[pattern.slice(1, -1)] = safeDecode(actual);
        else matches = pattern === actual;
      }
      if (matches && (best === null || compiled.literals > best.compiled.literals)) best = { compiled, params };
    }
    return best === null ? null : { route: best.compiled.route, params: best.params };
  }
}
