/**
 * Roofr records as the gateway sees them, independent of any adapter. Field names follow Roofr's
 * data model (snake_case, job-centric: a job belongs to one customer and carries tasks, notes and
 * extra contacts). Roofr publishes no API, so these are the project's own names: the REST adapter
 * (and docs/roofr-api.md) map them to the wire, the mapping engine maps GHL records to them.
 * Plain, JSON-serialisable data in the domain layer, so the pure mapping engine may use it;
 * src/roofr/types.ts re-exports it for the adapters.
 */

export interface RoofrAddress {
  street: string | null;
  city: string | null;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

/** Scalar values a Roofr custom field may hold. */
export type RoofrFieldValue = string | number | boolean | null;

export interface RoofrCustomerFields {
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  company_name: string | null;
  address: RoofrAddress;
  custom_fields: Record<string, RoofrFieldValue>;
}

/** A customer write: `id` set means update that customer, unset means create. */
export interface RoofrCustomerWrite extends Partial<RoofrCustomerFields> {
  id?: string;
}

export interface RoofrCustomer extends RoofrCustomerFields {
  id: string;
  created_at: string | null;
  updated_at: string | null;
}

export interface RoofrJobFields {
  name: string | null;
  /** The workflow stage (a column of the Job Board), by name. */
  workflow_stage: string | null;
  lead_source: string | null;
  address: RoofrAddress;
  tags: string[];
  /** Roofr user ids or emails; the mapping decides which. */
  assignees: string[];
  /** The record on the other side this job mirrors, e.g. "ghl:contact:<id>". */
  external_ref: string | null;
  custom_fields: Record<string, RoofrFieldValue>;
}

export interface RoofrJobWrite extends Partial<RoofrJobFields> {
  id?: string;
}

export interface RoofrJob extends RoofrJobFields {
  id: string;
  customer_id: string;
  archived: boolean;
  created_at: string | null;
  updated_at: string | null;
}

/** An extra person on a job, e.g. the insurance adjuster (`contact_type: insurance`). */
export interface RoofrJobContactFields {
  contact_type: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
}

export interface RoofrJobContactWrite extends Partial<RoofrJobContactFields> {
  id?: string;
}

export interface RoofrJobContact extends RoofrJobContactFields {
  id: string;
  job_id: string;
}

export type RoofrTaskStatus = 'open' | 'completed';

export interface RoofrJobTaskFields {
  title: string;
  description: string | null;
  status: RoofrTaskStatus;
  assignee: string | null;
  due_at: string | null;
  external_ref: string | null;
}

export interface RoofrJobTaskWrite extends Partial<RoofrJobTaskFields> {
  id?: string;
}

export interface RoofrJobTask extends RoofrJobTaskFields {
  id: string;
  job_id: string;
  created_at: string | null;
  updated_at: string | null;
}

export interface RoofrJobNoteFields {
  body: string;
  author: string | null;
  created_at: string | null;
  external_ref: string | null;
}

export interface RoofrJobNoteWrite extends Partial<RoofrJobNoteFields> {
  id?: string;
}

export interface RoofrJobNote extends RoofrJobNoteFields {
  id: string;
  job_id: string;
  updated_at: string | null;
}

export function emptyRoofrAddress(): RoofrAddress {
  return { street: null, city: null, state: null, postal_code: null, country: null };
}
