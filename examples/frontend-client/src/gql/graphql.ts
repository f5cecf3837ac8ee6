/* eslint-disable */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time string, e.g. 2026-01-31T09:30:00.000Z. */
  DateTime: { input: string; output: string; }
  FieldSet: { input: string; output: string; }
  /** Any JSON value (custom field values may be strings, numbers, lists or objects). */
  JSON: { input: unknown; output: unknown; }
  link__Import: { input: string; output: string; }
};

export type Address = {
  __typename?: 'Address';
  city?: Maybe<Scalars['String']['output']>;
  country?: Maybe<Scalars['String']['output']>;
  line1?: Maybe<Scalars['String']['output']>;
  postalCode?: Maybe<Scalars['String']['output']>;
  state?: Maybe<Scalars['String']['output']>;
};

export type AddressInput = {
  city?: InputMaybe<Scalars['String']['input']>;
  /** ISO 3166-1 alpha-2, e.g. US. */
  country?: InputMaybe<Scalars['String']['input']>;
  line1?: InputMaybe<Scalars['String']['input']>;
  postalCode?: InputMaybe<Scalars['String']['input']>;
  state?: InputMaybe<Scalars['String']['input']>;
};

export type Appointment = {
  __typename?: 'Appointment';
  address?: Maybe<Scalars['String']['output']>;
  appointmentStatus?: Maybe<Scalars['String']['output']>;
  assignedUserId?: Maybe<Scalars['ID']['output']>;
  calendarId?: Maybe<Scalars['ID']['output']>;
  contactId: Scalars['ID']['output'];
  dateAdded?: Maybe<Scalars['DateTime']['output']>;
  dateUpdated?: Maybe<Scalars['DateTime']['output']>;
  endTime?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  notes?: Maybe<Scalars['String']['output']>;
  startTime?: Maybe<Scalars['DateTime']['output']>;
  status?: Maybe<Scalars['String']['output']>;
  title?: Maybe<Scalars['String']['output']>;
};

/** A HighLevel contact, with its tasks, notes and appointments. */
export type Contact = {
  __typename?: 'Contact';
  address: Address;
  /** The contact's appointments. Null when HighLevel failed to answer (the error names this path). */
  appointments?: Maybe<Array<Appointment>>;
  assignedTo?: Maybe<Scalars['ID']['output']>;
  businessId?: Maybe<Scalars['ID']['output']>;
  companyName?: Maybe<Scalars['String']['output']>;
  customFields: Array<CustomFieldValue>;
  dateAdded?: Maybe<Scalars['DateTime']['output']>;
  dateUpdated?: Maybe<Scalars['DateTime']['output']>;
  dnd: Scalars['Boolean']['output'];
  email?: Maybe<Scalars['String']['output']>;
  firstName?: Maybe<Scalars['String']['output']>;
  id: Scalars['ID']['output'];
  lastName?: Maybe<Scalars['String']['output']>;
  locationId: Scalars['ID']['output'];
  name?: Maybe<Scalars['String']['output']>;
  /** The contact's notes. Null when HighLevel failed to answer (the error names this path). */
  notes?: Maybe<Array<Note>>;
  /** The contact's opportunities (token scope opportunities.readonly). Null when HighLevel failed to answer. */
  opportunities?: Maybe<Array<Opportunity>>;
  phone?: Maybe<Scalars['String']['output']>;
  source?: Maybe<Scalars['String']['output']>;
  tags: Array<Scalars['String']['output']>;
  /** The contact's tasks; `completed` keeps only done (true) or open (false) ones. Null when HighLevel failed to answer. */
  tasks?: Maybe<Array<Task>>;
  timezone?: Maybe<Scalars['String']['output']>;
  type?: Maybe<Scalars['String']['output']>;
  website?: Maybe<Scalars['String']['output']>;
};


/** A HighLevel contact, with its tasks, notes and appointments. */
export type ContactTasksArgs = {
  completed?: InputMaybe<Scalars['Boolean']['input']>;
};

export type ContactConnection = {
  __typename?: 'ContactConnection';
  edges: Array<ContactEdge>;
  pageInfo: PageInfo;
  /** All contacts matching the query, not just this page. */
  totalCount: Scalars['Int']['output'];
};

