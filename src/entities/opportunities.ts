/**
 * A contact's opportunities (deals in the location's pipelines): read-only, from HighLevel's
 * Opportunities API, `GET /opportunities/search?location_id=…&contact_id=…` (scope
 * opportunities.readonly, Version 2021-07-28). The whole entity is here: the endpoint, the
 * zod schema of its answer, the mapping to the domain type, how long a list stays fresh, and the
 * webhooks that change it (docs/ghl-facts.md: Opportunity* webhooks carry `contactId`).
 *
 * One page of up to 100: the search pages by `page`/`startAfter`, and a contact with more open
 * deals than that is not a case this list serves (the page's `meta.total` is checked, and a
 * longer list fails as a broken contract rather than answering part of it silently).
 */
import { z } from 'zod';
import { GHL_SCOPES, type Opportunity } from '../domain/types.js';
import { GhlContractError } from '../ghl/errors.js';
import { parseResponse } from '../ghl/schemas.js';
import { endpoint } from '../ghl/spec.js';
import { stringAt, type ContactListDescriptor } from './contact-list.js';

const PAGE_LIMIT = 100;
const text = z.string().nullish();

const OpportunityDto = z.looseObject({
  id: z.string().min(1),
  contactId: text,
  name: text,
  status: text,
  monetaryValue: z.number().nullish(),
  pipelineId: text,
  pipelineStageId: text,
  assignedTo: text,
  source: text,
  lastStatusChangeAt: text,
  lastStageChangeAt: text,
  createdAt: text,
  updatedAt: text,
});
type OpportunityDto = z.infer<typeof OpportunityDto>;

const OpportunitiesSearchDto = z.looseObject({
  opportunities: z.array(OpportunityDto),
  meta: z.looseObject({ total: z.number().nullish() }).nullish(),
});
type OpportunitiesSearchDto = z.infer<typeof OpportunitiesSearchDto>;

function toOpportunity(dto: OpportunityDto, contactId: string): Opportunity {
  return {
    id: dto.id,
    contactId: dto.contactId ?? contactId,
    name: dto.name ?? null,
    status: dto.status ?? null,
    monetaryValue: dto.monetaryValue ?? null,
    pipelineId: dto.pipelineId ?? null,
    pipelineStageId: dto.pipelineStageId ?? null,
    assignedTo: dto.assignedTo ?? null,
    source: dto.source ?? null,
    lastStatusChangeAt: dto.lastStatusChangeAt ?? null,
    lastStageChangeAt: dto.lastStageChangeAt ?? null,
    createdAt: dto.createdAt ?? null,
    updatedAt: dto.updatedAt ?? null,
  };
}

export const OPPORTUNITIES: ContactListDescriptor<'opportunities', 'opportunity', Opportunity> = {
  field: 'opportunities',
  item: 'opportunity',
  cacheEntity: 'opportunitiesOfContact',
  defaultTtlMs: 2 * 60_000,
  endpoint: {
    spec: endpoint('GET', '/opportunities/search', GHL_SCOPES.opportunitiesRead),
    pathParams: () => ({}),
    searchParams: (locationId, contactId) => ({ location_id: locationId, contact_id: contactId, limit: PAGE_LIMIT }),
    parse(body, label, { contactId }) {
      const page = parseResponse(OpportunitiesSearchDto, body, label);
      const total = page.meta?.total ?? page.opportunities.length;
      if (total > page.opportunities.length)
        throw new GhlContractError(
          label,
          'meta.total',
          `${total} opportunities for one contact; one page holds ${PAGE_LIMIT}`,
        );
      return page.opportunities.map((dto) => toOpportunity(dto, contactId));
    },
  },
  changedBy: {
    types: [
      'OpportunityCreate',
      'OpportunityUpdate',
      'OpportunityDelete',
      'OpportunityStageUpdate',
      'OpportunityStatusUpdate',
      'OpportunityMonetaryValueUpdate',
      'OpportunityAssignedToUpdate',
    ],
    contactIdOf: (event) => stringAt(event, 'contactId'),
  },
};
