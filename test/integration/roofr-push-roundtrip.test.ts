/**
 * End to end through both simulators: a contact created with the createContact mutation reaches
 * Roofr through the push service; reading the Roofr records back and mapping them to GHL with the
 * default mapping gives the same contact, and writing that back to HighLevel changes nothing.
 */
import { toGhl } from '../../src/domain/mapping/to-ghl.js';
import { GhlClient } from '../../src/ghl/client.js';
import { loadMappingFile } from '../../src/roofr/mapping-file.js';
import { StaticTokenProvider } from '../../src/ghl/token-provider.js';
import {
  dataOf,
  gql,
  startWriteWorld,
  SYNC_FIELDS,
  WRITE_TOKEN,
  type RoofrSyncAnswer,
  type WriteWorld,
} from './mutations-harness.js';

describe('default mapping round trip GHL → Roofr → GHL via the simulators', () => {
  let world: WriteWorld;

  beforeAll(async () => {
    world = await startWriteWorld();
  });

  afterAll(async () => {
    await world.close();
  });

  test('when a contact is created through the gateway, then its Roofr records map back to the same HighLevel contact', async () => {
    const gateway = await world.startGateway();
    const assignee = world.ghlSim.data.location().userIds[0] ?? null;
    const input = {
      firstName: 'Margaret',
      lastName: 'Hamilton',
      email: 'margaret@example.com',
      phone: '+1 (617) 555-0100',
      companyName: 'Hamilton Roofing',
      address: { line1: '1 Main St', city: 'Boston', state: 'MA', postalCode: '02108', country: 'US' },
      tags: ['storm', 'insurance'],
      ...(assignee === null ? {} : { assignedTo: assignee }),
    };
    const created = dataOf<{ contact: { id: string }; roofrSync: RoofrSyncAnswer }>(
      await gql(
        gateway,
        `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } ${SYNC_FIELDS} } }`,
        { input },
      ),
      'createContact',
    );
    expect(created.roofrSync.status).toBe('SYNCED');

    const roofr = gateway.writePath.roofr;
    const customer = await roofr.getCustomer(created.roofrSync.roofrId ?? '');
    const job = await roofr.getJob(created.roofrSync.roofrJobId ?? '');
    if (customer.status !== 'OK' || job.status !== 'OK') throw new Error('the simulator adapter reads Roofr');
    const mapping = await loadMappingFile('mapping/default.yaml');
    const back = toGhl(mapping, { customer: customer.value, job: job.value });

    const ghl = new GhlClient({
      baseUrl: world.ghlSim.url,
      tokenProvider: new StaticTokenProvider(WRITE_TOKEN, world.ghlSim.locationId, null),
      timeoutMs: 2000,
      maxRetries: 0,
      concurrencyPerLocation: 4,
      dailyReserve: 0,
      interactiveShare: 0.3,
    });
    const before = await ghl.getContact(world.ghlSim.locationId, created.contact.id);
    expect(back.contact).toMatchObject({
      firstName: before.firstName,
      lastName: before.lastName,
      email: before.email,
      phone: before.phone,
      companyName: before.companyName,
      address1: before.address.line1,
      city: before.address.city,
      state: before.address.state,
      postalCode: before.address.postalCode,
      country: before.address.country,
      assignedTo: before.assignedTo,
    });
    expect([...(back.contact.tags ?? [])].sort()).toEqual([...before.tags].sort());

    await ghl.updateContact(world.ghlSim.locationId, created.contact.id, back.contact);
    const after = await ghl.getContact(world.ghlSim.locationId, created.contact.id);
    const { dateUpdated: _beforeUpdated, ...beforeFields } = before;
    const { dateUpdated: _afterUpdated, ...afterFields } = after;
    expect({ ...afterFields, tags: [...afterFields.tags].sort() }).toEqual({
      ...beforeFields,
      tags: [...beforeFields.tags].sort(),
    });
  });
});
