/**
 * Tasks of a contact (no paging in GHL). Create answers 201 `{task}`, delete `{succeded: true}`.
 * GHL has no TaskUpdate event: only create, complete and delete publish webhooks.
 */
import type { TaskRecord } from '../model.js';
import { taskNotFound } from '../errors.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { CreateTaskBody, parseBody, TaskCompletedBody, UpdateTaskBody } from '../validation.js';
import { taskEventPayload, taskView } from '../views.js';
import { requireContact } from './access.js';

const versions = [VERSION_CONTACTS];

function findTask(
  context: RouteContext,
  forWrite: boolean,
): { tasks: TaskRecord[]; task: TaskRecord; locationId: string } {
  const contact = requireContact(context, context.params.contactId);
  const { store } = context.services;
  const tasks = (forWrite ? store.mutableChildren(contact) : store.children(contact)).tasks;
  const taskId = context.params.taskId ?? '';
  const task = tasks.find((candidate) => candidate.id === taskId);
  if (!task) throw taskNotFound(taskId);
  return { tasks, task, locationId: contact.locationId };
}

function publish(context: RouteContext, type: string, locationId: string, task: TaskRecord): void {
  void context.services.webhooks.publish(taskEventPayload(type, locationId, task));
}

function listTasks(context: RouteContext): RouteResult {
  const contact = requireContact(context, context.params.contactId);
  return { status: 200, body: { tasks: context.services.store.children(contact).tasks.map(taskView) } };
}

function getTask(context: RouteContext): RouteResult {
  return { status: 200, body: { task: taskView(findTask(context, false).task) } };
}

function createTask(context: RouteContext): RouteResult {
  const body = parseBody(CreateTaskBody, context.body);
  const contact = requireContact(context, context.params.contactId);
  const { store } = context.services;
  const task: TaskRecord = {
    id: store.newId(),
    contactId: contact.id,
    title: body.title,
    body: body.body,
    assignedTo: body.assignedTo,
    dueDate: new Date(body.dueDate).toISOString(),
    completed: body.completed ?? false,
    dateAdded: store.now(),
  };
  store.mutableChildren(contact).tasks.push(task);
  publish(context, 'TaskCreate', contact.locationId, task);
  if (task.completed) publish(context, 'TaskComplete', contact.locationId, task);
  return { status: 201, body: { task: taskView(task) } };
}

function updateTask(context: RouteContext): RouteResult {
  const body = parseBody(UpdateTaskBody, context.body);
  const { task, locationId } = findTask(context, true);
  const wasCompleted = task.completed;
  if (body.title !== undefined) task.title = body.title;
  if (body.body !== undefined) task.body = body.body;
  if (body.assignedTo !== undefined) task.assignedTo = body.assignedTo;
  if (body.dueDate !== undefined) task.dueDate = new Date(body.dueDate).toISOString();
  if (body.completed !== undefined) task.completed = body.completed;
  if (task.completed && !wasCompleted) publish(context, 'TaskComplete', locationId, task);
  return { status: 200, body: { task: taskView(task) } };
}

function completeTask(context: RouteContext): RouteResult {
  const body = parseBody(TaskCompletedBody, context.body);
  const { task, locationId } = findTask(context, true);
  const wasCompleted = task.completed;
  task.completed = body.completed;
  if (task.completed && !wasCompleted) publish(context, 'TaskComplete', locationId, task);
  return { status: 200, body: { task: taskView(task) } };
}

function deleteTask(context: RouteContext): RouteResult {
  const { tasks, task, locationId } = findTask(context, true);
  tasks.splice(tasks.indexOf(task), 1);
  publish(context, 'TaskDelete', locationId, task);
  return { status: 200, body: { succeded: true } };
}

export const taskRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    template: '/contacts/{contactId}/tasks',
    versions,
    auth: 'location',
    scope: 'contacts.readonly',
    body: 'none',
    handle: listTasks,
  },
  {
    method: 'POST',
    template: '/contacts/{contactId}/tasks',
    versions,
    auth: 'location',
    scope: 'contacts.write',
    body: 'json',
    handle: createTask,
  },
  {
    method: 'GET',
    template: '/contacts/{contactId}/tasks/{taskId}',
    versions,
    auth: 'location',
    scope: 'contacts.readonly',
    body: 'none',
    handle: getTask,
  },
  {
    method: 'PUT',
    template: '/contacts/{contactId}/tasks/{taskId}',
    versions,
    auth: 'location',
    scope: 'contacts.write',
    body: 'json',
    handle: updateTask,
  },
  {
    method: 'DELETE',
    template: '/contacts/{contactId}/tasks/{taskId}',
    versions,
    auth: 'location',
    scope: 'contacts.write',
    body: 'none',
    handle: deleteTask,
  },
  {
    method: 'PUT',
    template: '/contacts/{contactId}/tasks/{taskId}/completed',
    versions,
    auth: 'location',
    scope: 'contacts.write',
    body: 'json',
    handle: completeTask,
  },
];
