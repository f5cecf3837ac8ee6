/**
 * Which locations may use the batched task search (POST /locations/{locationId}/tasks/search,
 * scope `locations/tasks.readonly`). A Private Integration Token's scopes cannot be asked for,
 * so they are either declared (GHL_TOKEN_SCOPES) or learned: the first "not authorized for this
 * scope" 401 on the search switches that location to one call per contact for the rest of the
 * process. Shared across requests, so only one request per location ever pays for the probe.
 */
import { GHL_SCOPES } from '../domain/types.js';

export type TaskSearchMode = 'batched' | 'per-contact';

export class TaskSearchCapability {
  private readonly learnedMissing = new Set<string>();

  /** @param declaredScopes the token's scopes when known (GHL_TOKEN_SCOPES); undefined = learn them. */
  constructor(private readonly declaredScopes?: readonly string[]) {}

  modeFor(locationId: string): TaskSearchMode {
    if (this.declaredScopes !== undefined && !this.declaredScopes.includes(GHL_SCOPES.tasksSearch)) return 'per-contact';
    return this.learnedMissing.has(locationId) ? 'per-contact' : 'batched';
  }

  /** Records a "not authorized for this scope" answer to the task search of a location. */
  markMissing(locationId: string): void {
    this.learnedMissing.add(locationId);
  }
}
