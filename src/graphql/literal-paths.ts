/**
 * Where in the operation's arguments a literal value sits ("input.dueDate", "filter.tags[1]"),
 * for scalar errors. graphql-js asks a scalar to parse a literal with the value node only, so a
 * bad `dueDate: "2026-12-01"` could only say what is wrong, never where. This validation rule
 * runs with graphql's own (all rules visit each node in turn, parents before children) and
 * records, on entering an argument, object or list, the path of each value inside it; a scalar's
 * parseLiteral then reads the path of its node. Keyed weakly by AST node: a document's nodes are
 * its own, and the record goes with the document.
 */
import { Kind, type ASTVisitor, type ValidationContext, type ValueNode } from 'graphql';

const paths = new WeakMap<ValueNode, string>();

/** The argument path of a literal value node, when validation recorded one. */
export function literalPathOf(node: ValueNode): string | undefined {
  return paths.get(node);
}

export function literalPathsRule(_context: ValidationContext): ASTVisitor {
  return {
    [Kind.ARGUMENT]: {
      enter(node) {
        paths.set(node.value, node.name.value);
      },
    },
    [Kind.OBJECT]: {
      enter(node) {
        const base = paths.get(node);
        if (base === undefined) return;
        for (const field of node.fields) paths.set(field.value, `${base}.${field.name.value}`);
      },
    },
    [Kind.LIST]: {
      enter(node) {
        const base = paths.get(node);
        if (base === undefined) return;
        node.values.forEach((value, index) => paths.set(value, `${base}[${index}]`));
      },
    },
  };
}
