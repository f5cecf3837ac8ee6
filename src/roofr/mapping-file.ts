/**
 * Reads and validates the mapping file (MAPPING_FILE, YAML or JSON) at start-up. An invalid file
 * stops start-up with one message naming the file, each bad path inside it (with its line) and
 * the reason, e.g.
 *   mapping/custom.yaml: customer[2].transform.type (line 14): Invalid input: expected "lowercase" | …
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { isSupportedCountry } from 'libphonenumber-js';
import type { Config } from '../config.js';
import { MappingSchema, type Mapping } from '../domain/mapping/mapping-schema.js';

interface MappingProblem {
  /** "customer[2].ghl"; "(document)" for a syntax error. */
  path: string;
  line: number | null;
  reason: string;
}

export class MappingFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: MappingProblem[],
  ) {
    super(
      `Invalid mapping file ${file}; fix these entries:\n${problems
        .map(
          (problem) =>
            `  - ${file}: ${problem.path}${problem.line === null ? '' : ` (line ${problem.line})`}: ${problem.reason}`,
        )
        .join('\n')}`,
    );
    this.name = 'MappingFileError';
  }
}

interface LoadMappingOptions {
  /** Phone country when the file names none (PHONE_DEFAULT_COUNTRY), e.g. "US". */
  defaultPhoneCountry?: string;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? String(part) : `.${String(part)}`;
  }
  return text === '' ? '(root)' : text;
}

/** Parses mapping text (YAML is a superset of JSON); `file` only names it in errors. */
export function parseMapping(text: string, file: string, options: LoadMappingOptions = {}): Mapping {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new MappingFileError(
      file,
      document.errors.map((error) => ({
        path: '(document)',
        line: error.linePos?.[0].line ?? null,
        reason: error.message.split('\n')[0] ?? error.message,
      })),
    );
  }
  const result = MappingSchema.safeParse(document.toJS());
  if (!result.success) {
    throw new MappingFileError(
      file,
      result.error.issues.map((issue) => {
        const path = [...issue.path];
        // The nearest node that exists gives the line: a missing key points at its parent.
        let line: number | null = null;
        for (let length = path.length; length >= 0 && line === null; length -= 1) {
          const node: unknown = document.getIn(path.slice(0, length) as Array<string | number>, true);
          const range = (node as { range?: [number, number, number] } | undefined)?.range;
          if (range) line = lineCounter.linePos(range[0]).line;
        }
        return { path: formatPath(issue.path), line, reason: issue.message };
      }),
    );
  }
  const mapping = result.data;
  if (mapping.phone === undefined && options.defaultPhoneCountry !== undefined) {
    if (!isSupportedCountry(options.defaultPhoneCountry)) {
      throw new MappingFileError(file, [
        {
          path: 'phone.default_country',
          line: null,
          reason: `the file names none and PHONE_DEFAULT_COUNTRY "${options.defaultPhoneCountry}" is not a supported country`,
        },
      ]);
    }
    return { ...mapping, phone: { default_country: options.defaultPhoneCountry } };
  }
  return mapping;
}

export async function loadMappingFile(file: string, options: LoadMappingOptions = {}): Promise<Mapping> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MappingFileError(file, [
      {
        path: '(file)',
        line: null,
        reason:
          code === 'ENOENT'
            ? 'the file does not exist; set MAPPING_FILE or restore mapping/default.yaml'
            : `cannot be read (${code ?? String(error)})`,
      },
    ]);
  }
  return parseMapping(text, file, options);
}

/** The mapping the configuration names (MAPPING_FILE, PHONE_DEFAULT_COUNTRY), for start-up. */
export function loadConfiguredMapping(
  config: Pick<Config, 'MAPPING_FILE' | 'PHONE_DEFAULT_COUNTRY'>,
): Promise<Mapping> {
  return loadMappingFile(config.MAPPING_FILE, { defaultPhoneCountry: config.PHONE_DEFAULT_COUNTRY });
}
