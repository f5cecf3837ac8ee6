import { describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import { estimateOperationCost } from '../../../src/graphql/cost-estimate.js';
import { findOperation } from '../../../src/graphql/hardening/query-cost.js';
import { buildGatewaySchema } from '../../../src/graphql/schema.js';

const schema = buildGatewaySchema({});

function estimate(query: string, variables: Record<string, unknown> = {}, taskSearchBatched = true) {
  const document = parse(query);
  const operation = findOperation(document, undefined);
  if (operation === undefined) throw new Error('no operation');
  return estimateOperationCost(schema, document, operation, variables, { taskSearchBatched });
}

const NESTED = 'tasks { id } notes { id } appointments { id }';

describe('estimateOperationCost', () => {
  it('when 50 contacts are listed with tasks, notes and appointments, then it costs 1 search + 1 task search + 50 + 50', () => {
    expect(estimate(`{ contacts(first: 50) { edges { node { id ${NESTED} } } } }`).calls).toBe(102);
  });

  it('when the location lacks the task search scope, then tasks cost one call per contact', () => {
    expect(estimate(`{ contacts(first: 50) { edges { node { id ${NESTED} } } } }`, {}, false).calls).toBe(151);
  });

  it('when `first` comes from a variable or the schema default, then that size is used', () => {
    expect(
      estimate('query Q($n: Int) { contacts(first: $n) { edges { node { notes { id } } } } }', { n: 7 }).calls,
    ).toBe(8);
    expect(estimate('{ contacts { totalCount edges { node { notes { id } } } } }').calls).toBe(21);
  });

  it('when one contact is read with nested lists through a fragment and aliases, then each list counts once', () => {
    const result = estimate(`
      { c: contact(id: "abc") { ...F open: tasks(completed: false) { id } done: tasks(completed: true) { id } } }
      fragment F on Contact { notes { id } appointments { id } }
    `);
    expect(result.calls).toBe(4);
    expect(result.roots).toEqual([
      {
        responseKey: 'c',
        field: 'contact',
        calls: 4,
        probe: { contactId: 'abc', lists: ['tasks', 'notes', 'appointments'] },
      },
    ]);
  });

  it('when federation asks for 150 entities with notes, then it costs 2 searches + 150', () => {
    const representations = Array.from({ length: 150 }, (_, index) => ({ __typename: 'Contact', id: `c${index}` }));
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { notes { id } } } }';
    expect(estimate(query, { r: representations }).calls).toBe(152);
  });

  it('when only scalar fields are read, then a contact costs one call and a mutation one per field', () => {
    expect(estimate('{ contact(id: "x") { id name } }').calls).toBe(1);
    expect(estimate('mutation { deleteContact(id: "x") { deletedId } }').calls).toBe(1);
  });
});
