/**
 * A view of a Roofr port whose every call must settle by one deadline: a mutation's inline push
 * tries Roofr only while the operation can still answer, then the write waits in the outbox.
 * Each call carries `deadlineAt` down to the upstream request loop, which bounds every wait and
 * attempt by it (an earlier deadline the caller passed itself wins).
 */
import type { ReadOptions, RoofrPort, WriteOptions } from './roofr-port.js';

export function portWithDeadline(port: RoofrPort, deadlineAt: number): RoofrPort {
  const write = (options: WriteOptions): WriteOptions => ({
    ...options,
    deadlineAt: Math.min(options.deadlineAt ?? deadlineAt, deadlineAt),
  });
  const read = (options: ReadOptions = {}): ReadOptions => ({
    ...options,
    deadlineAt: Math.min(options.deadlineAt ?? deadlineAt, deadlineAt),
  });
  return {
    adapter: port.adapter,
    capabilities: port.capabilities,
    upsertCustomer: (record, options) => port.upsertCustomer(record, write(options)),
    upsertJob: (customerId, record, options) => port.upsertJob(customerId, record, write(options)),
    upsertCustomerAndJob: (customer, job, options) => port.upsertCustomerAndJob(customer, job, write(options)),
    upsertJobContact: (jobId, record, options) => port.upsertJobContact(jobId, record, write(options)),
    upsertJobTask: (jobId, record, options) => port.upsertJobTask(jobId, record, write(options)),
    upsertJobNote: (jobId, record, options) => port.upsertJobNote(jobId, record, write(options)),
    getCustomer: (id, options) => port.getCustomer(id, read(options)),
    getJob: (id, options) => port.getJob(id, read(options)),
    listJobContacts: (jobId, options) => port.listJobContacts(jobId, read(options)),
    listJobTasks: (jobId, options) => port.listJobTasks(jobId, read(options)),
    listJobNotes: (jobId, options) => port.listJobNotes(jobId, read(options)),
    findCustomers: (query, options) => port.findCustomers(query, read(options)),
    archiveJob: (id, options) => port.archiveJob(id, write(options)),
    deleteCustomer: (id, options) => port.deleteCustomer(id, write(options)),
    deleteJobTask: (jobId, taskId, options) => port.deleteJobTask(jobId, taskId, write(options)),
    deleteJobNote: (jobId, noteId, options) => port.deleteJobNote(jobId, noteId, write(options)),
  };
}