export type ContactEdge = {
  __typename?: 'ContactEdge';
  cursor: Scalars['String']['output'];
  node: Contact;
};

/** Every given condition must hold (AND). */
export type ContactFilter = {
  businessId?: InputMaybe<Scalars['ID']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
  /** Contacts carrying every one of these tags. */
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Contacts changed at or after this instant. */
  updatedSince?: InputMaybe<Scalars['DateTime']['input']>;
};

export type ContactPayload = {
  __typename?: 'ContactPayload';
  contact: Contact;
  /** True when an upsert created the contact, or a create that timed out was found already stored. */
  created: Scalars['Boolean']['output'];
  roofrSync: RoofrSync;
};

export type ContactSort = {
  direction?: SortDirection;
  field: ContactSortField;
};

export type ContactSortField =
  | 'COMPANY_NAME'
  | 'DATE_ADDED'
  | 'DATE_UPDATED'
  | 'EMAIL'
  | 'FIRST_NAME'
  | 'LAST_NAME';

export type ContactTagsPayload = {
  __typename?: 'ContactTagsPayload';
  contactId: Scalars['ID']['output'];
  roofrSync: RoofrSync;
  /** The contact's tags after the change. */
  tags: Array<Scalars['String']['output']>;
};

/** A new contact: at least one of email, phone, firstName, lastName or name. */
export type CreateContactInput = {
  address?: InputMaybe<AddressInput>;
  assignedTo?: InputMaybe<Scalars['ID']['input']>;
  companyName?: InputMaybe<Scalars['String']['input']>;
  customFields?: InputMaybe<Array<CustomFieldInput>>;
  dnd?: InputMaybe<Scalars['Boolean']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  firstName?: InputMaybe<Scalars['String']['input']>;
  lastName?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  /** Any common format; stored as E.164 (numbers without +country use PHONE_DEFAULT_COUNTRY). */
  phone?: InputMaybe<Scalars['String']['input']>;
  source?: InputMaybe<Scalars['String']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  /** IANA time zone, e.g. America/Chicago. */
  timezone?: InputMaybe<Scalars['String']['input']>;
  website?: InputMaybe<Scalars['String']['input']>;
};

export type CreateTaskInput = {
  assignedTo?: InputMaybe<Scalars['ID']['input']>;
  body?: InputMaybe<Scalars['String']['input']>;
  completed?: InputMaybe<Scalars['Boolean']['input']>;
  dueDate: Scalars['DateTime']['input'];
  title: Scalars['String']['input'];
};

export type CustomFieldInput = {
  id: Scalars['ID']['input'];
  value?: InputMaybe<Scalars['JSON']['input']>;
};

export type CustomFieldValue = {
  __typename?: 'CustomFieldValue';
  id: Scalars['ID']['output'];
  value?: Maybe<Scalars['JSON']['output']>;
};

/** A Roofr write the outbox gave up on after its attempts (or at once for a permanent error). */
export type DeadLetter = {
  __typename?: 'DeadLetter';
  attempts: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** What it does at Roofr, e.g. contact.upsert. */
  kind: Scalars['String']['output'];
  lastError?: Maybe<Scalars['String']['output']>;
  locationId: Scalars['ID']['output'];
  payload?: Maybe<Scalars['JSON']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};

export type DeadLetterConnection = {
  __typename?: 'DeadLetterConnection';
  edges: Array<DeadLetterEdge>;
  pageInfo: PageInfo;
};

export type DeadLetterEdge = {
  __typename?: 'DeadLetterEdge';
  cursor: Scalars['String']['output'];
  node: DeadLetter;
};

export type DeletePayload = {
  __typename?: 'DeletePayload';
  deletedId: Scalars['ID']['output'];
  roofrSync: RoofrSync;
};

