/**
 * Root fields that need more than the read role (queries) or the write role (mutations): the
 * operator's fields. The role guard (role-guard-plugin.ts) enforces this table; a field not
 * listed here needs only read or write.
 */
import type { Role } from '../../auth/caller-identity.js';

export const GATEWAY_FIELD_ROLES: Readonly<Record<string, Role>> = {
  'Query.deadLetters': 'sync-admin',
  'Query.syncRun': 'sync-admin',
  'Query.syncRuns': 'sync-admin',
  'Query.notifications': 'sync-admin',
  'Mutation.retryDeadLetter': 'sync-admin',
  'Mutation.syncContact': 'sync-admin',
  'Mutation.startSync': 'sync-admin',
  'Mutation.verifySync': 'sync-admin',
};
