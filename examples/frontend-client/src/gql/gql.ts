/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ContactsPage($first: Int!, $after: String) {\n    contacts(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          email\n          tags\n        }\n      }\n    }\n  }\n": typeof types.ContactsPageDocument,
    "\n  query ContactDetails($id: ID!) {\n    contact(id: $id) {\n      id\n      name\n      email\n      phone\n      tasks(completed: false) {\n        id\n        title\n        dueDate\n      }\n      notes {\n        id\n        body\n      }\n    }\n  }\n": typeof types.ContactDetailsDocument,
    "\n  mutation CreateLead($input: CreateContactInput!) {\n    createContact(input: $input) {\n      created\n      contact {\n        id\n        name\n        phone\n        tags\n      }\n      roofrSync {\n        status\n      }\n    }\n  }\n": typeof types.CreateLeadDocument,
};
const documents: Documents = {
    "\n  query ContactsPage($first: Int!, $after: String) {\n    contacts(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          email\n          tags\n        }\n      }\n    }\n  }\n": types.ContactsPageDocument,
    "\n  query ContactDetails($id: ID!) {\n    contact(id: $id) {\n      id\n      name\n      email\n      phone\n      tasks(completed: false) {\n        id\n        title\n        dueDate\n      }\n      notes {\n        id\n        body\n      }\n    }\n  }\n": types.ContactDetailsDocument,
    "\n  mutation CreateLead($input: CreateContactInput!) {\n    createContact(input: $input) {\n      created\n      contact {\n        id\n        name\n        phone\n        tags\n      }\n      roofrSync {\n        status\n      }\n    }\n  }\n": types.CreateLeadDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContactsPage($first: Int!, $after: String) {\n    contacts(first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          name\n          email\n          tags\n        }\n      }\n    }\n  }\n"): typeof import('./graphql.js').ContactsPageDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ContactDetails($id: ID!) {\n    contact(id: $id) {\n      id\n      name\n      email\n      phone\n      tasks(completed: false) {\n        id\n        title\n        dueDate\n      }\n      notes {\n        id\n        body\n      }\n    }\n  }\n"): typeof import('./graphql.js').ContactDetailsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateLead($input: CreateContactInput!) {\n    createContact(input: $input) {\n      created\n      contact {\n        id\n        name\n        phone\n        tags\n      }\n      roofrSync {\n        status\n      }\n    }\n  }\n"): typeof import('./graphql.js').CreateLeadDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
