import { MappingSchema, type MappingInput } from '../../../src/domain/mapping/mapping-schema.js';
import { toGhl } from '../../../src/domain/mapping/to-ghl.js';
import { toRoofr } from '../../../src/domain/mapping/to-roofr.js';
import { contact, task } from './ghl-fixtures.js';

function mappingOf(input: Omit<MappingInput, 'version'>) {
  return MappingSchema.parse({ version: 1, ...input });
}

describe('mapping transforms', () => {
  it('when a field has no transform, then it is renamed both ways', () => {
    const mapping = mappingOf({ customer: [{ roofr: 'company_name', ghl: 'companyName' }] });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', companyName: 'Acme' }) }).customer).toEqual({
      company_name: 'Acme',
    });
    expect(toGhl(mapping, { customer: { company_name: 'Acme' } }).contact).toEqual({ companyName: 'Acme' });
  });

  it('when email is mapped with lowercase, then mixed case becomes lower case both ways', () => {
    const mapping = mappingOf({ customer: [{ roofr: 'email', ghl: 'email', transform: { type: 'lowercase' } }] });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', email: 'Ada.L@Example.COM' }) }).customer.email).toBe(
      'ada.l@example.com',
    );
    expect(toGhl(mapping, { customer: { email: 'BOB@EXAMPLE.COM' } }).contact.email).toBe('bob@example.com');
  });

  it('when a phone is national, then e164 uses the mapping default country', () => {
    const mapping = mappingOf({
      phone: { default_country: 'US' },
      customer: [{ roofr: 'phone', ghl: 'phone', transform: { type: 'e164' } }],
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', phone: '(512) 555-0143' }) }).customer.phone).toBe(
      '+15125550143',
    );
  });

  it('when the rule names its own country, then e164 uses it over the default', () => {
    const mapping = mappingOf({
      phone: { default_country: 'US' },
      customer: [{ roofr: 'phone', ghl: 'phone', transform: { type: 'e164', default_country: 'GB' } }],
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', phone: '020 7183 8750' }) }).customer.phone).toBe(
      '+442071838750',
    );
  });

  it('when a phone cannot be parsed, then it passes unchanged instead of vanishing', () => {
    const mapping = mappingOf({ customer: [{ roofr: 'phone', ghl: 'phone', transform: { type: 'e164' } }] });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', phone: 'ext 12' }) }).customer.phone).toBe('ext 12');
  });

  it('when names are joined, then empty parts are skipped and the way back splits first token from the rest', () => {
    const mapping = mappingOf({
      job: [{ roofr: 'name', ghl: ['firstName', 'lastName'], transform: { type: 'join', separator: ' ' } }],
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', firstName: 'Ada', lastName: null }) }).job.name).toBe('Ada');
    expect(toRoofr(mapping, { contact: contact({ id: 'c', firstName: null, lastName: null }) }).job.name).toBeNull();
    expect(toGhl(mapping, { job: { name: 'Ada King Lovelace' } }).contact).toEqual({
      firstName: 'Ada',
      lastName: 'King Lovelace',
    });
  });

  it('when a full name is split, then the parts fill the Roofr fields and join back', () => {
    const mapping = mappingOf({
      customer: [{ roofr: ['first_name', 'last_name'], ghl: 'name', transform: { type: 'split', separator: ' ' } }],
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', name: 'Grace Brewster Hopper' }) }).customer).toEqual({
      first_name: 'Grace',
      last_name: 'Brewster Hopper',
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', name: 'Cher' }) }).customer).toEqual({
      first_name: 'Cher',
      last_name: null,
    });
    expect(toGhl(mapping, { customer: { first_name: 'Grace', last_name: 'Hopper' } }).contact).toEqual({
      name: 'Grace Hopper',
    });
  });

  it('when address parts are mapped, then they nest under the Roofr address and flatten back into ContactWrite keys', () => {
    const mapping = mappingOf({
      customer: [
        { roofr: 'address.street', ghl: 'address.line1' },
        { roofr: 'address.postal_code', ghl: 'address.postalCode' },
      ],
    });
    const source = contact({
      id: 'c',
      address: { line1: '1 Elm St', city: null, state: null, postalCode: '02134', country: null },
    });
    expect(toRoofr(mapping, { contact: source }).customer).toEqual({
      address: { street: '1 Elm St', postal_code: '02134' },
    });
    expect(
      toGhl(mapping, {
        customer: { address: { street: '1 Elm St', city: null, state: null, postal_code: '02134', country: null } },
      }).contact,
    ).toEqual({ address1: '1 Elm St', postalCode: '02134' });
  });

  it('when tags are mapped with exclusions, then excluded tags stay in HighLevel', () => {
    const mapping = mappingOf({
      job: [{ roofr: 'tags', ghl: 'tags', transform: { type: 'tags', exclude: ['Internal'] } }],
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', tags: ['hail', 'internal', 'vip'] }) }).job.tags).toEqual([
      'hail',
      'vip',
    ]);
  });

  it('when a custom field id is mapped, then its value reaches the Roofr field and returns as a custom field write', () => {
    const mapping = mappingOf({ job: [{ roofr: 'custom_fields.insurance_company', ghl: 'customFields.Kx9InsCo' }] });
    const source = contact({
      id: 'c',
      customFields: [
        { id: 'other', value: 'x' },
        { id: 'Kx9InsCo', value: 'State Farm' },
      ],
    });
    expect(toRoofr(mapping, { contact: source }).job.custom_fields).toEqual({ insurance_company: 'State Farm' });
    expect(toGhl(mapping, { job: { custom_fields: { insurance_company: 'Allstate' } } }).contact.customFields).toEqual([
      { id: 'Kx9InsCo', field_value: 'Allstate' },
    ]);
  });

  it('when a custom field is mapped to a named Roofr field, then the contact without it maps to null', () => {
    const mapping = mappingOf({ job: [{ roofr: 'workflow_stage', ghl: 'customFields.stageField' }] });
    expect(toRoofr(mapping, { contact: contact({ id: 'c' }) }).job.workflow_stage).toBeNull();
  });

  it('when a constant is mapped, then Roofr always gets it and nothing comes back', () => {
    const mapping = mappingOf({
      job: [{ roofr: 'lead_source', transform: { type: 'constant', value: 'Website' }, direction: 'to_roofr' }],
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', source: 'Referral' }) }).job.lead_source).toBe('Website');
    expect(toGhl(mapping, { job: { lead_source: 'Other' } }).contact).toEqual({});
  });

  it('when a value is empty and the rule has a default, then Roofr gets the default', () => {
    const mapping = mappingOf({
      job: [{ roofr: 'lead_source', ghl: 'source', default: 'HighLevel', direction: 'to_roofr' }],
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', source: null }) }).job.lead_source).toBe('HighLevel');
    expect(toRoofr(mapping, { contact: contact({ id: 'c', source: '' }) }).job.lead_source).toBe('HighLevel');
    expect(toRoofr(mapping, { contact: contact({ id: 'c', source: 'Google' }) }).job.lead_source).toBe('Google');
  });

  it('when values are mapped through a table, then both directions translate and unknown values follow the fallback', () => {
    const mapping = mappingOf({
      job: [
        {
          roofr: 'lead_source',
          ghl: 'source',
          transform: {
            type: 'map',
            values: [
              { ghl: 'fb', roofr: 'Facebook' },
              { ghl: 'gads', roofr: 'Google Ads' },
            ],
            fallback: 'null',
          },
        },
      ],
    });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', source: 'gads' }) }).job.lead_source).toBe('Google Ads');
    expect(toRoofr(mapping, { contact: contact({ id: 'c', source: 'tv' }) }).job.lead_source).toBeNull();
    expect(toGhl(mapping, { job: { lead_source: 'Facebook' } }).contact.source).toBe('fb');
  });

  it('when a single assignee is mapped as a list, then it becomes a one-element list and back', () => {
    const mapping = mappingOf({ job: [{ roofr: 'assignees', ghl: 'assignedTo', transform: { type: 'list' } }] });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', assignedTo: 'u1' }) }).job.assignees).toEqual(['u1']);
    expect(toRoofr(mapping, { contact: contact({ id: 'c', assignedTo: null }) }).job.assignees).toEqual([]);
    expect(toGhl(mapping, { job: { assignees: ['u2', 'u3'] } }).contact.assignedTo).toBe('u2');
    expect(toGhl(mapping, { job: { assignees: [] } }).contact.assignedTo).toBeNull();
  });

  it('when a prefix is mapped, then it is added to Roofr and stripped on the way back', () => {
    const mapping = mappingOf({
      task: [{ roofr: 'title', ghl: 'title', transform: { type: 'prefix', value: 'GHL: ' } }],
    });
    expect(
      toRoofr(mapping, { contact: contact({ id: 'c' }), tasks: [task({ title: 'Call' })] }).jobTasks[0]?.title,
    ).toBe('GHL: Call');
    expect(toGhl(mapping, { jobTasks: [{ title: 'GHL: Call', external_ref: 'ghl:task:t1' }] }).tasks[0]?.write).toEqual(
      { title: 'Call' },
    );
  });

  it('when a rule is to_ghl only, then it never reaches Roofr', () => {
    const mapping = mappingOf({ customer: [{ roofr: 'company_name', ghl: 'companyName', direction: 'to_ghl' }] });
    expect(toRoofr(mapping, { contact: contact({ id: 'c', companyName: 'Acme' }) }).customer).toEqual({});
    expect(toGhl(mapping, { customer: { company_name: 'Roofr Co' } }).contact).toEqual({ companyName: 'Roofr Co' });
  });
});
