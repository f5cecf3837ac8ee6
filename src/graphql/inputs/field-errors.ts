/**
 * Turns zod issues into the BAD_USER_INPUT error every mutation answers for a bad input:
 * `extensions.fields` lists each offending field (dotted path from the mutation's arguments,
 * e.g. "input.phone") with the reason, so a client can show them next to its form fields.
 */
import { GraphQLError } from 'graphql';
import type { z } from 'zod';
import { ErrorCode } from '../errors.js';

export interface FieldError {
  field: string;
  message: string;
}

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(input)' : text;
}

function fieldErrorsOf(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
}

function badInputError(fields: FieldError[]): GraphQLError {
  const summary = fields.map((entry) => `${entry.field}: ${entry.message}`).join('; ');
  return new GraphQLError(`Invalid input: ${summary}`, { extensions: { code: ErrorCode.BadUserInput, fields } });
}

/** Parses the mutation's arguments, or throws BAD_USER_INPUT naming every bad field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badInputError(fieldErrorsOf(result.error));
  return result.data;
}
