import { describe, expect, it } from '@jest/globals';
import { parse } from 'graphql';
import {
  findOperation,
  OperationCostCache,
  upstreamCalls,
  walkOperationCost,
} from '../../../src/graphql/operation-cost.js';
import { buildGatewaySchema } from '../../../src/graphql/schema.js';

const schema = buildGatewaySchema({});

function walk(query: string, variables: Record<string, unknown> = {}) {
  const document = parse(query);
  const operation = findOperation(document, undefined);
  if (operation === undefined) throw new Error('no operation');
  return walkOperationCost(schema, document, operation, variables);
}

/** HighLevel calls of the whole operation; `batched`: the location may use the task search. */
function calls(query: string, variables: Record<string, unknown> = {}, batched = true): number {
  return walk(query, variables).roots.reduce((sum, root) => sum + upstreamCalls(root, () => batched), 0);
}

const NESTED = 'tasks { id } notes { id } appointments { id }';

describe('the calls an operation makes, from the @cost in the schema', () => {
  it('when 50 contacts are listed with tasks, notes and appointments, then it costs 1 search + 1 task search + 50 + 50', () => {
    expect(calls(`{ contacts(first: 50) { edges { node { id ${NESTED} } } } }`)).toBe(102);
  });

  it('when the location lacks the task search scope, then tasks cost one call per contact', () => {
    expect(calls(`{ contacts(first: 50) { edges { node { id ${NESTED} } } } }`, {}, false)).toBe(151);
  });

  it('when a list without a batched endpoint is added to the schema (opportunities), then it costs one call per contact', () => {
    expect(calls('{ contacts(first: 50) { edges { node { opportunities { id status } } } } }')).toBe(51);
  });

  it('when `first` comes from a variable or the schema default, then that size is used', () => {
    expect(calls('query Q($n: Int) { contacts(first: $n) { edges { node { notes { id } } } } }', { n: 7 })).toBe(8);
    expect(calls('{ contacts { totalCount edges { node { notes { id } } } } }')).toBe(21);
  });

  it('when one contact is read with nested lists through a fragment and aliases, then each list counts once and the probe names them', () => {
    const result = walk(`
      { c: contact(id: "abc") { ...F open: tasks(completed: false) { id } done: tasks(completed: true) { id } } }
      fragment F on Contact { notes { id } appointments { id } }
    `);
    expect(result.roots).toEqual([
      {
        responseKey: 'c',
        field: 'contact',
        fixedCalls: 1,
        listReads: [
          { list: 'notes', contacts: 1 },
          { list: 'appointments', contacts: 1 },
          { list: 'tasks', contacts: 1 },
        ],
        probe: { contactId: 'abc', lists: ['tasks', 'notes', 'appointments'] },
      },
    ]);
    expect(calls('{ c: contact(id: "abc") { notes { id } appointments { id } tasks { id } } }')).toBe(4);
  });

  it('when federation asks for 150 entities with notes, then it costs 2 searches + 150', () => {
    const representations = Array.from({ length: 150 }, (_, index) => ({ __typename: 'Contact', id: `c${index}` }));
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { notes { id } } } }';
    expect(calls(query, { r: representations })).toBe(152);
  });

  it('when only scalar fields are read, then a contact costs one call, a mutation its weight, and a store read nothing', () => {
    expect(calls('{ contact(id: "x") { id name } }')).toBe(1);
    expect(calls('mutation { deleteContact(id: "x") { deletedId } }')).toBe(1);
    expect(
      calls(
        'mutation { createTask(contactId: "c", input: { title: "t", dueDate: "2026-01-01T00:00:00Z" }) { task { id } } }',
      ),
    ).toBe(2);
    expect(calls('{ deadLetters(first: 50) { edges { node { id } } } }')).toBe(0);
  });
});

describe('the static cost a router computes from @cost and @listSize', () => {
  it('when a page is read, then count × (weight + selection): sized edges, assumed list sizes, scalars free', () => {
    // contacts (@cost 1): 1 × (1 + edges 10 × (1 + node 1 × (1 + notes 20 × (1 + 0))))
    expect(walk('{ contacts(first: 10) { edges { node { id notes { id } } } } }').routerCost).toBe(
      1 + 10 * (1 + 1 + 20),
    );
    // A mutation starts at 10; its payload object counts 1 more, its contact 1.
    expect(walk('mutation { deleteContact(id: "x") { deletedId } }').routerCost).toBe(10 + 1);
  });

  it('when first grows, then the cost grows in proportion', () => {
    const at = (first: number) => walk(`{ contacts(first: ${first}) { edges { node { id } } } }`).routerCost;
    expect(at(10)).toBe(1 + 10 * 2);
    expect(at(500)).toBe(1 + 500 * 2);
  });
});

describe('costs remembered per document and variables shape', () => {
  const CONTACT = `query C($id: ID!) { contact(id: $id) { id ${NESTED} } }`;
  const PAGE = 'query P($n: Int) { contacts(first: $n) { edges { node { notes { id } } } } }';

  function estimate(costs: OperationCostCache, document: ReturnType<typeof parse>, variables: Record<string, unknown>) {
    const operation = findOperation(document, undefined);
    if (operation === undefined) throw new Error('no operation');
    return costs.estimate(schema, document, operation, variables);
  }

  it('when the same document comes again with another id, then the estimate is reused and its probe names the new id', () => {
    const costs = new OperationCostCache();
    const document = parse(CONTACT);
    const first = estimate(costs, document, { id: 'a' });
    const second = estimate(costs, document, { id: 'b' });
    expect(costs.walks).toBe(1);
    expect(second).toEqual({
      ...first,
      roots: [{ ...first.roots[0], probe: { contactId: 'b', lists: ['tasks', 'notes', 'appointments'] } }],
    });
    expect(second).toEqual(walk(CONTACT, { id: 'b' }));
  });

  it('when a slicing variable changes, then the estimate is walked again and scales with it', () => {
    const costs = new OperationCostCache();
    const document = parse(PAGE);
    const seven = estimate(costs, document, { n: 7 });
    const fifty = estimate(costs, document, { n: 50 });
    expect(costs.walks).toBe(2);
    expect(seven).toEqual(walk(PAGE, { n: 7 }));
    expect(fifty).toEqual(walk(PAGE, { n: 50 }));
    expect(estimate(costs, document, { n: 7 })).toEqual(seven);
    expect(costs.walks).toBe(2);
  });

  it('when a variable changes kind (an id left out, a list of another length), then the estimate is walked again', () => {
    const costs = new OperationCostCache();
    const entities = parse('query E($r: [_Any!]!) { _entities(representations: $r) { ... on Contact { id } } }');
    const representations = (count: number) =>
      Array.from({ length: count }, (_, index) => ({ __typename: 'Contact', id: String(index) }));
    estimate(costs, entities, { r: representations(100) });
    const many = estimate(costs, entities, { r: representations(101) });
    expect(costs.walks).toBe(2);
    expect(many.roots[0]?.fixedCalls).toBe(2);
    const contact = parse(CONTACT);
    estimate(costs, contact, { id: 'a' });
    expect(estimate(costs, contact, {}).roots[0]?.probe).toBeNull();
    expect(costs.walks).toBe(4);
  });

  it('when another document with the same text is parsed, then it is walked on its own (documents are the key)', () => {
    const costs = new OperationCostCache();
    estimate(costs, parse(CONTACT), { id: 'a' });
    estimate(costs, parse(CONTACT), { id: 'a' });
    expect(costs.walks).toBe(2);
  });
});
