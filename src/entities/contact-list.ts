/**
 * What the gateway must know of one kind of per-contact list (a contact's tasks, notes,
 * appointments, opportunities…), said once. Everything that used to be a string-keyed table per
 * list is derived from these descriptors (contact-lists.ts): the cache entity, its key and TTL,
 * the per-request loader and its batching, the Contact field's resolver, the admission probe,
 * the batch a cost estimate divides by, and the HighLevel webhooks that evict it.
 *
 * The schema declares the field (schema/*.graphql, with its @cost), the descriptor says how it
 * is read and kept; the compiler checks that every descriptor's `field` is a field of Contact.
 */
import type { CallOptions, ContactListEndpoint, GhlApi } from '../ghl/ghl-api.js';

/** What every item of a per-contact list has. */
export interface ContactListItem {
  id: string;
  contactId: string | null;
}

/** Many contacts' lists in one call, where HighLevel has an endpoint for it and the token its scope. */
export interface BatchedContactListRead<V extends ContactListItem> {
  /** "POST /locations/{locationId}/tasks/search": how it is named in errors and metrics. */
  endpoint: string;
  /** The scope the batched endpoint needs; without it (declared or learnt) lists are read one contact at a time. */
  scope: string;
  /** Contacts one call answers. */
  contactsPerCall: number;
  /** Every item of the given contacts (at most contactsPerCall of them). */
  read(ghl: GhlApi, locationId: string, contactIds: readonly string[], options: CallOptions): Promise<V[]>;
}

/** A HighLevel webhook that changes a contact's list: its types and where the ids sit in its body. */
export interface ListChangeEvents {
  types: readonly string[];
  contactIdOf(event: Readonly<Record<string, unknown>>): string | undefined;
  /** The changed item's id, for lists whose items are cached by id too. */
  itemIdOf?(event: Readonly<Record<string, unknown>>): string | undefined;
}

export interface ContactListDescriptor<Field extends string, Item extends string, V extends ContactListItem> {
  /** The Contact field that serves the list, and its name among the loaders. */
  readonly field: Field;
  /** What one item is called in change notices (a mutation's or webhook's EntityChange kind). */
  readonly item: Item;
  /** The cache entity (and TTL kind, and metrics label) of one contact's list. */
  readonly cacheEntity: `${Field}OfContact`;
  readonly defaultTtlMs: number;
  /** One contact's list. */
  readonly endpoint: ContactListEndpoint<V>;
  readonly batched?: BatchedContactListRead<V>;
  /** The cache entity under which single items are kept by id (task, note): evicted with the list. */
  readonly itemCacheEntity?: 'task' | 'note';
  readonly changedBy: ListChangeEvents;
}

/** Reads a string at `path` in a webhook body; undefined when it is absent or not a non-empty string. */
export function stringAt(event: Readonly<Record<string, unknown>>, ...path: string[]): string | undefined {
  let value: unknown = event;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}
