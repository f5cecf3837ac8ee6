import { GraphQLError } from 'graphql';
import {
  ContactTagsArgsSchema,
  CreateNoteArgsSchema,
  CreateTaskArgsSchema,
  UpdateTaskArgsSchema,
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

describe('task, note and tag inputs', () => {
  test('when a due date carries an offset, then it is stored as UTC ISO; when it has none, then it is refused', () => {
    const { input } = parseInput(CreateTaskArgsSchema, {
      contactId: 'c1',
      input: { title: ' Inspect ', dueDate: '2026-12-01T15:00:00-06:00' },
    });
    expect(input).toEqual({ title: 'Inspect', dueDate: '2026-12-01T21:00:00.000Z' });
    expect(
      fieldsOf(() =>
        parseInput(CreateTaskArgsSchema, { contactId: 'c1', input: { title: 'x', dueDate: '2026-12-01' } }),
      ).map((entry) => entry.field),
    ).toEqual(['input.dueDate']);
  });

  test('when a task update clears the title or names nothing, then it is refused', () => {
    expect(
      fieldsOf(() => parseInput(UpdateTaskArgsSchema, { contactId: 'c1', id: 't1', input: { title: null } })).map(
        (entry) => entry.field,
      ),
    ).toEqual(['input.title']);
    expect(
      fieldsOf(() => parseInput(UpdateTaskArgsSchema, { contactId: 'c1', id: 't1', input: {} })).map(
        (entry) => entry.field,
      ),
    ).toEqual(['input']);
  });

  test('when a note body is blank or over the limit, then it is refused; a valid one passes trimmed', () => {
    expect(
      fieldsOf(() => parseInput(CreateNoteArgsSchema, { contactId: 'c1', input: { body: '   ' } })).map(
        (entry) => entry.field,
      ),
    ).toEqual(['input.body']);
    expect(
      fieldsOf(() =>
        parseInput(CreateNoteArgsSchema, { contactId: 'c1', input: { body: 'x'.repeat(INPUT_LIMITS.noteBody + 1) } }),
      ).map((entry) => entry.field),
    ).toEqual(['input.body']);
    expect(parseInput(CreateNoteArgsSchema, { contactId: 'c1', input: { body: ' hi ', userId: null } }).input).toEqual({
      body: 'hi',
    });
  });

  test('when several arguments are bad at once, then every one is listed', () => {
    const fields = fieldsOf(() => parseInput(ContactTagsArgsSchema, { contactId: '', tags: [] }));
    expect(fields.map((entry) => entry.field).sort()).toEqual(['contactId', 'tags']);
  });
});
