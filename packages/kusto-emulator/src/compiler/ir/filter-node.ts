import type { ColumnSchema, RelationNode, ScalarNode } from './ir-node.js';

/** `where`: keeps rows whose predicate is true (null counts as false). */
export interface FilterNode {
  readonly kind: 'Filter';
  readonly input: RelationNode;
  readonly predicate: ScalarNode;
  readonly columns: readonly ColumnSchema[];
}

export const FilterNode = {
  is(node: { kind: string }): node is FilterNode {
    return node.kind === 'Filter';
  },
  create(input: RelationNode, predicate: ScalarNode, columns: readonly ColumnSchema[]): FilterNode {
    return Object.freeze({ kind: 'Filter', input, predicate, columns });
  },
};
