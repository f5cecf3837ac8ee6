/**
 * Location scoping shared by the routes: a Location token reaches only its own location. An
 * explicit other locationId answers 403; another location's contact id answers like an
 * unknown id (400 not found), so ids never leak across locations.
 */
import type { ContactRecord } from '../model.js';
import { contactNotFound, forbidden, MESSAGES, unprocessable } from '../errors.js';
import type { RouteContext } from '../router.js';

export function tokenLocation(context: RouteContext): string {
  const locationId = context.token?.locationId;
  if (locationId === undefined) throw forbidden(MESSAGES.locationAccess);
  return locationId;
}

/** A locationId named by the request (query or body) must be the token's own. */
export function requireOwnLocation(
  context: RouteContext,
  locationId: string | null | undefined,
  field = 'locationId',
): string {
  if (locationId === null || locationId === undefined || locationId === '')
    throw unprocessable([`${field} should not be empty`, `${field} must be a string`]);
  const own = tokenLocation(context);
  if (locationId !== own || context.services.store.location(locationId) === undefined)
    throw forbidden(MESSAGES.locationAccess);
  return own;
}

export function requireContact(context: RouteContext, contactId: string | undefined): ContactRecord {
  const id = contactId ?? '';
  const contact = context.services.store.contact(tokenLocation(context), id);
  if (!contact) throw contactNotFound(id);
  return contact;
}

/** Reads a non-negative integer query parameter; 422 in class-validator words when malformed. */
export function intQuery(context: RouteContext, name: string, fallback: number, max?: number): number {
  const raw = context.query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw unprocessable([`${name} must be a number conforming to the specified constraints`]);
  if (max !== undefined && value > max) throw unprocessable([`${name} must not be greater than ${max}`]);
  return value;
}
