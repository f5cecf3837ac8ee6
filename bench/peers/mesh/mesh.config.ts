/**
 * GraphQL Mesh v1 (compose) over HighLevel's published OpenAPI spec, as a team picking Mesh
 * would set it up: the contacts spec generates the schema, headers are injected per request,
 * and the contact's tasks, notes and appointments are stitched on with `@resolveTo` (the spec
 * has no OpenAPI links, so without them the nested shape does not exist). Served by Hive
 * Gateway (gateway.config.ts) from the supergraph this writes.
 */
import { defineConfig } from '@graphql-mesh/compose-cli';
import { loadOpenAPISubgraph } from '@omnigraph/openapi';

const nested = (typeName: string): string => /* GraphQL */ `
  extend type ${typeName} {
    tasks: get_all_tasks_response
      @resolveTo(sourceName: "Contacts", sourceTypeName: "Query", sourceFieldName: "get_all_tasks", requiredSelectionSet: "{ id }", sourceArgs: { contactId: "{root.id}" })
    notes: get_all_notes_response
      @resolveTo(sourceName: "Contacts", sourceTypeName: "Query", sourceFieldName: "get_all_notes", requiredSelectionSet: "{ id }", sourceArgs: { contactId: "{root.id}" })
    appointments: get_appointments_for_contact_response
      @resolveTo(sourceName: "Contacts", sourceTypeName: "Query", sourceFieldName: "get_appointments_for_contact", requiredSelectionSet: "{ id }", sourceArgs: { contactId: "{root.id}" })
  }
`;

export const composeConfig = defineConfig({
  subgraphs: [
    {
      sourceHandler: loadOpenAPISubgraph('Contacts', {
        source: '../spec/apps/contacts.json',
        endpoint: '{env.GHL_BASE_URL}',
        operationHeaders: { Authorization: 'Bearer {env.GHL_TOKEN}', Version: '2021-07-28' },
      }),
    },
  ],
  additionalTypeDefs: nested('GetContectByIdSchema') + nested('ContactsSearchSchema'),
});
