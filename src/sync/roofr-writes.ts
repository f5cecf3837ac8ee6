/**
 * The Roofr writes a GHL change turns into, as plain data: what the direct attempt performs and,
 * when Roofr cannot be reached, exactly what the outbox stores and later delivers (parsed back
 * with these schemas: the database is a trust boundary). Records are already mapped (toRoofr);
 * create-vs-update is decided at delivery from the links, so a write queued before its entity
 * was linked does not create a second Roofr record.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RoofrCustomerWrite, RoofrJobNoteWrite, RoofrJobTaskWrite, RoofrJobWrite } from '../roofr/types.js';

/** A mapped Roofr record (the mapping engine's output); field-level shape is the adapter's. */
const MappedRecordSchema = z.record(z.string(), z.unknown());

/** Create-only rules (e.g. the first workflow stage) appear in `create` only. */
const CreateOrUpdateSchema = z.object({ create: MappedRecordSchema, update: MappedRecordSchema });

/**
 * A write a verify queued to repair what it found (src/sync/verify-repairs.ts). `retire`: Roofr
 * ids the entity is linked to that Roofr no longer has; their links are retired at delivery, so
 * the write creates the record again instead of updating one that is gone. `runId` keys those
 * creates apart from the original ones, which Roofr would otherwise replay (same idempotency key).
 */
const RepairSchema = z.object({ runId: z.string(), retire: z.array(z.string()).default([]) });

export const ContactUpsertSchema = z.object({
  kind: z.literal('contact.upsert'),
  ghlContactId: z.string(),
  customer: CreateOrUpdateSchema,
  job: CreateOrUpdateSchema,
  customerHash: z.string(),
  jobHash: z.string(),
  repair: RepairSchema.optional(),
});
export type ContactUpsert = z.infer<typeof ContactUpsertSchema>;

export const TaskUpsertSchema = z.object({
  kind: z.literal('task.upsert'),
  ghlContactId: z.string(),
  ghlTaskId: z.string(),
  record: CreateOrUpdateSchema,
  hash: z.string(),
  repair: RepairSchema.optional(),
});
export type TaskUpsert = z.infer<typeof TaskUpsertSchema>;

export const NoteUpsertSchema = z.object({
  kind: z.literal('note.upsert'),
  ghlContactId: z.string(),
  ghlNoteId: z.string(),
  record: CreateOrUpdateSchema,
  hash: z.string(),
  repair: RepairSchema.optional(),
});
export type NoteUpsert = z.infer<typeof NoteUpsertSchema>;

/** A GHL appointment, written as a job task of its contact's job (mapping `appointment:` rules). */
export const AppointmentUpsertSchema = z.object({
  kind: z.literal('appointment.upsert'),
  ghlContactId: z.string(),
  ghlAppointmentId: z.string(),
  record: CreateOrUpdateSchema,
  hash: z.string(),
  repair: RepairSchema.optional(),
});
export type AppointmentUpsert = z.infer<typeof AppointmentUpsertSchema>;

export const DeletePolicySchema = z.enum(['archive', 'delete', 'ignore']);
export type DeletePolicy = z.infer<typeof DeletePolicySchema>;

export const ContactRemovalSchema = z.object({
  kind: z.literal('contact.delete'),
  ghlContactId: z.string(),
  policy: DeletePolicySchema,
  /** The linked Roofr ids when the delete was decided. */
  customerId: z.string().nullable(),
  jobId: z.string().nullable(),
});
export type ContactRemoval = z.infer<typeof ContactRemovalSchema>;

/**
 * A GHL task / note deleted: its Roofr record goes too. The Roofr ids are captured when the delete
 * is decided, because the task's link says nothing of its job (the DELETE path needs both).
 */
export const TaskRemovalSchema = z.object({
  kind: z.literal('task.delete'),
  ghlTaskId: z.string(),
  roofrJobId: z.string(),
  roofrId: z.string(),
});
export type TaskRemoval = z.infer<typeof TaskRemovalSchema>;

export const NoteRemovalSchema = z.object({
  kind: z.literal('note.delete'),
  ghlNoteId: z.string(),
  roofrJobId: z.string(),
  roofrId: z.string(),
});
export type NoteRemoval = z.infer<typeof NoteRemovalSchema>;

export const AppointmentRemovalSchema = z.object({
  kind: z.literal('appointment.delete'),
  ghlAppointmentId: z.string(),
  roofrJobId: z.string(),
  roofrId: z.string(),
});
export type AppointmentRemoval = z.infer<typeof AppointmentRemovalSchema>;

