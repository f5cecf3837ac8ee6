/**
 * Who owns a mapped field, read off the mapping's rules: a rule's direction says which side's
 * value stands (to_roofr: HighLevel's, to_ghl: Roofr's, both: the later change's). The dry run
 * uses it to tell a Roofr-side edit the run would overwrite (a `both` field: a conflict) from a
 * field HighLevel owns anyway. (Verify decides sides with the sync's own conflict rule,
 * src/sync/ghl-contact-diff.ts, which reads the same directions.)
 */
import type { Direction, FieldRule } from './mapping-schema.js';

/** Each Roofr field a section writes or reads, with its rule's direction. */
export function directionsByRoofrField(rules: readonly FieldRule[]): Map<string, Direction> {
  const directions = new Map<string, Direction>();
  for (const rule of rules) for (const path of [rule.roofr].flat()) directions.set(path, rule.direction);
  return directions;
}