export type Mutation = {
  __typename?: 'Mutation';
  addContactTags: ContactTagsPayload;
  completeTask: TaskPayload;
  createContact: ContactPayload;
  createNote: NotePayload;
  createTask: TaskPayload;
  deleteContact: DeletePayload;
  deleteNote: DeletePayload;
  deleteTask: DeletePayload;
  removeContactTags: ContactTagsPayload;
  /** Puts a dead letter back in the outbox for another delivery attempt; false when it is not dead. */
  retryDeadLetter: Scalars['Boolean']['output'];
  /** Queues a batch sync of the location, or of one business; the run is returned while RUNNING. dryRun: a DRY_RUN run that plans and writes nothing. */
  startSync: SyncRun;
  /** Syncs one HighLevel contact (with its tasks and notes) to Roofr now; dryRun: plans it and writes nothing. */
  syncContact: SyncRun;
  updateContact: ContactPayload;
  updateNote: NotePayload;
  updateTask: TaskPayload;
  /** Creates, or updates the contact HighLevel matches by email or phone. */
  upsertContact: ContactPayload;
  /** Queues an integrity check of the location (or one business): every contact, or `sample` contacts drawn at random among the linked ones; with repair, the fixes of what it finds are queued in the outbox. The VERIFY run is returned while RUNNING. */
  verifySync: SyncRun;
};


export type MutationAddContactTagsArgs = {
  contactId: Scalars['ID']['input'];
  tags: Array<Scalars['String']['input']>;
};


export type MutationCompleteTaskArgs = {
  completed?: InputMaybe<Scalars['Boolean']['input']>;
  contactId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
};


export type MutationCreateContactArgs = {
  input: CreateContactInput;
};


export type MutationCreateNoteArgs = {
  contactId: Scalars['ID']['input'];
  input: NoteInput;
};


export type MutationCreateTaskArgs = {
  contactId: Scalars['ID']['input'];
  input: CreateTaskInput;
};


export type MutationDeleteContactArgs = {
  id: Scalars['ID']['input'];
};


export type MutationDeleteNoteArgs = {
  contactId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
};


export type MutationDeleteTaskArgs = {
  contactId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
};


export type MutationRemoveContactTagsArgs = {
  contactId: Scalars['ID']['input'];
  tags: Array<Scalars['String']['input']>;
};


export type MutationRetryDeadLetterArgs = {
  id: Scalars['ID']['input'];
};


export type MutationStartSyncArgs = {
  businessId?: InputMaybe<Scalars['ID']['input']>;
  dryRun?: InputMaybe<Scalars['Boolean']['input']>;
  mode?: InputMaybe<SyncMode>;
};


export type MutationSyncContactArgs = {
  dryRun?: InputMaybe<Scalars['Boolean']['input']>;
  id: Scalars['ID']['input'];
};


export type MutationUpdateContactArgs = {
  id: Scalars['ID']['input'];
  input: UpdateContactInput;
};


export type MutationUpdateNoteArgs = {
  contactId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
  input: NoteInput;
};


export type MutationUpdateTaskArgs = {
  contactId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
  input: UpdateTaskInput;
};


export type MutationUpsertContactArgs = {
  input: CreateContactInput;
};


export type MutationVerifySyncArgs = {
  businessId?: InputMaybe<Scalars['ID']['input']>;
  repair?: InputMaybe<Scalars['Boolean']['input']>;
  sample?: InputMaybe<Scalars['Int']['input']>;
};

export type Note = {
  __typename?: 'Note';
  body: Scalars['String']['output'];
  color?: Maybe<Scalars['String']['output']>;
  contactId: Scalars['ID']['output'];
  dateAdded?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  pinned: Scalars['Boolean']['output'];
  title?: Maybe<Scalars['String']['output']>;
  userId?: Maybe<Scalars['ID']['output']>;
};

export type NoteInput = {
  body: Scalars['String']['input'];
  userId?: InputMaybe<Scalars['ID']['input']>;
};

export type NotePayload = {
  __typename?: 'NotePayload';
  note: Note;
  roofrSync: RoofrSync;
};

export type Notification = {
  __typename?: 'Notification';
  createdAt: Scalars['DateTime']['output'];
  /** The facts the message was built from (run id, dead letter id, reason …). */
  details: Scalars['JSON']['output'];
  firstSeenAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /** sync_run_failed, sync_run_partial, dead_letter, webhook_dead_letter, reinstall_required, budget_reserve_reached, roofr_unauthorized or roofr_validation. */
  kind: Scalars['String']['output'];
  locationId: Scalars['ID']['output'];
  /** Occurrences since the condition began. */
  occurrences: Scalars['Int']['output'];
  remedy: Remedy;
  severity: NotificationSeverity;
  status: NotificationStatus;
  /** What happened, in one sentence. */
  summary: Scalars['String']['output'];
};

