/**
 * Tasks of many contacts in few calls (for the task DataLoader): POST
 * /locations/{locationId}/tasks/search with `contactId[]`, paged with limit/skip until a short
 * page. Needs the scope locations/tasks.readonly; without it the call fails with
 * GhlMissingScopeError and the caller falls back to GET /contacts/{id}/tasks per contact.
 */
import type { Task } from '../domain/types.js';
import type { CallOptions, GhlApi } from './ghl-api.js';

export const TASK_SEARCH_PAGE = 100;
/** Contact ids per request, so a body never grows without bound. */
export const TASK_SEARCH_CONTACTS = 100;

/** Every contact asked gets an entry, [] when it has no task; order as GHL answers (due date, id). */
export async function getTasksOfContacts(
  api: Pick<GhlApi, 'searchTasks'>,
  locationId: string,
  contactIds: readonly string[],
  options?: CallOptions & { completed?: boolean; pageSize?: number },
): Promise<Map<string, Task[]>> {
  const pageSize = options?.pageSize ?? TASK_SEARCH_PAGE;
  const unique = [...new Set(contactIds)];
  const byContact = new Map<string, Task[]>(unique.map((id) => [id, []]));
  for (let start = 0; start < unique.length; start += TASK_SEARCH_CONTACTS) {
    const chunk = unique.slice(start, start + TASK_SEARCH_CONTACTS);
    for (let skip = 0; ; skip += pageSize) {
      const page = await api.searchTasks(
        locationId,
        { contactIds: chunk, completed: options?.completed, limit: pageSize, skip },
        options,
      );
      for (const task of page) byContact.get(task.contactId)?.push(task);
      if (page.length < pageSize) break;
    }
  }
  return byContact;
}
