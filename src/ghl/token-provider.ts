/**
 * A sub-account Private Integration Token from configuration. It is static (docs/ghl-facts.md: `pit-` tokens
 * never refresh), so a 401 cannot be cured by retrying: `onUnauthorized` says so.
 */
import type { TokenProvider } from './ghl-api.js';

export class StaticTokenProvider implements TokenProvider {
  private readonly scopes: ReadonlySet<string> | null;

  /**
   * @param locationId the only location this token may act for; other locations are refused
   *   before any request is sent.
   * @param scopes what the token holds (GHL_TOKEN_SCOPES), or null when unknown.
   */
  constructor(
    private readonly accessToken: string,
    private readonly locationId: string,
    scopes: readonly string[] | null,
  ) {
    if (accessToken.trim() === '')
      throw new Error('StaticTokenProvider needs a non-empty token (GHL_PRIVATE_INTEGRATION_TOKEN)');
    this.scopes = scopes === null ? null : new Set(scopes);
  }

  async getToken(locationId: string): Promise<{ accessToken: string; scopes: ReadonlySet<string> | null }> {
    if (locationId !== this.locationId) {
      throw new Error(
        `The configured Private Integration Token belongs to location ${this.locationId}, not ${locationId} (GHL_LOCATION_ID)`,
      );
    }
    return { accessToken: this.accessToken, scopes: this.scopes };
  }

  async onUnauthorized(_locationId: string, _rejectedToken: string): Promise<boolean> {
    return false;
  }
}
