import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config.js';
import {
  loadConfiguredMapping,
  loadMappingFile,
  MappingFileError,
  parseMapping,
} from '../../../src/roofr/mapping-file.js';

function problemsOf(text: string): Array<{ path: string; line: number | null; reason: string }> {
  try {
    parseMapping(text, 'custom.yaml');
  } catch (error) {
    if (error instanceof MappingFileError) return error.problems;
    throw error;
  }
  throw new Error('expected the mapping to be rejected');
}

describe('mapping file validation', () => {
  it('when the shipped default mapping is loaded, then it is valid', async () => {
    const mapping = await loadMappingFile('mapping/default.yaml');
    expect(mapping.customer.length).toBeGreaterThan(0);
    expect(mapping.phone?.default_country).toBe('US');
  });

  it('when a GHL field name is misspelt, then the error names the file, the rule path, its line and the field', () => {
    const error = (() => {
      try {
        parseMapping('version: 1\ncustomer:\n  - roofr: first_name\n    ghl: frstName\n', 'mapping/custom.yaml');
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(MappingFileError);
    const mappingError = error as MappingFileError;
    expect(mappingError.file).toBe('mapping/custom.yaml');
    expect(mappingError.problems).toEqual([
      {
        path: 'customer[0].ghl',
        line: 4,
        reason: expect.stringContaining('unknown HighLevel contact field "frstName"'),
      },
    ]);
    expect(mappingError.message).toContain('mapping/custom.yaml: customer[0].ghl (line 4)');
  });

  it('when a Roofr field is unknown, then the reason lists the known ones', () => {
    const [problem] = problemsOf('version: 1\njob:\n  - { roofr: stage, ghl: source }\n');
    expect(problem).toMatchObject({ path: 'job[0].roofr', reason: expect.stringContaining('workflow_stage') });
  });

  it('when a transform type is unknown, then its path is named', () => {
    const [problem] = problemsOf(
      'version: 1\ncustomer:\n  - { roofr: email, ghl: email, transform: { type: lowercse } }\n',
    );
    expect(problem?.path).toBe('customer[0].transform.type');
  });

  it('when a read-only GHL field is written back, then the rule must be to_roofr', () => {
    const [problem] = problemsOf('version: 1\nnote:\n  - { roofr: created_at, ghl: dateAdded }\n');
    expect(problem).toMatchObject({ path: 'note[0].ghl', reason: expect.stringContaining('use direction: to_roofr') });
  });

  it('when two rules write the same GHL field back, then the second is rejected naming the first', () => {
    const problems = problemsOf(
      'version: 1\ncustomer:\n  - { roofr: address.city, ghl: address.city }\njob:\n  - { roofr: address.city, ghl: address.city }\n',
    );
    expect(problems).toEqual([
      { path: 'job[0].ghl', line: 5, reason: expect.stringContaining('already written back by customer[0]') },
    ]);
  });

  it('when a join has one GHL field, then the cardinality problem is reported', () => {
    const [problem] = problemsOf(
      'version: 1\njob:\n  - { roofr: name, ghl: firstName, transform: { type: join }, direction: to_roofr }\n',
    );
    expect(problem).toMatchObject({ path: 'job[0].ghl', reason: 'join needs a list of at least two ghl fields' });
  });

  it('when a constant is written back, then the direction is rejected', () => {
    const [problem] = problemsOf(
      'version: 1\njob:\n  - { roofr: lead_source, transform: { type: constant, value: Web } }\n',
    );
    expect(problem).toMatchObject({ path: 'job[0].direction' });
  });

  it('when the phone country is not a country, then phone.default_country is named', () => {
    const [problem] = problemsOf('version: 1\nphone: { default_country: XX }\n');
    expect(problem?.path).toBe('phone.default_country');
  });

  it('when a map table repeats a Roofr value on a two-way rule, then it is ambiguous', () => {
    const [problem] = problemsOf(
      'version: 1\njob:\n  - roofr: lead_source\n    ghl: source\n    transform: { type: map, values: [{ ghl: a, roofr: X }, { ghl: b, roofr: X }] }\n',
    );
    expect(problem?.path).toBe('job[0].transform.values');
  });

  it('when several rules are bad, then every problem is listed', () => {
    const problems = problemsOf(
      'version: 1\ncustomer:\n  - { roofr: nope, ghl: firstName }\n  - { roofr: email, ghl: mail }\n',
    );
    expect(problems.map((problem) => problem.path)).toEqual(['customer[0].roofr', 'customer[1].ghl']);
  });

  it('when an unknown key appears, then it is rejected rather than ignored', () => {
    const [problem] = problemsOf('version: 1\ncustomer:\n  - { roofr: email, ghl: email, directoin: both }\n');
    expect(problem?.path).toBe('customer[0]');
    expect(problem?.reason).toContain('directoin');
  });

  it('when the YAML is malformed, then the document problem carries a line', () => {
    const [problem] = problemsOf('version: 1\ncustomer: [ { roofr: a\n');
    expect(problem).toMatchObject({ path: '(document)', line: expect.any(Number) });
  });

  it('when the version is missing, then version is named', () => {
    const [problem] = problemsOf('customer: []\n');
    expect(problem?.path).toBe('version');
  });

  it('when the file does not exist, then the error says how to fix it', async () => {
    await expect(loadMappingFile('mapping/missing.yaml')).rejects.toThrow(/does not exist; set MAPPING_FILE/);
  });

  it('when the file is JSON without a phone country, then the configured country fills in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mapping-'));
    try {
      const file = join(dir, 'mapping.json');
      await writeFile(
        file,
        JSON.stringify({ version: 1, customer: [{ roofr: 'phone', ghl: 'phone', transform: { type: 'e164' } }] }),
      );
      const mapping = await loadMappingFile(file, { defaultPhoneCountry: 'CA' });
      expect(mapping.phone?.default_country).toBe('CA');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('when the configuration names the mapping file, then loadConfiguredMapping loads it', async () => {
    const mapping = await loadConfiguredMapping(
      parseConfig({ MAPPING_FILE: 'mapping/default.yaml', PHONE_DEFAULT_COUNTRY: 'CA' }),
    );
    expect(mapping.phone?.default_country).toBe('US');
  });
});
