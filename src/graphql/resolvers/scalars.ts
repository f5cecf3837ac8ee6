import { GraphQLError, GraphQLScalarType, Kind, print, type ValueNode } from 'graphql';
import { ErrorCode } from '../errors.js';
import { literalPathOf } from '../literal-paths.js';

/** ISO-8601 with a time and an offset or Z, as GHL writes them; dates alone are not instants. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

const DATE_TIME_FORM = 'an ISO-8601 date-time with an offset, e.g. 2026-01-31T09:30:00Z or 2026-01-31T09:30:00-06:00';

function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value));
}

/** A variable: graphql-js prefixes the variable and the path ("… at "input.dueDate"; …"). */
function parseDateTimeValue(value: unknown): string {
  if (isDateTime(value)) return value;
  throw new GraphQLError(`expected ${DATE_TIME_FORM}`, { extensions: { code: ErrorCode.BadUserInput } });
}

/** A literal: this error is the whole message, so it names the field (literal-paths.ts) and the form. */
function parseDateTimeLiteral(ast: ValueNode): string {
  const value = ast.kind === Kind.STRING ? ast.value : null;
  if (isDateTime(value)) return value;
  const field = literalPathOf(ast) ?? 'DateTime';
  const message = `expected ${DATE_TIME_FORM}, got ${print(ast)}`;
  throw new GraphQLError(`${field}: ${message}`, {
    nodes: ast,
    extensions: { code: ErrorCode.BadUserInput, fields: [{ field, message }] },
  });
}

export const DateTime = new GraphQLScalarType<string, string>({
  name: 'DateTime',
  description: 'An ISO-8601 date-time string, e.g. 2026-01-31T09:30:00.000Z.',
  // Outbound values come from domain types (already ISO strings mapped in to-domain).
  serialize: (value) => String(value),
  parseValue: parseDateTimeValue,
  parseLiteral: parseDateTimeLiteral,
});

function literalToJson(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((value) => literalToJson(value, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalToJson(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
}

export const JSON = new GraphQLScalarType<unknown, unknown>({
  name: 'JSON',
  description: 'Any JSON value (custom field values may be strings, numbers, lists or objects).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literalToJson,
});
