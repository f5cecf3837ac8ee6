/**
 * Which locations may use a batched read (a per-contact list's `batched` endpoint, e.g. the task
 * search POST /locations/{locationId}/tasks/search under `locations/tasks.readonly`). Scopes come
 * from the token of each location when known (an OAuth install's grant, or GHL_TOKEN_SCOPES for a
 * Private Integration Token), and are remembered for a minute so a request does not read the
 * token store for them. A PIT's scopes cannot be asked for: when undeclared they are learned, the
 * first "not authorized for this scope" 401 on the batched endpoint switching that location to
 * one call per contact for the rest of the process. Shared across requests, so only one request
 * per location ever pays for the probe.
 */

type BatchedReadMode = 'batched' | 'per-contact';

/** The scopes of a location's token; null when nobody knows them. */
type ScopesOf = (locationId: string) => Promise<ReadonlySet<string> | null>;

const REMEMBER_SCOPES_MS = 60_000;

export class BatchedReadCapability {
  /** `${locationId} ${scope}` pairs a 401 taught us are missing. */
  private readonly learnedMissing = new Set<string>();
  private readonly known = new Map<string, { scopes: ReadonlySet<string> | null; until: number }>();
  private readonly scopesOf: ScopesOf;

  /**
   * @param scopes the scopes of every location's token (GHL_TOKEN_SCOPES), or how to look up
   *   a location's own (OAuth grants differ per location); undefined = learn them.
   */
  constructor(
    scopes?: readonly string[] | ScopesOf,
    private readonly now: () => number = Date.now,
  ) {
    if (typeof scopes === 'function') this.scopesOf = scopes;
    else {
      const declared = scopes === undefined ? null : new Set(scopes);
      this.scopesOf = async () => declared;
    }
  }

  async modeFor(locationId: string, scope: string): Promise<BatchedReadMode> {
    if (this.learnedMissing.has(`${locationId} ${scope}`)) return 'per-contact';
    const scopes = await this.scopesFor(locationId);
    return scopes !== null && !scopes.has(scope) ? 'per-contact' : 'batched';
  }

  /** Records a "not authorized for this scope" answer to a batched read of a location. */
  markMissing(locationId: string, scope: string): void {
    this.learnedMissing.add(`${locationId} ${scope}`);
  }

  private async scopesFor(locationId: string): Promise<ReadonlySet<string> | null> {
    const at = this.now();
    const remembered = this.known.get(locationId);
    if (remembered !== undefined && remembered.until > at) return remembered.scopes;
    let scopes: ReadonlySet<string> | null;
    try {
      scopes = await this.scopesOf(locationId);
    } catch {
      // No token to ask (e.g. an OAuth location not installed): the call itself will say so.
      scopes = null;
    }
    this.known.set(locationId, { scopes, until: at + REMEMBER_SCOPES_MS });
    return scopes;
  }
}
