/**
 * `notifications(first, after)`: the request's location's notifications, newest first. The store
 * filters by location in SQL and pages after filtering; its cursors name the location, so a
 * cursor of another location answers BAD_USER_INPUT (role sync-admin, src/wiring/security.ts).
 */
import { GraphQLError } from 'graphql';
import { notificationView } from '../../notify/channel-messages.js';
import { notificationCursor } from '../../store/notifications-repo.js';
import { InvalidCursorError } from '../../store/paging.js';
import type { NotificationSeverity, NotificationStatus } from '../../store/schema.js';
import { ErrorCode, userInputError } from '../errors.js';
import type {
  QueryResolvers,
  NotificationSeverity as Severity,
  NotificationStatus as Status,
} from '../resolvers-types.generated.js';

const MAX_FIRST = 100;

const SEVERITY: Readonly<Record<NotificationSeverity, Severity>> = {
  critical: 'CRITICAL',
  warning: 'WARNING',
  info: 'INFO',
};
const STATUS: Readonly<Record<NotificationStatus, Status>> = {
  firing: 'FIRING',
  reminder: 'REMINDER',
  resolved: 'RESOLVED',
};

/** The request's location's notifications, newest first; the store filters and pages in SQL. */
export const notifications: NonNullable<QueryResolvers['notifications']> = async (
  _parent,
  { first, after },
  context,
) => {
  if (context.notifications === undefined)
    throw new GraphQLError('Notifications are not configured on this gateway (no store was given to startGateway)', {
      extensions: { code: ErrorCode.Forbidden },
    });
  if (first < 1 || first > MAX_FIRST)
    throw userInputError(`first must be between 1 and ${MAX_FIRST}`, {
      fields: [{ field: 'first', message: `must be between 1 and ${MAX_FIRST}` }],
    });
  let page;
  try {
    page = await context.notifications.list(context.locationId, first, after ?? null);
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw userInputError(error.message, { fields: [{ field: 'after', message: error.message }] });
    throw error;
  }
  const edges = page.items.map((item) => ({
    cursor: notificationCursor(item.locationId, item.id),
    node: { ...notificationView(item), severity: SEVERITY[item.severity], status: STATUS[item.status] },
  }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: page.endCursor,
    },
  };
};
