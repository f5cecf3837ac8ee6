/**
 * Which HighLevel location a Roofr webhook belongs to. Roofr knows nothing of HighLevel
 * locations, and its events carry no account id either (docs/roofr-api.md, webhook-events.ts),
 * so there is no account-to-location map to keep: the location comes from, in this order,
 * 1. single-location mode (a Private Integration Token or demo): the one location, as ever; a
 *    URL naming another location is refused;
 * 2. the webhook URL, `/webhooks/roofr/:locationId` (one Zap per location), when the app is
 *    installed for that location (a location grant, or an agency grant that approved it);
 * 3. the links of the records the event names (Roofr customer and job ids, the job's GHL
 *    external_ref): the location where they are linked, when exactly one;
 * 4. the only installed location, when there is exactly one.
 * Anything else can never be processed (no install for the URL's location; no location the
 * records point to; records linked in several locations), so it is refused at intake with a
 * reason the sender sees, instead of being answered 200 and dead-lettered later.
 */
import { parseExternalRef } from '../domain/mapping/to-roofr.js';
import type { RoofrWebhookEvent } from '../roofr/webhook-events.js';
import type { LinksRepo } from '../store/links-repo.js';
import type { RoofrEntityKind } from '../store/schema.js';

export type RoofrLocationDecision =
  | { ok: true; locationId: string; how: 'configured' | 'url' | 'link' | 'only-install' }
  | {
      ok: false;
      /** 404: the URL names a location this gateway does not serve; 422: the event names none. */
      status: 404 | 422;
      reason: 'unknown-location' | 'ambiguous-location' | 'no-location';
      detail: string;
    };

export interface RoofrEventLocations {
  /** `urlLocationId`: the `:locationId` of `/webhooks/roofr/:locationId`, null on `/webhooks/roofr`. */
  locate(event: RoofrWebhookEvent, urlLocationId: string | null): Promise<RoofrLocationDecision>;
}

interface RoofrEventLocationsDeps {
  /** The location of single-location mode; '' in OAuth mode (locations come from installs). */
  defaultLocationId: string;
  /** OAuth mode: the locations the app is installed for. */
  installedLocations?: () => Promise<ReadonlySet<string>>;
  links: Pick<LinksRepo, 'locationsLinking'>;
}

/** What the token vault tells of installs (structural: the sync layer does not import auth). */
export interface InstallRegistry {
  list(): Promise<Array<{ subjectKind: 'location' | 'company'; subjectId: string }>>;
  get(kind: 'company', subjectId: string): Promise<{ approvedLocations: string[] } | null>;
}

/**
 * The installed locations: every location grant (whatever its status: one needing a reinstall
 * can be reinstalled, so its events are not refused) and every location an agency grant approved.
 */
export function installedLocationsFrom(registry: InstallRegistry): () => Promise<ReadonlySet<string>> {
  return async () => {
    const locations = new Set<string>();
    for (const grant of await registry.list()) {
      if (grant.subjectKind === 'location') locations.add(grant.subjectId);
      else
        for (const id of (await registry.get('company', grant.subjectId))?.approvedLocations ?? []) locations.add(id);
    }
    return locations;
  };
}

/** The Roofr records an event names, and the GHL contact its job refers to. */
function recordsOf(event: RoofrWebhookEvent): {
  roofr: Array<{ kind: RoofrEntityKind; id: string }>;
  ghlContactIds: string[];
} {
  const roofr: Array<{ kind: RoofrEntityKind; id: string }> = [];
  const refs: Array<string | null> = [];
  const job = (value: { id: string; customer_id: string; external_ref: string | null } | undefined): void => {
    if (value === undefined) return;
    roofr.push({ kind: 'job', id: value.id }, { kind: 'customer', id: value.customer_id });
    refs.push(value.external_ref);
  };
  switch (event.event) {
    case 'customer.created':
    case 'customer.updated':
      roofr.push({ kind: 'customer', id: event.data.customer.id });
      break;
    case 'job.created':
      job(event.data.job);
      if (event.data.customer) roofr.push({ kind: 'customer', id: event.data.customer.id });
      break;
    case 'job.stage_changed':
      job(event.data.job);
      break;
    case 'proposal.signed':
      roofr.push({ kind: 'job', id: event.data.proposal.job_id });
      job(event.data.job);
      break;
    case 'lead.created':
      job(event.data.job);
      if (event.data.customer) roofr.push({ kind: 'customer', id: event.data.customer.id });
      break;
  }
  const ghlContactIds = refs.flatMap((ref) => {
    const parsed = parseExternalRef(ref);
    return parsed?.kind === 'contact' ? [parsed.id] : [];
  });
  return { roofr, ghlContactIds };
}

export function createRoofrEventLocations(deps: RoofrEventLocationsDeps): RoofrEventLocations {
  const perLocationUrl = '/webhooks/roofr/<locationId>';

  async function linkedLocations(event: RoofrWebhookEvent): Promise<Set<string>> {
    const { roofr, ghlContactIds } = recordsOf(event);
    const found = new Set<string>();
    for (const record of roofr)
      for (const id of await deps.links.locationsLinking({ side: 'roofr', ...record })) found.add(id);
    for (const contactId of ghlContactIds)
      for (const id of await deps.links.locationsLinking({ side: 'ghl', kind: 'contact', id: contactId }))
        found.add(id);
    return found;
  }

  return {
    async locate(event, urlLocationId) {
      if (deps.defaultLocationId !== '') {
        if (urlLocationId !== null && urlLocationId !== deps.defaultLocationId)
          return {
            ok: false,
            status: 404,
            reason: 'unknown-location',
            detail: `this gateway serves location ${deps.defaultLocationId}, not ${urlLocationId}`,
          };
        return { ok: true, locationId: deps.defaultLocationId, how: 'configured' };
      }
      const installed = (await deps.installedLocations?.()) ?? new Set<string>();
      if (urlLocationId !== null) {
        if (installed.has(urlLocationId)) return { ok: true, locationId: urlLocationId, how: 'url' };
        return {
          ok: false,
          status: 404,
          reason: 'unknown-location',
          detail: `the app is not installed for location ${urlLocationId}; install it (/oauth/install) or fix the webhook URL`,
        };
      }
      const linked = await linkedLocations(event);
      if (linked.size === 1) return { ok: true, locationId: [...linked][0] ?? '', how: 'link' };
      if (linked.size > 1)
        return {
          ok: false,
          status: 422,
          reason: 'ambiguous-location',
          detail: `the event's records are linked in ${linked.size} locations; post it to ${perLocationUrl}`,
        };
      if (installed.size === 1) return { ok: true, locationId: [...installed][0] ?? '', how: 'only-install' };
      return {
        ok: false,
        status: 422,
        reason: 'no-location',
        detail: `the event names no record linked to a HighLevel location and ${installed.size} locations are installed; post it to ${perLocationUrl}`,
      };
    },
  };
}
