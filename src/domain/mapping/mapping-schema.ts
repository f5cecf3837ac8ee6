/**
 * The mapping file's schema (mapping/default.yaml is the shipped instance). Each section lists
 * field rules between a GHL record and a Roofr record; every rule names its direction, which later
 * decides who owns the field in a conflict. Validation names the path inside the file and the
 * reason, e.g. `customer[2].ghl: unknown HighLevel contact field "frstName"`.
 */
import { isSupportedCountry } from 'libphonenumber-js';
import { z } from 'zod';
import { checkGhlPath, checkRoofrPath, ghlWriteKey, SECTION_SOURCES, type MappedEntity } from './field-paths.js';

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const country = z.string().refine((value) => isSupportedCountry(value), {
  message: 'not an ISO 3166-1 alpha-2 country libphonenumber supports (e.g. US, CA, GB)',
});

export const TransformSchema = z.discriminatedUnion('type', [
  /** Lowercase both ways (emails: HighLevel stores them lowercased). */
  z.object({ type: z.literal('lowercase') }),
  z.object({ type: z.literal('trim') }),
  /** Phone to E.164 on the way to Roofr; unparseable numbers pass unchanged rather than vanish. */
  z.object({ type: z.literal('e164'), default_country: country.optional() }),
  /** Several GHL fields → one Roofr field; back: split, the last part takes the rest. */
  z.object({ type: z.literal('join'), separator: z.string().min(1).default(' ') }),
  /** One GHL field → several Roofr fields; back: joined. */
  z.object({ type: z.literal('split'), separator: z.string().min(1).default(' ') }),
  /** Value table; unmatched values pass unchanged (`keep`) or become null. */
  z.object({
    type: z.literal('map'),
    values: z.array(z.object({ ghl: scalar, roofr: scalar })).min(1),
    fallback: z.enum(['keep', 'null']).default('keep'),
  }),
  /** A single GHL value ↔ a Roofr list (e.g. assignedTo ↔ assignees). */
  z.object({ type: z.literal('list') }),
  /** Prepend on the way to Roofr, strip on the way back. */
  z.object({ type: z.literal('prefix'), value: z.string().min(1) }),
  /** Tags: drop the listed ones (case-insensitive) on the way to Roofr. */
  z.object({ type: z.literal('tags'), exclude: z.array(z.string()).default([]) }),
  /** Always this value on the way to Roofr (no GHL field). */
  z.object({ type: z.literal('constant'), value: z.union([scalar, z.array(z.string())]) }),
]);
export type Transform = z.infer<typeof TransformSchema>;

const pathOrPaths = z.union([z.string().min(1), z.array(z.string().min(1)).min(2)]);

export const FieldRuleSchema = z.strictObject({
  roofr: pathOrPaths,
  ghl: pathOrPaths.optional(),
  direction: z.enum(['to_roofr', 'to_ghl', 'both']).default('both'),
  transform: TransformSchema.optional(),
  /** Used on the way to Roofr when the GHL value is empty (null, "" or []). */
  default: z.union([scalar, z.array(z.string())]).optional(),
  /** Sent when the Roofr record is created, never on updates (e.g. an initial stage). */
  create_only: z.boolean().default(false),
});
export type FieldRule = z.infer<typeof FieldRuleSchema>;
export type Direction = FieldRule['direction'];