export type NotificationConnection = {
  __typename?: 'NotificationConnection';
  edges: Array<NotificationEdge>;
  pageInfo: PageInfo;
};

export type NotificationEdge = {
  __typename?: 'NotificationEdge';
  cursor: Scalars['String']['output'];
  node: Notification;
};

export type NotificationSeverity =
  | 'CRITICAL'
  | 'INFO'
  | 'WARNING';

export type NotificationStatus =
  /** The condition began (one message per outage, however often it occurs). */
  | 'FIRING'
  /** The condition is still occurring (at most every NOTIFY_REPEAT_MS). */
  | 'REMINDER'
  /** The condition is over. */
  | 'RESOLVED';

/** A deal in one of the location's pipelines (HighLevel's Opportunities API; read-only here). */
export type Opportunity = {
  __typename?: 'Opportunity';
  assignedTo?: Maybe<Scalars['ID']['output']>;
  contactId: Scalars['ID']['output'];
  createdAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  lastStageChangeAt?: Maybe<Scalars['DateTime']['output']>;
  lastStatusChangeAt?: Maybe<Scalars['DateTime']['output']>;
  monetaryValue?: Maybe<Scalars['Float']['output']>;
  name?: Maybe<Scalars['String']['output']>;
  pipelineId?: Maybe<Scalars['ID']['output']>;
  pipelineStageId?: Maybe<Scalars['ID']['output']>;
  source?: Maybe<Scalars['String']['output']>;
  /** open, won, lost or abandoned. */
  status?: Maybe<Scalars['String']['output']>;
  updatedAt?: Maybe<Scalars['DateTime']['output']>;
};

/** Relay paging information of a connection. */
export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
  hasPreviousPage: Scalars['Boolean']['output'];
  startCursor?: Maybe<Scalars['String']['output']>;
};

export type Query = {
  __typename?: 'Query';
  /** One contact by id; NOT_FOUND when HighLevel has no such contact. */
  contact?: Maybe<Contact>;
  /**
   * Contacts of the location (POST /contacts/search). `after` takes an edge's cursor and keeps
   * working past HighLevel's 10,000-result page limit. `first` is at most 500.
   * At most two sort keys. Null, with a coded error, when HighLevel fails to answer.
   */
  contacts?: Maybe<ContactConnection>;
  /** Contacts of one business (company). `first` is at most 100. Null, with a coded error, when HighLevel fails. */
  contactsByBusiness?: Maybe<ContactConnection>;
  /** Dead letters of the Roofr outbox, oldest first. `first` is at most 500. */
  deadLetters: DeadLetterConnection;
  /** One note of a contact; NOT_FOUND when either does not exist. */
  note?: Maybe<Note>;
  /** The location's notifications, newest first; `first` is at most 100. */
  notifications: NotificationConnection;
  /** The Roofr records a sync of this contact would write, without writing anything. */
  previewRoofrRecord: RoofrPreview;
  /** The rate budget of a location: the caller's own when omitted; another location needs access to it. */
  rateLimit: RateLimitStatus;
  syncRun?: Maybe<SyncRun>;
  /** Newest first; `first` is at most 100. */
  syncRuns: SyncRunConnection;
  /** One task of a contact; NOT_FOUND when either does not exist. */
  task?: Maybe<Task>;
};


export type QueryContactArgs = {
  id: Scalars['ID']['input'];
};


export type QueryContactsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<ContactFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  query?: InputMaybe<Scalars['String']['input']>;
  sort?: InputMaybe<Array<ContactSort>>;
};


export type QueryContactsByBusinessArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  businessId: Scalars['ID']['input'];
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryDeadLettersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryNoteArgs = {
  contactId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
};


export type QueryNotificationsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


export type QueryPreviewRoofrRecordArgs = {
  contactId: Scalars['ID']['input'];
};


export type QueryRateLimitArgs = {
  locationId?: InputMaybe<Scalars['ID']['input']>;
};


export type QuerySyncRunArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySyncRunsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  status?: InputMaybe<SyncRunStatus>;
};


