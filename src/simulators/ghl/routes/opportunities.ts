/**
 * GET /opportunities/search (apps/opportunities.json: Version 2021-07-28, scope
 * opportunities.readonly, `location_id` required): opportunities of the token's location, by
 * `contact_id` and `status`, paged by `page` and `limit` (default 20, at most 100), answered
 * `{opportunities, meta: {total, currentPage, nextPage, prevPage}, aggregations}`.
 *
 * Read-only here: each seeded contact's opportunities are generated from its seed (0 to 2 of
 * them, the same every time), apart from its tasks and notes so those stay as they were.
 */
import { firebaseId, intBetween, mulberry32, pick } from '../../prng.js';
import type { ContactRecord } from '../model.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../router.js';
import { VERSION_CONTACTS } from '../router.js';
import { intQuery, requireOwnLocation } from './access.js';

const STATUSES = ['open', 'open', 'open', 'won', 'lost', 'abandoned'] as const;
const DEALS = ['Roof replacement', 'Storm damage repair', 'Gutter install', 'Roof inspection', 'Skylight repair'];
const DAY_MS = 86_400_000;

function opportunitiesOf(contact: ContactRecord, locationId: string): Array<Record<string, unknown>> {
  if (contact.childSeed === null) return [];
  // Its own stream of the contact's seed: the tasks, notes and appointments drawn from it stay the same.
  const random = mulberry32(contact.childSeed ^ 0x5a17ab1e);
  const pipelineId = firebaseId(mulberry32(contact.childSeed & 0xff));
  return Array.from({ length: intBetween(random, 0, 2) }, () => {
    const createdAt = contact.dateAdded + intBetween(random, 0, 30) * DAY_MS;
    const changedAt = new Date(createdAt + intBetween(random, 0, 20) * DAY_MS).toISOString();
    return {
      id: firebaseId(random),
      name: `${pick(random, DEALS)} - ${contact.firstName ?? ''} ${contact.lastName ?? ''}`.trim(),
      monetaryValue: intBetween(random, 4, 60) * 500,
      pipelineId,
      pipelineStageId: firebaseId(random),
      status: pick(random, STATUSES),
      source: pick(random, ['form', 'manual', 'api']),
      lastStatusChangeAt: changedAt,
      lastStageChangeAt: changedAt,
      createdAt: new Date(createdAt).toISOString(),
      updatedAt: changedAt,
      contactId: contact.id,
      locationId,
      contact: {
        id: contact.id,
        name: `${contact.firstName ?? ''} ${contact.lastName ?? ''}`.trim(),
        email: contact.email,
      },
    };
  });
}

function searchOpportunities(context: RouteContext): RouteResult {
  const locationId = requireOwnLocation(context, context.query.get('location_id'), 'location_id');
  const limit = intQuery(context, 'limit', 20, 100);
  const page = Math.max(1, intQuery(context, 'page', 1));
  const contactId = context.query.get('contact_id');
  const status = context.query.get('status');
  const state = context.services.store.requireLocation(locationId);
  const contacts =
    contactId === null ? [...state.contacts.values()] : [state.contacts.get(contactId)].filter((c) => c !== undefined);
  const matches = contacts
    .flatMap((contact) => opportunitiesOf(contact, locationId))
    .filter((opportunity) => status === null || status === 'all' || opportunity['status'] === status);
  const slice = matches.slice((page - 1) * limit, page * limit);
  const hasNext = page * limit < matches.length;
  return {
    status: 200,
    body: {
      opportunities: slice,
      // The spec types nextPage / prevPage as numbers: absent, not null, when there is none.
      meta: {
        total: matches.length,
        currentPage: page,
        ...(hasNext ? { nextPage: page + 1 } : {}),
        ...(page > 1 ? { prevPage: page - 1 } : {}),
      },
      aggregations: {},
    },
  };
}

export const opportunityRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    template: '/opportunities/search',
    versions: [VERSION_CONTACTS],
    auth: 'location',
    scope: 'opportunities.readonly',
    body: 'none',
    handle: searchOpportunities,
  },
];
