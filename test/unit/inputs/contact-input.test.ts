import { GraphQLError } from 'graphql';
import {
  createContactArgsSchema,
  updateContactArgsSchema,
  upsertContactArgsSchema,
} from '../../../src/graphql/inputs/mutation-args.js';
import { parseInput, type FieldError } from '../../../src/graphql/inputs/field-errors.js';
import { INPUT_LIMITS } from '../../../src/graphql/inputs/input-limits.js';

function fieldsOf(run: () => unknown): FieldError[] {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === 'BAD_USER_INPUT')
      return error.extensions.fields as FieldError[];
    throw error;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('contact inputs', () => {
  test('when a US number is written without +1, then it becomes E.164 with the default country', () => {
    const { input } = parseInput(createContactArgsSchema('US'), { input: { phone: '(415) 555-0132' } });
    expect(input.phone).toBe('+14155550132');
  });

  test('when the default country is GB, then a national number is read as British', () => {
    const { input } = parseInput(createContactArgsSchema('GB'), { input: { phone: '020 7946 0958' } });
    expect(input.phone).toBe('+442079460958');
  });

  test('when the phone cannot be normalised, then the error names input.phone and says why', () => {
    const fields = fieldsOf(() =>
      parseInput(createContactArgsSchema('US'), { input: { firstName: 'A', phone: '555' } }),
    );
    expect(fields).toEqual([{ field: 'input.phone', message: expect.stringMatching(/E\.164.*US/) }]);
  });

  test('when the email has capitals and spaces, then it is trimmed and lowercased; when it is not an address, then it is refused', () => {
    expect(parseInput(createContactArgsSchema('US'), { input: { email: '  Ada@Example.COM ' } }).input.email).toBe(
      'ada@example.com',
    );
    expect(
      fieldsOf(() => parseInput(createContactArgsSchema('US'), { input: { email: 'ada@' } })).map(
        (entry) => entry.field,
      ),
    ).toEqual(['input.email']);
  });

  test('when tags are padded, then they are trimmed; when one is blank or too long, then its index is named', () => {
    expect(parseInput(createContactArgsSchema('US'), { input: { name: 'A', tags: [' storm '] } }).input.tags).toEqual([
      'storm',
    ]);
    const fields = fieldsOf(() =>
      parseInput(createContactArgsSchema('US'), {
        input: { name: 'A', tags: ['ok', ' ', 'x'.repeat(INPUT_LIMITS.tag + 1)] },
      }),
    );
    expect(fields.map((entry) => entry.field)).toEqual(['input.tags[1]', 'input.tags[2]']);
  });

  test('when a name is longer than the limit, then it is refused with the limit in the message', () => {
    const fields = fieldsOf(() =>
      parseInput(createContactArgsSchema('US'), { input: { firstName: 'x'.repeat(INPUT_LIMITS.personName + 1) } }),
    );
    expect(fields).toEqual([
      { field: 'input.firstName', message: `must be at most ${INPUT_LIMITS.personName} characters` },
    ]);
  });

  test('when an update sets null, then the field is cleared; address null clears every address field', () => {
    const { id, input } = parseInput(updateContactArgsSchema('US'), {
      id: ' c1 ',
      input: { companyName: null, address: null },
    });
    expect(id).toBe('c1');
    expect(input).toEqual({
      companyName: null,
      address1: null,
      city: null,
      state: null,
      postalCode: null,
      country: null,
    });
  });

  test('when the address and custom fields are given, then they take GHL write shape', () => {
    const { input } = parseInput(createContactArgsSchema('US'), {
      input: {
        email: 'a@example.com',
        address: { line1: '1 Main', country: 'us' },
        customFields: [{ id: 'cf1', value: 3 }],
        dnd: null,
      },
    });
    expect(input).toEqual({
      email: 'a@example.com',
      address1: '1 Main',
      country: 'US',
      customFields: [{ id: 'cf1', field_value: 3 }],
      dnd: false,
    });
  });

  test('when a new contact has no name, email or phone, or an upsert has neither email nor phone, then it is refused', () => {
    expect(
      fieldsOf(() => parseInput(createContactArgsSchema('US'), { input: { companyName: 'Acme' } })).map(
        (entry) => entry.field,
      ),
    ).toEqual(['input.email']);
    expect(
      fieldsOf(() => parseInput(upsertContactArgsSchema('US'), { input: { firstName: 'Ada' } }))[0]?.message,
    ).toMatch(/email or phone/);
  });

  test('when an update names nothing, then it is refused', () => {
    expect(fieldsOf(() => parseInput(updateContactArgsSchema('US'), { id: 'c1', input: {} }))).toEqual([
      { field: 'input', message: 'name at least one field to change' },
    ]);
  });
});

describe('custom field values', () => {
  const create = (value: unknown) => () =>
    parseInput(createContactArgsSchema('US'), {
      input: { email: 'a@example.com', customFields: [{ id: 'cf1', value }] },
    });

  test("when a value has a shape one of HighLevel's field types takes, then it passes as sent", () => {
    const file = { 'f-1': { meta: { originalname: 'roof.jpg', size: 2048 }, url: 'https://example.com/roof.jpg' } };
    for (const value of ['Tile', '', 12.5, ['Gutters', 3], { a: 'Allstate' }, file, null])
      expect(create(value)().input.customFields).toEqual([{ id: 'cf1', field_value: value }]);
  });

  test('when a value is too long, too deep, too wide or of no field type, then the field is named with the reason', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['x'.repeat(10_001), /at most 10,000 characters/],
      [true, /must be text, a number/],
      [Number.POSITIVE_INFINITY, /finite/],
      [[['nested']], /not lists or objects/],
      [Array.from({ length: 101 }, () => 'x'), /at most 100 options/],
      [{ a: { b: { c: { d: 'deep' } } } }, /3 levels deep/],
      [Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`k${index}`, 'v'])), /50 keys/],
      [{ a: 'x'.repeat(10_000), b: 'y'.repeat(10_000) }, /16,384 bytes/],
    ];
    for (const [value, reason] of cases) {
      const [entry] = fieldsOf(create(value));
      expect(entry?.field).toBe('input.customFields[0].value');
      expect(entry?.message).toMatch(reason);
    }
  });
});
