import type { ColumnSchema, RelationNode, SortKey } from './ir-node.js';

/** `sort`/`order`, and the ordering half of `top`. */
export interface SortNode {
  readonly kind: 'Sort';
  readonly input: RelationNode;
  readonly keys: readonly SortKey[];
  readonly columns: readonly ColumnSchema[];
}

export const SortNode = {
  is(node: { kind: string }): node is SortNode {
    return node.kind === 'Sort';
  },
  create(input: RelationNode, keys: readonly SortKey[], columns: readonly ColumnSchema[]): SortNode {
    return Object.freeze({ kind: 'Sort', input, keys, columns });
  },
};
