import type { Appointment, Contact, Note, Task } from '../../../src/domain/types.js';
import { emptyContact } from '../../support/empty-contact.js';

export function contact(overrides: Partial<Contact>): Contact {
  return {
    ...emptyContact('cNt0000000000000001', 'loc000000000000000001'),
    type: 'lead',
    dateAdded: '2026-01-05T10:00:00.000Z',
    dateUpdated: '2026-01-06T10:00:00.000Z',
    ...overrides,
  };
}

/** Realistic contacts as HighLevel returns them (emails lowercased, phones E.164). */
export const REALISTIC_CONTACTS: Contact[] = [
  contact({
    id: 'seD4PfOuKoVMLkEZqohJ',
    name: 'Maria Gonzalez',
    firstName: 'Maria',
    lastName: 'Gonzalez',
    email: 'maria.gonzalez@example.com',
    phone: '+15125550143',
    companyName: null,
    address: { line1: '4821 Shoal Creek Blvd', city: 'Austin', state: 'TX', postalCode: '78756', country: 'US' },
    tags: ['storm-damage', 'hail-2026'],
    source: 'Facebook Ads',
    assignedTo: 'usr0000000000000000A',
  }),
  contact({
    id: 'Xk2Lq9mZpR4tWv7yBn1c',
    firstName: 'James',
    lastName: "O'Neill",
    email: 'jim@oneill-roofing.co',
    phone: '+447700900123',
    companyName: "O'Neill Property Ltd",
    address: { line1: '12 Baker Street', city: 'London', state: null, postalCode: 'NW1 6XE', country: 'GB' },
    tags: ['commercial'],
  }),
  // Only a phone: a lead from a call.
  contact({ id: 'PhoneOnly00000000001', phone: '+13055550199' }),
  // Only a name and an email, no address, no tags.
  contact({ id: 'NameEmail00000000001', firstName: 'Li', lastName: null, email: 'li@example.org' }),
  // Nothing mapped at all.
  contact({ id: 'Empty000000000000001' }),
  // A two-part first name and a partial address.
  contact({
    id: 'TwoPart0000000000001',
    firstName: 'Mary Ann',
    lastName: 'Smith-Jones',
    email: 'maryann@example.net',
    address: { line1: null, city: 'Denver', state: 'CO', postalCode: null, country: 'US' },
    tags: ['referral', 'insurance-claim', 'vip'],
    assignedTo: 'usr0000000000000000B',
  }),
];

export function task(overrides: Partial<Task>): Task {
  return {
    id: 'tsk1',
    contactId: 'seD4PfOuKoVMLkEZqohJ',
    title: 'Call back',
    body: null,
    dueDate: null,
    completed: false,
    assignedTo: null,
    ...overrides,
  };
}

export function note(overrides: Partial<Note>): Note {
  return {
    id: 'nte1',
    contactId: 'seD4PfOuKoVMLkEZqohJ',
    body: 'Left a voicemail',
    title: null,
    userId: null,
    pinned: false,
    color: null,
    dateAdded: '2026-01-07T09:30:00.000Z',
    ...overrides,
  };
}

export function appointment(overrides: Partial<Appointment>): Appointment {
  return {
    id: 'apt1',
    calendarId: 'cal1',
    contactId: 'seD4PfOuKoVMLkEZqohJ',
    title: 'Roof inspection',
    status: 'confirmed',
    appointmentStatus: 'confirmed',
    startTime: '2026-02-01T15:00:00.000Z',
    endTime: '2026-02-01T16:00:00.000Z',
    address: null,
    assignedUserId: 'usr0000000000000000A',
    notes: 'Bring the ladder',
    dateAdded: null,
    dateUpdated: null,
    ...overrides,
  };
}
