/**
 * The one-record mappings the push uses (contactToRoofr, taskToRoofr, noteToRoofr,
 * appointmentToRoofr) map each rule once for both shapes; they must write exactly what toRoofr
 * writes for a create and for an update.
 */
import type { Mapping } from '../../../src/domain/mapping/mapping-schema.js';
import {
  appointmentToRoofr,
  contactToRoofr,
  noteToRoofr,
  taskToRoofr,
  toRoofr,
} from '../../../src/domain/mapping/to-roofr.js';
import { loadMappingFile } from '../../../src/roofr/mapping-file.js';
import { appointment, contact, note, REALISTIC_CONTACTS, task } from './ghl-fixtures.js';

describe('single-record mappings', () => {
  let mapping: Mapping;

  beforeAll(async () => {
    mapping = await loadMappingFile('mapping/default.yaml');
  });

  it('when a contact is mapped once, then its create and update shapes equal toRoofr for a create and for an update', () => {
    for (const source of REALISTIC_CONTACTS) {
      const both = contactToRoofr(mapping, source);
      const create = toRoofr(mapping, { contact: source }, { forCreate: true });
      const update = toRoofr(mapping, { contact: source }, { forCreate: false });
      expect(both).toEqual({
        customer: { create: create.customer, update: update.customer },
        job: { create: create.job, update: update.job },
      });
    }
  });

  it('when a task, a note and an appointment are mapped once, then each equals what toRoofr writes for it in both shapes', () => {
    const owner = contact({ id: 'c1' });
    const records = {
      contact: owner,
      tasks: [task({ id: 't1', contactId: 'c1' })],
      notes: [note({ id: 'n1', contactId: 'c1' })],
      appointments: [appointment({ id: 'a1', contactId: 'c1' })],
    };
    const create = toRoofr(mapping, records, { forCreate: true });
    const update = toRoofr(mapping, records, { forCreate: false });
    expect(taskToRoofr(mapping, records.tasks[0]!)).toEqual({ create: create.jobTasks[0], update: update.jobTasks[0] });
    expect(appointmentToRoofr(mapping, records.appointments[0]!)).toEqual({
      create: create.jobTasks[1],
      update: update.jobTasks[1],
    });
    expect(noteToRoofr(mapping, records.notes[0]!)).toEqual({ create: create.jobNotes[0], update: update.jobNotes[0] });
    // create_only rules (an appointment's first status) are in the create shape only.
    expect(appointmentToRoofr(mapping, records.appointments[0]!)?.create).toHaveProperty('status', 'open');
    expect(appointmentToRoofr(mapping, records.appointments[0]!)?.update).not.toHaveProperty('status');
  });
});