/** A section's rules, each checked on its own so one bad rule does not hide another's problems. */
function section(entity: MappedEntity) {
  const rule = FieldRuleSchema.superRefine((parsed, context) => {
    for (const issue of ruleIssues(entity, parsed))
      context.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
  return z.array(rule).default([]);
}

export const MappingSchema = z
  .strictObject({
    version: z.literal(1),
    phone: z.strictObject({ default_country: country }).optional(),
    customer: section('customer'),
    job: section('job'),
    task: section('task'),
    note: section('note'),
    appointment: section('appointment'),
  })
  .superRefine((mapping, context) => {
    // A GHL field written from two rules would flap between their values.
    const writers = new Map<string, string>();
    for (const entity of ['customer', 'job', 'task', 'note', 'appointment'] as const) {
      mapping[entity].forEach((rule, index) => {
        if (rule.direction === 'to_roofr' || rule.ghl === undefined) return;
        const ghlEntity = SECTION_SOURCES[entity].ghl;
        for (const path of [rule.ghl].flat()) {
          const key = `${ghlEntity}:${ghlWriteKey(ghlEntity, path) ?? path}`;
          const earlier = writers.get(key);
          if (earlier !== undefined) {
            context.addIssue({
              code: 'custom',
              path: [entity, index, 'ghl'],
              message: `HighLevel ${ghlEntity} field "${path}" is already written back by ${earlier}; set direction: to_roofr on one of them`,
            });
          } else {
            writers.set(key, `${entity}[${index}]`);
          }
        }
      });
    }
  });
export type Mapping = z.infer<typeof MappingSchema>;
/** What a mapping file holds before defaults are applied. */
export type MappingInput = z.input<typeof MappingSchema>;

interface RuleIssue {
  path: Array<string | number>;
  message: string;
}

function ruleIssues(entity: MappedEntity, rule: FieldRule): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const { ghl: ghlEntity, roofr: roofrEntity } = SECTION_SOURCES[entity];
  const roofrPaths = [rule.roofr].flat();
  const ghlPaths = rule.ghl === undefined ? [] : [rule.ghl].flat();
  const reads = rule.direction !== 'to_ghl';
  const writesBack = rule.direction !== 'to_roofr';

  roofrPaths.forEach((path, index) => {
    const check = checkRoofrPath(roofrEntity, path);
    if (!check.ok)
      issues.push({ path: Array.isArray(rule.roofr) ? ['roofr', index] : ['roofr'], message: check.reason });
  });
  ghlPaths.forEach((path, index) => {
    const at = Array.isArray(rule.ghl) ? ['ghl', index] : ['ghl'];
    const check = checkGhlPath(ghlEntity, path);
    if (!check.ok) issues.push({ path: at, message: check.reason });
    else if (writesBack && !check.writable)
      issues.push({
        path: at,
        message: `HighLevel ${ghlEntity} field "${path}" cannot be written; use direction: to_roofr`,
      });
  });

  const transform = rule.transform?.type;
  if (transform === 'constant') {
    if (rule.ghl !== undefined) issues.push({ path: ['ghl'], message: 'a constant takes no ghl field' });
    if (rule.direction !== 'to_roofr')
      issues.push({ path: ['direction'], message: 'a constant only goes to Roofr; use direction: to_roofr' });
  } else if (rule.ghl === undefined) {
    issues.push({ path: ['ghl'], message: 'required (or use transform: {type: constant, value: …})' });
  }
  if (transform === 'join') {
    if (!Array.isArray(rule.ghl))
      issues.push({ path: ['ghl'], message: 'join needs a list of at least two ghl fields' });
    if (Array.isArray(rule.roofr)) issues.push({ path: ['roofr'], message: 'join writes one roofr field' });
  } else if (transform === 'split') {
    if (!Array.isArray(rule.roofr))
      issues.push({ path: ['roofr'], message: 'split needs a list of at least two roofr fields' });
    if (Array.isArray(rule.ghl)) issues.push({ path: ['ghl'], message: 'split reads one ghl field' });
  } else {
    if (Array.isArray(rule.ghl))
      issues.push({ path: ['ghl'], message: 'several ghl fields need transform: {type: join}' });
    if (Array.isArray(rule.roofr))
      issues.push({ path: ['roofr'], message: 'several roofr fields need transform: {type: split}' });
  }
  if (rule.transform?.type === 'map' && writesBack) {
    const roofrValues = rule.transform.values.map((pair) => JSON.stringify(pair.roofr));
    if (new Set(roofrValues).size !== roofrValues.length) {
      issues.push({
        path: ['transform', 'values'],
        message: 'roofr values repeat, so the way back to HighLevel is ambiguous; use direction: to_roofr',
      });
    }
  }
  if (rule.default !== undefined && !reads)
    issues.push({
      path: ['default'],
      message: 'a default only applies on the way to Roofr (direction to_roofr or both)',
    });
  return issues;
}
