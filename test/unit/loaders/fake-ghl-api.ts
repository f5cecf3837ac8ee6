/**
 * An in-memory GhlApi for loader unit tests: holds contacts with their tasks, notes and
 * appointments, answers the read methods the loaders use with GHL's semantics (unknown id →
 * GhlNotFoundError, task search scope), and records every call as `METHOD args` so a test can
 * read the batches it received. Write methods are outside what loaders do and refuse loudly.
 */
import { emptyContact } from '../../support/empty-contact.js';
import type { Appointment, Contact, Note, Task } from '../../../src/domain/types.js';
import { GhlMissingScopeError, GhlNotFoundError } from '../../../src/ghl/errors.js';
import type {
  BusinessContactsResult,
  CallOptions,
  ContactListEndpoint,
  GhlApi,
  ListContactsResult,
  SearchContactsRequest,
  SearchContactsResult,
  SearchFilter,
  TaskSearchRequest,
} from '../../../src/ghl/ghl-api.js';

interface RecordedCall {
  method: string;
  args: unknown[];
}

export function makeContact(id: string, overrides: Partial<Contact> = {}): Contact {
  return {
    ...emptyContact(id, 'loc-1'),
    name: `Contact ${id}`,
    firstName: 'Contact',
    lastName: id,
    email: `${id}@example.com`,
    dateAdded: '2026-01-01T00:00:00.000Z',
    dateUpdated: '2026-01-02T00:00:00.000Z',
    ...overrides,
  };
}

export function makeTask(id: string, contactId: string, completed = false): Task {
  return { id, contactId, title: `Task ${id}`, body: null, dueDate: null, completed, assignedTo: null };
}

export function makeNote(id: string, contactId: string): Note {
  return { id, contactId, body: `Note ${id}`, title: null, userId: null, pinned: false, color: null, dateAdded: null };
}

export function makeAppointment(id: string, contactId: string): Appointment {
  return {
    id,
    calendarId: null,
    contactId,
    title: `Appointment ${id}`,
    status: null,
    appointmentStatus: 'confirmed',
    startTime: null,
    endTime: null,
    address: null,
    assignedUserId: null,
    notes: null,
    dateAdded: null,
    dateUpdated: null,
  };
}

function idsOfOrGroup(filters: SearchFilter[] | undefined): string[] | null {
  const group = filters?.[0];
  if (!group || !('group' in group)) return null;
  return group.filters.flatMap((leaf) =>
    'field' in leaf && leaf.field === 'id' && typeof leaf.value === 'string' ? [leaf.value] : [],
  );
}

export class FakeGhlApi implements GhlApi {
  readonly calls: RecordedCall[] = [];
  readonly contacts = new Map<string, Contact>();
  readonly tasks: Task[] = [];
  readonly notes: Note[] = [];
  readonly appointments: Appointment[] = [];
  /** False: the task search answers like GHL for a token without locations/tasks.readonly. */
  taskSearchAllowed = true;
  /** Errors to throw from a method, by method name (consumed once each). */
  readonly failures = new Map<string, Error>();