export type QueryTaskArgs = {
  contactId: Scalars['ID']['input'];
  id: Scalars['ID']['input'];
};

/** How many of each queue's requests wait for a rate-limit slot. */
export type RateLimitQueue = {
  __typename?: 'RateLimitQueue';
  /** Sync traffic: uses only what the interactive share leaves. */
  background: Scalars['Int']['output'];
  /** GraphQL traffic: goes first. */
  interactive: Scalars['Int']['output'];
};

/** A location's HighLevel rate budget as the gateway sees it (shared by every replica when REDIS_URL is set). */
export type RateLimitStatus = {
  __typename?: 'RateLimitStatus';
  burstMax: Scalars['Int']['output'];
  burstRemaining: Scalars['Int']['output'];
  dailyMax: Scalars['Int']['output'];
  dailyRemaining: Scalars['Int']['output'];
  intervalMs: Scalars['Int']['output'];
  /** False until a HighLevel response carried X-RateLimit-* headers; the limits below are then 0. */
  limitsKnown: Scalars['Boolean']['output'];
  locationId: Scalars['ID']['output'];
  /** Requests of this gateway process waiting for a slot, by lane. */
  queued: RateLimitQueue;
  /** Daily requests the gateway never spends (GHL_DAILY_RESERVE). */
  reserve: Scalars['Int']['output'];
  /** When the current burst window frees up, in ms from now. */
  resetInMs: Scalars['Int']['output'];
};

/** What fixes it: a sentence, and the mutation, CLI command or install URL to use. */
export type Remedy = {
  __typename?: 'Remedy';
  /** A command to run where the gateway is deployed, e.g. npm run sync -- --full. */
  command?: Maybe<Scalars['String']['output']>;
  /** A GraphQL operation to run, e.g. mutation { retryDeadLetter(id: "42") }. */
  mutation?: Maybe<Scalars['String']['output']>;
  text: Scalars['String']['output'];
  /** A link to open, e.g. the OAuth install link. */
  url?: Maybe<Scalars['String']['output']>;
};

/** What the gateway would write to Roofr for a contact, mapped with the configured mapping. */
export type RoofrPreview = {
  __typename?: 'RoofrPreview';
  contactId: Scalars['ID']['output'];
  customer: Scalars['JSON']['output'];
  job: Scalars['JSON']['output'];
  jobNotes: Array<Scalars['JSON']['output']>;
  jobTasks: Array<Scalars['JSON']['output']>;
  /** Roofr ids the contact is already linked to (then the write is an update). */
  linkedCustomerId?: Maybe<Scalars['ID']['output']>;
  linkedJobId?: Maybe<Scalars['ID']['output']>;
};

export type RoofrSync = {
  __typename?: 'RoofrSync';
  /** Why it was skipped, queued or failed; null when synced. */
  error?: Maybe<Scalars['String']['output']>;
  /** The outbox entry holding a QUEUED change. */
  outboxId?: Maybe<Scalars['ID']['output']>;
  /** The Roofr record written: the customer for a contact, the job task or job note. */
  roofrId?: Maybe<Scalars['ID']['output']>;
  /** The Roofr job of a contact. */
  roofrJobId?: Maybe<Scalars['ID']['output']>;
  status: RoofrSyncStatus;
};

export type RoofrSyncStatus =
  /** Roofr refused the change for good (e.g. validation); see error. */
  | 'FAILED'
  /** Roofr could not be reached (down, rate limited, slow); the outbox delivers the change later. */
  | 'QUEUED'
  /** Nothing was written: the content is unchanged, the adapter cannot carry it, or the policy says so (see error). */
  | 'SKIPPED'
  /** Roofr holds the change. */
  | 'SYNCED';

export type SortDirection =
  | 'ASC'
  | 'DESC';

/** One field: its value before (Roofr's, or HighLevel's for the HighLevel side) and after. */
export type SyncFieldChange = {
  __typename?: 'SyncFieldChange';
  /** Dotted path in the target record, e.g. address.city (HighLevel: the write's field name). */
  field: Scalars['String']['output'];
  from?: Maybe<Scalars['JSON']['output']>;
  to?: Maybe<Scalars['JSON']['output']>;
};

