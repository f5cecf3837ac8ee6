/**
 * The OAuth grant of a location is missing or dead (revoked, refresh token rejected): no retry
 * helps, an admin must install the app again. It is a GhlUnauthorizedError, so code that maps
 * the client's errors already treats it as UNAUTHENTICATED; `extensions` adds the install URL.
 */
import { GhlUnauthorizedError } from './errors.js';

type ReinstallReason = 'not_installed' | 'grant_rejected' | 'marked_needs_reinstall';

export class GhlReinstallRequiredError extends GhlUnauthorizedError {
  constructor(
    readonly locationId: string,
    readonly installUrl: string,
    readonly reason: ReinstallReason,
  ) {
    super(
      'POST /oauth/token',
      reason === 'not_installed'
        ? `The HighLevel app is not installed for location ${locationId}: install it at ${installUrl}`
        : `HighLevel no longer accepts this gateway's grant for location ${locationId}: install the app again at ${installUrl}`,
    );
  }

  /** What a GraphQLError for this error should carry. */
  get extensions(): { code: 'UNAUTHENTICATED'; installUrl: string; locationId: string; reason: ReinstallReason } {
    return { code: 'UNAUTHENTICATED', installUrl: this.installUrl, locationId: this.locationId, reason: this.reason };
  }
}
