/**
 * Who owns a mapped field, read off the mapping's rules: a rule's direction says which side's
 * value stands (to_roofr: HighLevel's, to_ghl: Roofr's, both: the later change's). The dry run
 * uses it to tell a Roofr-side edit the run would overwrite (a `both` field: a conflict) from a
 * field HighLevel owns anyway; verify uses it to decide which side a drifted field is fixed on.
 */
import { ghlWriteKey, type GhlEntity } from './field-paths.js';
import type { Direction, FieldRule } from './mapping-schema.js';

/** Each Roofr field a section writes or reads, with its rule's direction. */
export function directionsByRoofrField(rules: readonly FieldRule[]): Map<string, Direction> {
  const directions = new Map<string, Direction>();
  for (const rule of rules) for (const path of [rule.roofr].flat()) directions.set(path, rule.direction);
  return directions;
}

/**
 * The Roofr fields of the rules that write any of `ghlKeys` (ContactWrite keys such as
 * "firstName" or "customFields.<id>") back to HighLevel: the fields whose Roofr value stands
 * when those HighLevel fields take Roofr's.
 */
export function roofrFieldsWritingGhl(
  rules: readonly FieldRule[],
  entity: GhlEntity,
  ghlKeys: ReadonlySet<string>,
): Set<string> {
  const fields = new Set<string>();
  for (const rule of rules) {
    if (rule.direction === 'to_roofr' || rule.ghl === undefined) continue;
    const writes = [rule.ghl].flat().some((path) => {
      const key = ghlWriteKey(entity, path);
      return key !== null && ghlKeys.has(key);
    });
    if (writes) for (const path of [rule.roofr].flat()) fields.add(path);
  }
  return fields;
}
