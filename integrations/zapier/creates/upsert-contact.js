/**
 * "Create or Update Contact": the gateway's upsertContact mutation (HighLevel finds the contact
 * by email or phone, per the location's duplicate settings), then Roofr is synced as for every
 * mutation. The result carries the contact, whether it was created, and the Roofr sync status.
 */
const gatewayUrl = (bundle) => String(bundle.authData.gatewayUrl || '').replace(/\/+$/, '');

const MUTATION = `mutation ZapierUpsertContact($input: CreateContactInput!) {
  upsertContact(input: $input) {
    created
    contact { id name email phone tags }
    roofrSync { status roofrId roofrJobId error }
  }
}`;

const FIELDS = ['firstName', 'lastName', 'email', 'phone', 'companyName', 'source'];

module.exports = {
  key: 'upsert_contact',
  noun: 'Contact',
  display: {
    label: 'Create or Update Contact',
    description: 'Creates a HighLevel contact, or updates the one with the same email or phone, and syncs it to Roofr.',
  },
  operation: {
    inputFields: [
      { key: 'firstName', label: 'First Name' },
      { key: 'lastName', label: 'Last Name' },
      { key: 'email', label: 'Email' },
      { key: 'phone', label: 'Phone', helpText: 'Any common format; stored as E.164.' },
      { key: 'companyName', label: 'Company' },
      { key: 'source', label: 'Source' },
      { key: 'tags', label: 'Tags', list: true },
    ],
    perform: async (z, bundle) => {
      const input = {};
      for (const field of FIELDS) if (bundle.inputData[field]) input[field] = bundle.inputData[field];
      if (Array.isArray(bundle.inputData.tags) && bundle.inputData.tags.length > 0) input.tags = bundle.inputData.tags;
      if (!input.email && !input.phone) throw new z.errors.Error('Give an email or a phone number', 'InvalidData', 400);
      const response = await z.request({
        url: `${gatewayUrl(bundle)}/graphql`,
        method: 'POST',
        body: { query: MUTATION, variables: { input } },
      });
      const body = response.data;
      if (body.errors && body.errors.length > 0) {
        const [first] = body.errors;
        throw new z.errors.Error(first.message, (first.extensions && first.extensions.code) || 'GatewayError', 400);
      }
      const { created, contact, roofrSync } = body.data.upsertContact;
      return {
        ...contact,
        created,
        roofrSyncStatus: roofrSync.status,
        roofrCustomerId: roofrSync.roofrId,
        roofrJobId: roofrSync.roofrJobId,
      };
    },
    sample: {
      id: 'Cnt0001',
      name: 'Dana Reyes',
      email: 'dana@example.com',
      phone: '+15125550142',
      tags: ['lead'],
      created: true,
      roofrSyncStatus: 'SYNCED',
      roofrCustomerId: 'cus_1001',
      roofrJobId: 'job_2001',
    },
  },
};