export type SyncMode =
  /** Every contact (of the business, when one is given). */
  | 'FULL'
  /** From the location's dateUpdated watermark: what changed since the last run. */
  | 'INCREMENTAL';

export type SyncPlanAction =
  /** Dry run: the record would be archived or deleted in Roofr. */
  | 'ARCHIVE'
  /** Dry run: the update would overwrite a change made in Roofr to a field both sides write. */
  | 'CONFLICT'
  /** Dry run: the record would be created in Roofr. */
  | 'CREATE'
  | 'DELETE'
  /** Verify: the two sides differ in these fields (targetKind says which side is fixed). */
  | 'DRIFT'
  /** Verify: a second Roofr record for one HighLevel record. */
  | 'DUPLICATE'
  /** Verify: a link whose HighLevel record is gone while the Roofr record stays. */
  | 'LINK_TO_DELETED'
  /** Verify: Roofr holds values of fields Roofr owns that HighLevel lacks. */
  | 'MISSING_IN_GHL'
  /** Verify: HighLevel has the record, Roofr does not (never synced, or gone). */
  | 'MISSING_IN_ROOFR'
  /** Dry run: the record would not be written (see reason). */
  | 'SKIP'
  /** Dry run: the record would be updated in Roofr. */
  | 'UPDATE';

export type SyncPlanConnection = {
  __typename?: 'SyncPlanConnection';
  edges: Array<SyncPlanEdge>;
  pageInfo: PageInfo;
};

export type SyncPlanEdge = {
  __typename?: 'SyncPlanEdge';
  cursor: Scalars['String']['output'];
  node: SyncPlanEntry;
};

/** A dry run's planned write or a verify's finding, for one record and target. */
export type SyncPlanEntry = {
  __typename?: 'SyncPlanEntry';
  action: SyncPlanAction;
  entityId: Scalars['ID']['output'];
  /** The HighLevel record: contact, task, note. */
  entityKind: Scalars['String']['output'];
  /** At most 50 per entry; the rest are counted in fieldsOmitted. */
  fields: Array<SyncFieldChange>;
  fieldsOmitted: Scalars['Int']['output'];
  id: Scalars['ID']['output'];
  /** The outbox entry holding the repair. */
  outboxId?: Maybe<Scalars['ID']['output']>;
  reason?: Maybe<Scalars['String']['output']>;
  repair?: Maybe<SyncRepairStatus>;
  roofrId?: Maybe<Scalars['ID']['output']>;
  /** customer, job, job_task, job_note (Roofr), or contact (the HighLevel side). */
  targetKind: Scalars['String']['output'];
};

/** What a verify did about a finding (null when it ran without repair). */
export type SyncRepairStatus =
  /** A write of this record was already queued; nothing more was queued. */
  | 'ALREADY_QUEUED'
  /** Only a person can fix it (see reason). */
  | 'MANUAL'
  | 'NONE'
  /** The fix was queued in the outbox (see outboxId). */
  | 'QUEUED'
  /** The link was retired (ROOFR_DELETE_POLICY=ignore keeps the Roofr record). */
  | 'RETIRED';

export type SyncRun = {
  __typename?: 'SyncRun';
  businessId?: Maybe<Scalars['ID']['output']>;
  counts: SyncRunCounts;
  /** Milliseconds from start to finish (to now while running). */
  durationMs: Scalars['Int']['output'];
  /** Errors and the log of overwritten values, deletes and skips (at most 100). */
  errors: Array<SyncRunLogEntry>;
  finishedAt?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  kind: SyncRunKind;
  locationId: Scalars['ID']['output'];
  /** FULL, INCREMENTAL, contact, or event:<type> for a webhook; a verify: FULL or SAMPLE:<n>, +REPAIR. */
  mode: Scalars['String']['output'];
  /** A dry run's plan or a verify's findings, in the order recorded (empty for a sync); `first` at most 500. */
  plan: SyncPlanConnection;
  startedAt: Scalars['DateTime']['output'];
  status: SyncRunStatus;
  /** Null for a sync. */
  summary?: Maybe<SyncRunSummary>;
  /** What started it: manual, schedule, ghl-webhook, roofr-webhook, cli. */
  trigger: Scalars['String']['output'];
};