  constructor(private readonly locationId = 'loc-1') {}

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  private record(method: string, args: unknown[], options?: CallOptions): void {
    this.calls.push({ method, args });
    options?.observer?.onRequest({ method, endpoint: method, status: 200, durationMs: 0, attempt: 1 });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      throw failure;
    }
  }

  async getContact(locationId: string, contactId: string, options?: CallOptions): Promise<Contact> {
    this.record('getContact', [locationId, contactId], options);
    const contact = this.contacts.get(contactId);
    if (!contact) throw new GhlNotFoundError('GET /contacts/{contactId}', `Contact with id ${contactId} not found`);
    return contact;
  }

  async searchContacts(
    locationId: string,
    request: SearchContactsRequest,
    options?: CallOptions,
  ): Promise<SearchContactsResult> {
    this.record('searchContacts', [locationId, request], options);
    const ids = idsOfOrGroup(request.filters);
    const all = [...this.contacts.values()].filter((contact) => ids === null || ids.includes(contact.id));
    const start = ((request.page ?? 1) - 1) * request.pageLimit;
    const page = all.slice(start, start + request.pageLimit);
    return { contacts: page.map((contact) => ({ contact, searchAfter: [contact.id] })), total: all.length };
  }

  async listTasks(locationId: string, contactId: string, options?: CallOptions): Promise<Task[]> {
    this.record('listTasks', [locationId, contactId], options);
    return this.tasks.filter((task) => task.contactId === contactId);
  }

  async getTask(locationId: string, contactId: string, taskId: string, options?: CallOptions): Promise<Task> {
    this.record('getTask', [locationId, contactId, taskId], options);
    const task = this.tasks.find((candidate) => candidate.contactId === contactId && candidate.id === taskId);
    if (!task) throw new GhlNotFoundError('GET /contacts/{contactId}/tasks/{taskId}', `Task ${taskId} not found`);
    return task;
  }

  async searchTasks(locationId: string, request: TaskSearchRequest, options?: CallOptions): Promise<Task[]> {
    this.record('searchTasks', [locationId, request], options);
    if (!this.taskSearchAllowed)
      throw new GhlMissingScopeError('POST /locations/{locationId}/tasks/search', 'locations/tasks.readonly');
    const matching = this.tasks.filter((task) => request.contactIds.includes(task.contactId));
    const skip = request.skip ?? 0;
    return matching.slice(skip, skip + (request.limit ?? 25));
  }

  async listNotes(locationId: string, contactId: string, options?: CallOptions): Promise<Note[]> {
    this.record('listNotes', [locationId, contactId], options);
    return this.notes.filter((note) => note.contactId === contactId);
  }

  async getNote(locationId: string, contactId: string, noteId: string, options?: CallOptions): Promise<Note> {
    this.record('getNote', [locationId, contactId, noteId], options);
    const note = this.notes.find((candidate) => candidate.contactId === contactId && candidate.id === noteId);
    if (!note) throw new GhlNotFoundError('GET /contacts/{contactId}/notes/{id}', `Note ${noteId} not found`);
    return note;
  }

  /** The generic list read: the lists this fake holds, answered by their own methods (and recorded as those). */
  async readContactList<V>(
    locationId: string,
    list: ContactListEndpoint<V>,
    contactId: string,
    options?: CallOptions,
  ): Promise<V[]> {
    // The endpoint's item type V is the one of the method answering its path.
    const byPath: Record<string, () => Promise<unknown[]>> = {
      '/contacts/{contactId}/tasks': () => this.listTasks(locationId, contactId, options),
      '/contacts/{contactId}/notes': () => this.listNotes(locationId, contactId, options),
      '/contacts/{contactId}/appointments': () => this.listAppointments(locationId, contactId, options),
    };
    const read = byPath[list.spec.path];
    if (read === undefined) return this.unsupported(`readContactList ${list.spec.path}`);
    return (await read()) as V[];
  }

  async listAppointments(locationId: string, contactId: string, options?: CallOptions): Promise<Appointment[]> {
    this.record('listAppointments', [locationId, contactId], options);
    return this.appointments.filter((appointment) => appointment.contactId === contactId);
  }

  async listBusinessContacts(
    locationId: string,
    businessId: string,
    request: { limit?: number; skip?: number },
    options?: CallOptions,
  ): Promise<BusinessContactsResult> {
    this.record('listBusinessContacts', [locationId, businessId, request], options);
    const all = [...this.contacts.values()].filter((contact) => contact.businessId === businessId);
    const skip = request.skip ?? 0;
    return { contacts: all.slice(skip, skip + (request.limit ?? 25)), count: all.length };
  }

  // ---- outside what the loaders and read resolvers do --------------------------------------

  private unsupported(method: string): never {
    throw new Error(`FakeGhlApi.${method} is not part of the read path this fake covers (location ${this.locationId})`);
  }
  iterateSearch(): AsyncIterable<never> {
    return this.unsupported('iterateSearch');
  }
  listContacts(): Promise<ListContactsResult> {
    return this.unsupported('listContacts');
  }
  iterateContacts(): AsyncIterable<never> {
    return this.unsupported('iterateContacts');
  }
  iterateBusinessContacts(): AsyncIterable<never> {
    return this.unsupported('iterateBusinessContacts');
  }
  createContact(): Promise<Contact> {
    return this.unsupported('createContact');
  }
  updateContact(): Promise<Contact> {
    return this.unsupported('updateContact');
  }
  upsertContact(): Promise<{ contact: Contact; created: boolean }> {
    return this.unsupported('upsertContact');
  }
  deleteContact(): Promise<void> {
    return this.unsupported('deleteContact');
  }
  addTags(): Promise<string[]> {
    return this.unsupported('addTags');
  }
  removeTags(): Promise<string[]> {
    return this.unsupported('removeTags');
  }
  createTask(): Promise<Task> {
    return this.unsupported('createTask');
  }
  updateTask(): Promise<Task> {
    return this.unsupported('updateTask');
  }
  completeTask(): Promise<Task> {
    return this.unsupported('completeTask');
  }
  deleteTask(): Promise<void> {
    return this.unsupported('deleteTask');
  }
  createNote(): Promise<Note> {
    return this.unsupported('createNote');
  }
  updateNote(): Promise<Note> {
    return this.unsupported('updateNote');
  }
  deleteNote(): Promise<void> {
    return this.unsupported('deleteNote');
  }
}
