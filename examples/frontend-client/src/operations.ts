/**
 * The operations this frontend ships with. `npm run codegen` types each one against the schema
 * (src/gql/) and adds it to persisted-documents.json, the manifest the gateway's trusted documents
 * load: in production a first-party app can then send only these.
 */
import { graphql } from './gql/index.js';

export const ContactsPageQuery = graphql(`
  query ContactsPage($first: Int!, $after: String) {
    contacts(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          name
          email
          tags
        }
      }
    }
  }
`);

export const ContactDetailsQuery = graphql(`
  query ContactDetails($id: ID!) {
    contact(id: $id) {
      id
      name
      email
      phone
      tasks(completed: false) {
        id
        title
        dueDate
      }
      notes {
        id
        body
      }
    }
  }
`);

export const CreateLeadMutation = graphql(`
  mutation CreateLead($input: CreateContactInput!) {
    createContact(input: $input) {
      created
      contact {
        id
        name
        phone
        tags
      }
      roofrSync {
        status
      }
    }
  }
`);