export type SyncRunPlanArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type SyncRunConnection = {
  __typename?: 'SyncRunConnection';
  edges: Array<SyncRunEdge>;
  pageInfo: PageInfo;
};

export type SyncRunCounts = {
  __typename?: 'SyncRunCounts';
  /** Dry run: updates that would overwrite a change made in Roofr. Verify: contacts with findings. */
  conflicts: Scalars['Int']['output'];
  /** Contacts created in Roofr (a dry run: that a sync would create). */
  created: Scalars['Int']['output'];
  failed: Scalars['Int']['output'];
  /** Contacts read (verify: checked). */
  read: Scalars['Int']['output'];
  /** Records skipped for a reason (the adapter cannot carry them; verify: a write still queued). */
  skipped: Scalars['Int']['output'];
  /** Contacts left as they were (verify: in agreement on both sides). */
  unchanged: Scalars['Int']['output'];
  updated: Scalars['Int']['output'];
};

export type SyncRunEdge = {
  __typename?: 'SyncRunEdge';
  cursor: Scalars['String']['output'];
  node: SyncRun;
};

export type SyncRunKind =
  /** Planned what a sync would write and wrote nothing; see plan. */
  | 'DRY_RUN'
  /** Wrote to Roofr (and HighLevel). */
  | 'SYNC'
  /** Compared HighLevel, the mapping and Roofr; see plan for the findings. */
  | 'VERIFY';

/** An error, or a log entry (code OVERWRITTEN, CONFLICT_KEPT_GHL, DELETE, SKIPPED …) of a run. */
export type SyncRunLogEntry = {
  __typename?: 'SyncRunLogEntry';
  at?: Maybe<Scalars['DateTime']['output']>;
  code?: Maybe<Scalars['String']['output']>;
  entityId?: Maybe<Scalars['ID']['output']>;
  entityKind?: Maybe<Scalars['String']['output']>;
  message: Scalars['String']['output'];
};

export type SyncRunStatus =
  | 'FAILED'
  /** Finished, but some records failed or Roofr did not confirm everything; see errors. */
  | 'PARTIAL'
  | 'RUNNING'
  | 'SUCCEEDED';

/** What a dry run or a verify reports beyond its counts. */
export type SyncRunSummary = {
  __typename?: 'SyncRunSummary';
  /** HighLevel requests the run sent (background lane). */
  ghlCalls: Scalars['Int']['output'];
  /** Entries past the run's cap (10,000): in the tallies, not in plan. */
  omittedEntries: Scalars['Int']['output'];
  /** Roofr reads (dry run: the records it would update; verify: every comparison). */
  roofrReads: Scalars['Int']['output'];
  sample?: Maybe<SyncSampleBound>;
  /** Records per target kind and action, every record (also past the plan's cap). */
  tallies: Array<SyncRunTally>;
};

export type SyncRunTally = {
  __typename?: 'SyncRunTally';
  /** A SyncPlanAction, UNCHANGED, or (repair) a SyncRepairStatus. */
  action: Scalars['String']['output'];
  count: Scalars['Int']['output'];
  /** customer, job, job_task, job_note, contact, or repair. */
  targetKind: Scalars['String']['output'];
};

/** What a sample (or a full check) says about the location. */
export type SyncSampleBound = {
  __typename?: 'SyncSampleBound';
  confidence: Scalars['Float']['output'];
  /** With `confidence`, at most this many of the population have findings. */
  maxAffected: Scalars['Int']['output'];
  maxAffectedPercent: Scalars['Float']['output'];
  /** Linked contacts the sample was drawn from. */
  population: Scalars['Int']['output'];
  sampled: Scalars['Int']['output'];
  statement: Scalars['String']['output'];
  withFindings: Scalars['Int']['output'];
};

export type Task = {
  __typename?: 'Task';
  assignedTo?: Maybe<Scalars['ID']['output']>;
  body?: Maybe<Scalars['String']['output']>;
  completed: Scalars['Boolean']['output'];
  contactId: Scalars['ID']['output'];
  dueDate?: Maybe<Scalars['DateTime']['output']>;
  id: Scalars['ID']['output'];
  title: Scalars['String']['output'];
};

export type TaskPayload = {
  __typename?: 'TaskPayload';
  roofrSync: RoofrSync;
  task: Task;
};

