import type { ColumnSchema, RelationNode } from './ir-node.js';

/** Removes duplicate rows. */
export interface DistinctNode {
  readonly kind: 'Distinct';
  readonly input: RelationNode;
  readonly columns: readonly ColumnSchema[];
}

export const DistinctNode = {
  is(node: { kind: string }): node is DistinctNode {
    return node.kind === 'Distinct';
  },
  create(input: RelationNode, columns: readonly ColumnSchema[]): DistinctNode {
    return Object.freeze({ kind: 'Distinct', input, columns });
  },
};
