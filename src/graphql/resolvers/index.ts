/** The gateway's resolver map: one file per root field, one per type with field resolvers. */
import type { Resolvers } from '../resolvers-types.generated.js';
import { Contact } from './contact.js';
import { addContactTags } from './mutation-add-contact-tags.js';
import { completeTask } from './mutation-complete-task.js';
import { createContact } from './mutation-create-contact.js';
import { createNote } from './mutation-create-note.js';
import { createTask } from './mutation-create-task.js';
import { deleteContact } from './mutation-delete-contact.js';
import { deleteNote } from './mutation-delete-note.js';
import { deleteTask } from './mutation-delete-task.js';
import { removeContactTags } from './mutation-remove-contact-tags.js';
import { retryDeadLetter } from './mutation-retry-dead-letter.js';
import { updateContact } from './mutation-update-contact.js';
import { updateNote } from './mutation-update-note.js';
import { updateTask } from './mutation-update-task.js';
import { upsertContact } from './mutation-upsert-contact.js';
import { deadLetters } from './query-dead-letters.js';
import { startSync } from './mutation-start-sync.js';
import { syncContact } from './mutation-sync-contact.js';
import { syncRun } from './query-sync-run.js';
import { syncRuns } from './query-sync-runs.js';
import { SyncPlanEntry, SyncRun, SyncRunSummary } from './sync-run.js';
import { verifySync } from './mutation-verify-sync.js';
import { previewRoofrRecord } from './query-preview-roofr-record.js';
import { contact } from './query-contact.js';
import { contacts } from './query-contacts.js';
import { contactsByBusiness } from './query-contacts-by-business.js';
import { note } from './query-note.js';
import { notifications } from './query-notifications.js';
import { rateLimit } from './query-rate-limit.js';
import { task } from './query-task.js';
import { DateTime, JSON } from './scalars.js';

export const resolvers: Resolvers = {
  DateTime,
  JSON,
  Query: {
    contact,
    contacts,
    contactsByBusiness,
    task,
    note,
    deadLetters,
    previewRoofrRecord,
    syncRun,
    syncRuns,
    rateLimit,
    notifications,
  },
  Mutation: {
    createContact,
    updateContact,
    upsertContact,
    deleteContact,
    addContactTags,
    removeContactTags,
    createTask,
    updateTask,
    completeTask,
    deleteTask,
    createNote,
    updateNote,
    deleteNote,
    retryDeadLetter,
    syncContact,
    startSync,
    verifySync,
  },
  Contact,
  SyncRun,
  SyncPlanEntry,
  SyncRunSummary,
};
