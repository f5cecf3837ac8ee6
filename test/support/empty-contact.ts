import type { Contact } from '../../src/domain/types.js';

/** A test contact with only its identity set: every optional field empty, no tags, not DND. */
export function emptyContact(id: string, locationId: string): Contact {
  return {
    id,
    locationId,
    name: null,
    firstName: null,
    lastName: null,
    email: null,
    phone: null,
    companyName: null,
    address: { line1: null, city: null, state: null, postalCode: null, country: null },
    website: null,
    timezone: null,
    tags: [],
    source: null,
    type: null,
    dnd: false,
    assignedTo: null,
    businessId: null,
    customFields: [],
    dateAdded: null,
    dateUpdated: null,
  };
}