/** Only the fields given change; null clears a field. `tags` replaces the whole list. */
export type UpdateContactInput = {
  address?: InputMaybe<AddressInput>;
  assignedTo?: InputMaybe<Scalars['ID']['input']>;
  companyName?: InputMaybe<Scalars['String']['input']>;
  customFields?: InputMaybe<Array<CustomFieldInput>>;
  dnd?: InputMaybe<Scalars['Boolean']['input']>;
  email?: InputMaybe<Scalars['String']['input']>;
  firstName?: InputMaybe<Scalars['String']['input']>;
  lastName?: InputMaybe<Scalars['String']['input']>;
  name?: InputMaybe<Scalars['String']['input']>;
  phone?: InputMaybe<Scalars['String']['input']>;
  source?: InputMaybe<Scalars['String']['input']>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  timezone?: InputMaybe<Scalars['String']['input']>;
  website?: InputMaybe<Scalars['String']['input']>;
};

export type UpdateTaskInput = {
  assignedTo?: InputMaybe<Scalars['ID']['input']>;
  body?: InputMaybe<Scalars['String']['input']>;
  completed?: InputMaybe<Scalars['Boolean']['input']>;
  dueDate?: InputMaybe<Scalars['DateTime']['input']>;
  title?: InputMaybe<Scalars['String']['input']>;
};

export type ContactsPageQueryVariables = Exact<{
  first: Scalars['Int']['input'];
  after?: InputMaybe<Scalars['String']['input']>;
}>;


export type ContactsPageQuery = { __typename?: 'Query', contacts?: { __typename?: 'ContactConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, endCursor?: string | null }, edges: Array<{ __typename?: 'ContactEdge', node: { __typename?: 'Contact', id: string, name?: string | null, email?: string | null, tags: Array<string> } }> } | null };

export type ContactDetailsQueryVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type ContactDetailsQuery = { __typename?: 'Query', contact?: { __typename?: 'Contact', id: string, name?: string | null, email?: string | null, phone?: string | null, tasks?: Array<{ __typename?: 'Task', id: string, title: string, dueDate?: string | null }> | null, notes?: Array<{ __typename?: 'Note', id: string, body: string }> | null } | null };

export type CreateLeadMutationVariables = Exact<{
  input: CreateContactInput;
}>;


export type CreateLeadMutation = { __typename?: 'Mutation', createContact: { __typename?: 'ContactPayload', created: boolean, contact: { __typename?: 'Contact', id: string, name?: string | null, phone?: string | null, tags: Array<string> }, roofrSync: { __typename?: 'RoofrSync', status: RoofrSyncStatus } } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const ContactsPageDocument = new TypedDocumentString(`
    query ContactsPage($first: Int!, $after: String) {
  contacts(first: $first, after: $after) {
    totalCount
    pageInfo {
      hasNextPage
      endCursor
    }
    edges {
      node {
        id
        name
        email
        tags
      }
    }
  }
}
    `, {"hash":"3ab992eda0fa4908a1a9dfa7981deba25ff0fbd4205ecd12b5365e58291341be"}) as unknown as TypedDocumentString<ContactsPageQuery, ContactsPageQueryVariables>;
export const ContactDetailsDocument = new TypedDocumentString(`
    query ContactDetails($id: ID!) {
  contact(id: $id) {
    id
    name
    email
    phone
    tasks(completed: false) {
      id
      title
      dueDate
    }
    notes {
      id
      body
    }
  }
}
    `, {"hash":"b5eea244910804528810abbf73a2443d6e3281deb57736d85d46dea08782966b"}) as unknown as TypedDocumentString<ContactDetailsQuery, ContactDetailsQueryVariables>;
export const CreateLeadDocument = new TypedDocumentString(`
    mutation CreateLead($input: CreateContactInput!) {
  createContact(input: $input) {
    created
    contact {
      id
      name
      phone
      tags
    }
    roofrSync {
      status
    }
  }
}
    `, {"hash":"98b0871345fe992195253b4f427c1c30fc2c9cc9bd524da48c1ea7b1516cd990"}) as unknown as TypedDocumentString<CreateLeadMutation, CreateLeadMutationVariables>;