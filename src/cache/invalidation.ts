/**
 * What a mutation or webhook evicts. Each helper returns the keys it deleted (for logs and
 * tests). Deletes go through the resilient store: if the store is down they are skipped, and
 * entries written before the outage can be served until their TTL after it comes back.
 *
 * invalidateContact(L, C) evicts:
 *   contact(L, C); tasksOfContact, notesOfContact, appointmentsOfContact(L, C);
 *   task(L, t) for each task t in the cached task list of C; note(L, n) for each note n in the
 *   cached note list of C; and bumps L's search generation, which drops every cached search,
 *   contact list and business list of L (one of them may include C).
 * invalidateTask(L, C, T):   task(L, T) and tasksOfContact(L, C).
 * invalidateNote(L, C, N):   note(L, N) and notesOfContact(L, C).
 * invalidateAppointments(L, C): appointmentsOfContact(L, C).
 * invalidateSearches(L):     bumps L's search generation only (e.g. a contact was created).
 */
import { z } from 'zod';
import { CacheEntrySchema } from './cache-entry.js';
import { cacheKeys } from './cache-keys.js';
import type { ReadThrough } from './read-through.js';
import type { ResilientStore } from './resilient-store.js';
import type { SearchGenerations } from './search-generation.js';

export interface InvalidationReport {
  evicted: string[];
  /** The location's new search generation, when searches were dropped. */
  searchGeneration: string | null;
}

const ListOfIdsSchema = z.array(z.looseObject({ id: z.string() }));

/** Ids in a cached list envelope; nothing when the key holds no (valid) list. */
function idsInCachedList(raw: unknown): string[] {
  const entry = CacheEntrySchema.safeParse(raw);
  if (!entry.success) return [];
  const list = ListOfIdsSchema.safeParse(entry.data.value);
  return list.success ? list.data.map((item) => item.id) : [];
}

export class CacheInvalidation {
  constructor(
    private readonly store: ResilientStore,
    private readonly generations: SearchGenerations,
    private readonly readThrough: ReadThrough,
  ) {}

  async invalidateContact(locationId: string, contactId: string): Promise<InvalidationReport> {
    const tasksKey = cacheKeys.tasksOfContact(locationId, contactId);
    const notesKey = cacheKeys.notesOfContact(locationId, contactId);
    const [tasks, notes] = await this.store.getMany([tasksKey, notesKey]);
    const evicted = [
      cacheKeys.contact(locationId, contactId),
      tasksKey,
      notesKey,
      cacheKeys.appointmentsOfContact(locationId, contactId),
      ...idsInCachedList(tasks).map((taskId) => cacheKeys.task(locationId, taskId)),
      ...idsInCachedList(notes).map((noteId) => cacheKeys.note(locationId, noteId)),
    ];
    await this.evict(evicted);
    const searchGeneration = await this.generations.bump(locationId);
    return { evicted, searchGeneration };
  }

  async invalidateTask(locationId: string, contactId: string, taskId: string): Promise<InvalidationReport> {
    const evicted = [cacheKeys.task(locationId, taskId), cacheKeys.tasksOfContact(locationId, contactId)];
    await this.evict(evicted);
    return { evicted, searchGeneration: null };
  }

  async invalidateNote(locationId: string, contactId: string, noteId: string): Promise<InvalidationReport> {
    const evicted = [cacheKeys.note(locationId, noteId), cacheKeys.notesOfContact(locationId, contactId)];
    await this.evict(evicted);
    return { evicted, searchGeneration: null };
  }

  async invalidateAppointments(locationId: string, contactId: string): Promise<InvalidationReport> {
    const evicted = [cacheKeys.appointmentsOfContact(locationId, contactId)];
    await this.evict(evicted);
    return { evicted, searchGeneration: null };
  }

  async invalidateSearches(locationId: string): Promise<InvalidationReport> {
    return { evicted: [], searchGeneration: await this.generations.bump(locationId) };
  }

  private async evict(keys: string[]): Promise<void> {
    this.readThrough.forgetInFlight(keys);
    await this.store.deleteMany(keys);
  }
}
