/**
 * No duplicates from retried creates. HighLevel creates are not idempotent and the client does
 * not retry them (a POST whose answer was lost may have been stored). So when a create times out
 * or its connection dies, we first look the record up (contact by email/phone via search; task
 * or note by listing the contact's tasks/notes and matching what we sent); only when nothing
 * matches is the create sent once more. A second ambiguous failure is reported, not retried.
 */
import type { CallOptions, GhlApi, NoteWrite, TaskWrite } from '../ghl/ghl-api.js';
import { isGhlError } from '../ghl/errors.js';
import type { Contact, Note, Task } from '../domain/types.js';

interface Reconciled<T> {
  value: T;
  /** True when the first attempt's answer was lost and the record was found already stored. */
  reconciled: boolean;
}

/** A failure after which the create may or may not have been stored. */
function isAmbiguousCreateFailure(error: unknown): boolean {
  // A timeout, reset or 5xx after the body was sent: GHL may have stored it before failing to answer.
  return isGhlError(error) && (error.kind === 'Timeout' || error.kind === 'Unavailable');
}

/**
 * @param retry the one further attempt when nothing was found; default `create`. Contacts pass
 *   an upsert: GHL's search lags writes by seconds, and an upsert matching on email/phone cannot
 *   duplicate a create the search did not show yet.
 */
export async function createWithReconciliation<T>(
  create: () => Promise<T>,
  findExisting: () => Promise<T | null>,
  retry: () => Promise<T> = create,
): Promise<Reconciled<T>> {
  try {
    return { value: await create(), reconciled: false };
  } catch (error) {
    if (!isAmbiguousCreateFailure(error)) throw error;
    const existing = await findExisting();
    if (existing !== null) return { value: existing, reconciled: true };
    return { value: await retry(), reconciled: false };
  }
}

/** The contact a lost create stored: same email, else same phone (E.164). */
export async function findContactByEmailOrPhone(
  ghl: GhlApi,
  locationId: string,
  match: { email?: string | null; phone?: string | null },
  options?: CallOptions,
): Promise<Contact | null> {
  const criteria: Array<{ field: 'email' | 'phone'; value: string }> = [];
  if (match.email) criteria.push({ field: 'email', value: match.email });
  if (match.phone) criteria.push({ field: 'phone', value: match.phone });
  for (const { field, value } of criteria) {
    const result = await ghl.searchContacts(
      locationId,
      { pageLimit: 10, filters: [{ field, operator: 'eq', value }] },
      options,
    );
    // Newest first: a lost create is the most recent contact with that value.
    const found = result.contacts
      .map((hit) => hit.contact)
      .sort((a, b) => (b.dateAdded ?? '').localeCompare(a.dateAdded ?? ''))[0];
    if (found !== undefined) return found;
  }
  return null;
}

function sameInstant(a: string | null, b: string | null | undefined): boolean {
  if (a === null || b === null || b === undefined) return a === (b ?? null);
  return Date.parse(a) === Date.parse(b);
}

export async function findTaskLike(
  ghl: GhlApi,
  locationId: string,
  contactId: string,
  sent: TaskWrite & { title: string; dueDate: string },
  options?: CallOptions,
): Promise<Task | null> {
  const tasks = await ghl.listTasks(locationId, contactId, options);
  return tasks.find((task) => task.title === sent.title && sameInstant(task.dueDate, sent.dueDate)) ?? null;
}

export async function findNoteLike(
  ghl: GhlApi,
  locationId: string,
  contactId: string,
  sent: NoteWrite,
  options?: CallOptions,
): Promise<Note | null> {
  const notes = await ghl.listNotes(locationId, contactId, options);
  const matches = notes.filter((note) => note.body === sent.body);
  // Several notes may share a body; the lost one is the newest.
  return matches.sort((a, b) => (b.dateAdded ?? '').localeCompare(a.dateAdded ?? ''))[0] ?? null;
}
