/**
 * POST /locations/{locationId}/tasks/search (apps/locations.json, scope
 * locations/tasks.readonly): tasks of many contacts in one call, `{tasks}`, limit (default 25)
 * and skip. The spec declares `tasks` as an array of arrays, surely a spec defect: task objects
 * are answered (the contacts spec's TaskSchema fields plus locationId and dateAdded; unverified).
 */
import type { ContactRecord, TaskRecord } from '../model.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { parseBody, TaskSearchBody } from '../validation.js';
import { taskView } from '../views.js';
import { requireOwnLocation } from './access.js';

function searchTasks(context: RouteContext): RouteResult {
  const locationId = requireOwnLocation(context, context.params.locationId);
  const body = parseBody(TaskSearchBody, context.body);
  const { store } = context.services;
  const state = store.requireLocation(locationId);
  const contacts: ContactRecord[] =
    body.contactId === undefined
      ? [...state.contacts.values()]
      : body.contactId
          .map((id) => state.contacts.get(id))
          .filter((contact): contact is ContactRecord => contact !== undefined);
  const needle = body.query?.trim().toLowerCase();
  const matches: TaskRecord[] = [];
  for (const contact of contacts) {
    if (body.businessId !== undefined && contact.businessId !== body.businessId) continue;
    for (const task of store.children(contact).tasks) {
      if (body.completed !== undefined && task.completed !== body.completed) continue;
      if (
        body.assignedTo !== undefined &&
        (task.assignedTo === undefined || !body.assignedTo.includes(task.assignedTo))
      )
        continue;
      if (needle && !task.title.toLowerCase().includes(needle) && !(task.body?.toLowerCase().includes(needle) ?? false))
        continue;
      matches.push(task);
    }
  }
  // Due date then id: a stable order, so skip-based paging neither repeats nor misses a task.
  matches.sort((left, right) =>
    left.dueDate < right.dueDate
      ? -1
      : left.dueDate > right.dueDate
        ? 1
        : left.id < right.id
          ? -1
          : left.id > right.id
            ? 1
            : 0,
  );
  const skip = body.skip ?? 0;
  const limit = body.limit ?? 25;
  const tasks = matches
    .slice(skip, skip + limit)
    .map((task) => ({ ...taskView(task), locationId, dateAdded: new Date(task.dateAdded).toISOString() }));
  return { status: 200, body: { tasks } };
}

export const locationTaskRoutes: RouteDefinition[] = [
  {
    method: 'POST',
    template: '/locations/{locationId}/tasks/search',
    versions: [VERSION_CONTACTS],
    auth: 'location',
    scope: 'locations/tasks.readonly',
    body: 'json',
    handle: searchTasks,
  },
];
