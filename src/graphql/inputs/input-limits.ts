/**
 * Lengths the gateway accepts in writes. HighLevel publishes no limits for these fields, so these
 * are our own, chosen below what GHL's UI and storage take (e-mail: RFC 5321's 254), and checked
 * before any upstream call so an over-long value never costs a request. Change them here only.
 */
export const INPUT_LIMITS = {
  personName: 100,
  fullName: 200,
  companyName: 200,
  email: 254,
  addressLine: 200,
  city: 100,
  state: 100,
  postalCode: 20,
  website: 2048,
  source: 200,
  id: 64,
  tag: 100,
  tagsPerCall: 100,
  customFields: 100,
  taskTitle: 200,
  taskBody: 5_000,
  noteBody: 20_000,
} as const;