/**
 * A verify found a second Roofr record for one HighLevel record (two customers with the contact's
 * email, two job tasks mirroring one task) and it is an exact copy of the linked one: the copy
 * goes (Roofr deletes a customer's jobs with it, so only copies are ever queued; see verify).
 */
export const DuplicateRemovalSchema = z.object({
  kind: z.literal('duplicate.delete'),
  ghlContactId: z.string(),
  roofrKind: z.enum(['customer', 'job_task', 'job_note']),
  roofrId: z.string(),
  /** The job a duplicate task or note is on; null for a customer. */
  roofrJobId: z.string().nullable(),
  /** The linked record it duplicates, which stays. */
  keptRoofrId: z.string(),
});
export type DuplicateRemoval = z.infer<typeof DuplicateRemovalSchema>;

export const RoofrWriteSchema = z.discriminatedUnion('kind', [
  ContactUpsertSchema,
  TaskUpsertSchema,
  NoteUpsertSchema,
  AppointmentUpsertSchema,
  ContactRemovalSchema,
  TaskRemovalSchema,
  NoteRemovalSchema,
  AppointmentRemovalSchema,
  DuplicateRemovalSchema,
]);
export type RoofrWrite = z.infer<typeof RoofrWriteSchema>;

// The mapping engine produced these records; the casts only restore their static type.
export const asCustomer = (record: Record<string, unknown>): RoofrCustomerWrite => record as RoofrCustomerWrite;
export const asJob = (record: Record<string, unknown>): RoofrJobWrite => record as RoofrJobWrite;
export const asTask = (record: Record<string, unknown>): RoofrJobTaskWrite => record as RoofrJobTaskWrite;
export const asNote = (record: Record<string, unknown>): RoofrJobNoteWrite => record as RoofrJobNoteWrite;

/**
 * The entity a write is about: writes to one entity are delivered in order, and a newer one
 * supersedes an older (each carries the entity's whole mapped state). A duplicate's removal is
 * about the Roofr copy, not the HighLevel record: no upsert of the record may supersede it.
 */
export function entityOf(write: RoofrWrite): {
  kind: 'contact' | 'task' | 'note' | 'appointment' | 'duplicate';
  id: string;
} {
  switch (write.kind) {
    case 'duplicate.delete':
      return { kind: 'duplicate', id: `${write.roofrKind}:${write.roofrId}` };
    case 'contact.upsert':
    case 'contact.delete':
      return { kind: 'contact', id: write.ghlContactId };
    case 'task.upsert':
    case 'task.delete':
      return { kind: 'task', id: write.ghlTaskId };
    case 'note.upsert':
    case 'note.delete':
      return { kind: 'note', id: write.ghlNoteId };
    case 'appointment.upsert':
    case 'appointment.delete':
      return { kind: 'appointment', id: write.ghlAppointmentId };
  }
}

/** Prefix shared by every idempotency key of one entity, and its outbox entity key (ordering queries by it). */
export function entityKeyPrefix(locationId: string, entity: { kind: string; id: string }): string {
  return `g2r:${locationId}:${entity.kind}:${entity.id}:`;
}

function contentOf(write: RoofrWrite): string {
  switch (write.kind) {
    case 'contact.upsert':
      return `${write.customerHash}|${write.jobHash}`;
    case 'contact.delete':
      return `delete|${write.policy}|${write.customerId}|${write.jobId}`;
    case 'task.delete':
    case 'note.delete':
    case 'appointment.delete':
      return `delete|${write.roofrJobId}|${write.roofrId}`;
    case 'task.upsert':
    case 'note.upsert':
    case 'appointment.upsert':
      return write.hash;
    case 'duplicate.delete':
      return `delete|${write.roofrKind}|${write.roofrId}`;
  }
}

/**
 * Same change, same key: derived from the location, the entity and the content hash. The hash
 * last written is part of it, so content going A → B → A gets a new key for the second A
 * (Roofr would otherwise replay the answer to the first A and keep B).
 */
export function idempotencyKeyOf(locationId: string, write: RoofrWrite, previousHash: string | null): string {
  const content = contentOf(write);
  const digest = createHash('sha256')
    .update(`${previousHash ?? ''}>${content}`)
    .digest('hex')
    .slice(0, 32);
  return `${entityKeyPrefix(locationId, entityOf(write))}${write.kind}:${digest}`;
}
