/**
 * The one HighLevel write that goes through the outbox: a verify repairing contact fields Roofr
 * owns (mapping direction to_ghl, or `both` where Roofr changed last) that HighLevel lacks or
 * holds differently. It carries only those fields, so it never overwrites what it did not find
 * wrong, and applying it twice leaves the contact as once (an update with the same values).
 * Its entity key has its own prefix (r2g:), apart from the Roofr writes of the same contact:
 * those carry the contact's whole mapped state and supersede each other, this one is neither.
 * Delivered by outbox-delivery.ts through the GHL client on the background lane; HighLevel's
 * refusals (validation, unknown contact, missing scope) are permanent, its outages retried.
 */
import { z } from 'zod';
import type { CallOptions, ContactWrite, GhlApi } from '../ghl/ghl-api.js';
import { isGhlError, type GhlError } from '../ghl/errors.js';

export const GHL_CONTACT_REPAIR = 'ghl.contact.update';

export const GhlContactRepairSchema = z.object({
  kind: z.literal(GHL_CONTACT_REPAIR),
  ghlContactId: z.string(),
  /** A ContactWrite (HighLevel's field names), only the fields to fix. */
  write: z.record(z.string(), z.unknown()),
});
export type GhlContactRepair = z.infer<typeof GhlContactRepairSchema>;

export function ghlRepairEntityKey(locationId: string, contactId: string): string {
  return `r2g:${locationId}:contact:${contactId}:`;
}

/** HighLevel answered for good: retrying cannot help. */
export function isPermanentGhlFailure(error: unknown): error is GhlError {
  return (
    isGhlError(error) && (error.kind === 'Validation' || error.kind === 'NotFound' || error.kind === 'MissingScope')
  );
}

export async function deliverGhlRepair(
  ghl: Pick<GhlApi, 'updateContact'>,
  locationId: string,
  repair: GhlContactRepair,
  options: CallOptions,
): Promise<void> {
  // The schema keeps the body opaque (it is our own, written by verify); HighLevel validates it.
  await ghl.updateContact(locationId, repair.ghlContactId, repair.write as ContactWrite, options);
}
