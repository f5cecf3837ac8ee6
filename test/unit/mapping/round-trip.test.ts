import type { Contact } from '../../../src/domain/types.js';
import type { ContactWrite } from '../../../src/ghl/ghl-api.js';
import type { Mapping } from '../../../src/domain/mapping/mapping-schema.js';
import { toGhl } from '../../../src/domain/mapping/to-ghl.js';
import { toRoofr } from '../../../src/domain/mapping/to-roofr.js';
import { loadMappingFile } from '../../../src/roofr/mapping-file.js';
import { appointment, contact, note, REALISTIC_CONTACTS, task } from './ghl-fixtures.js';

/** The contact fields the default mapping writes back to HighLevel (direction both). */
function mappedFields(source: Contact): ContactWrite {
  return {
    firstName: source.firstName,
    lastName: source.lastName,
    email: source.email,
    phone: source.phone,
    companyName: source.companyName,
    address1: source.address.line1,
    city: source.address.city,
    state: source.address.state,
    postalCode: source.address.postalCode,
    country: source.address.country,
    tags: source.tags,
    assignedTo: source.assignedTo,
  };
}

describe('default mapping round trip GHL → Roofr → GHL', () => {
  let mapping: Mapping;

  beforeAll(async () => {
    mapping = await loadMappingFile('mapping/default.yaml');
  });

  it.each(REALISTIC_CONTACTS.map((source) => [source.id, source] as const))(
    'when contact %s goes to Roofr and back, then every mapped field is unchanged',
    (_id, source) => {
      const roofr = toRoofr(mapping, { contact: source });
      const back = toGhl(mapping, { customer: roofr.customer, job: roofr.job });
      expect(back.contact).toEqual(mappedFields(source));
    },
  );

  it('when a contact goes to Roofr, then customer and job carry the Roofr field names', () => {
    const [maria] = REALISTIC_CONTACTS;
    const roofr = toRoofr(mapping, { contact: maria as Contact });
    expect(roofr.customer).toEqual({
      first_name: 'Maria',
      last_name: 'Gonzalez',
      email: 'maria.gonzalez@example.com',
      phone: '+15125550143',
      company_name: null,
      address: { street: '4821 Shoal Creek Blvd', city: 'Austin', state: 'TX', postal_code: '78756', country: 'US' },
    });
    expect(roofr.job).toEqual({
      name: 'Maria Gonzalez',
      lead_source: 'Facebook Ads',
      tags: ['storm-damage', 'hail-2026'],
      assignees: ['usr0000000000000000A'],
      workflow_stage: 'New Incoming Leads',
      address: { street: '4821 Shoal Creek Blvd', city: 'Austin', state: 'TX', postal_code: '78756', country: 'US' },
      external_ref: 'ghl:contact:seD4PfOuKoVMLkEZqohJ',
    });
  });

  it('when a contact has no source, then the job gets the default lead source', () => {
    const roofr = toRoofr(mapping, { contact: contact({ id: 'x' }) });
    expect(roofr.job.lead_source).toBe('HighLevel');
  });

  it('when the records are for an update, then create-only fields are left out', () => {
    const roofr = toRoofr(mapping, { contact: contact({ id: 'x' }) }, { forCreate: false });
    expect(roofr.job).not.toHaveProperty('workflow_stage');
  });

  it('when tasks and notes go to Roofr and back, then each maps to the same GHL write and names its GHL id', () => {
    const tasks = [
      task({
        id: 'tsk1',
        title: 'Send estimate',
        body: 'Use the 30-year shingle quote',
        dueDate: '2026-02-03T17:00:00.000Z',
        completed: false,
        assignedTo: 'usrA',
      }),
      task({ id: 'tsk2', title: 'Order materials', completed: true }),
    ];
    const notes = [
      note({ id: 'nte1', body: 'Customer prefers mornings', userId: 'usrA' }),
      note({ id: 'nte2', body: 'Insurance adjuster visits Friday' }),
    ];
    const roofr = toRoofr(mapping, { contact: contact({ id: 'c1' }), tasks, notes });
    expect(roofr.jobTasks.map((jobTask) => jobTask.status)).toEqual(['open', 'completed']);
    const back = toGhl(mapping, { jobTasks: roofr.jobTasks, jobNotes: roofr.jobNotes });
    expect(back.tasks).toEqual(
      tasks.map((source) => ({
        ghlId: source.id,
        roofrId: null,
        write: {
          title: source.title,
          body: source.body,
          dueDate: source.dueDate,
          completed: source.completed,
          assignedTo: source.assignedTo,
        },
      })),
    );
    expect(back.notes).toEqual(
      notes.map((source) => ({ ghlId: source.id, roofrId: null, write: { body: source.body, userId: source.userId } })),
    );
  });

  it('when an appointment goes to Roofr, then it becomes an open job task that never comes back as a GHL task', () => {
    const roofr = toRoofr(mapping, { contact: contact({ id: 'c1' }), appointments: [appointment({ id: 'apt9' })] });
    expect(roofr.jobTasks).toEqual([
      {
        title: 'Appointment: Roof inspection',
        due_at: '2026-02-01T15:00:00.000Z',
        assignee: 'usr0000000000000000A',
        description: 'Bring the ladder',
        status: 'open',
        external_ref: 'ghl:appointment:apt9',
      },
    ]);
    expect(toGhl(mapping, { jobTasks: roofr.jobTasks }).tasks).toEqual([]);
  });

  it('when Roofr sends a record without some mapped fields, then the GHL write leaves those fields out', () => {
    const back = toGhl(mapping, { customer: { first_name: 'Only' } });
    expect(back.contact).toEqual({ firstName: 'Only' });
  });

  it('when a job task was created in Roofr, then its GHL write has no GHL id', () => {
    const back = toGhl(mapping, { jobTasks: [{ id: '77', title: 'Tear-off', status: 'open', external_ref: null }] });
    expect(back.tasks).toEqual([{ ghlId: null, roofrId: '77', write: { title: 'Tear-off', completed: false } }]);
  });
});
