import type { ColumnSchema, RelationNode, UnionSource } from './ir-node.js';

/** `union` (outer by name): every input is aligned to the output columns, missing ones null. */
export interface UnionNode {
  readonly kind: 'Union';
  readonly inputs: readonly RelationNode[];
  readonly withSource: UnionSource | undefined;
  readonly columns: readonly ColumnSchema[];
}

export const UnionNode = {
  is(node: { kind: string }): node is UnionNode {
    return node.kind === 'Union';
  },
  create(
    inputs: readonly RelationNode[],
    withSource: UnionSource | undefined,
    columns: readonly ColumnSchema[],
  ): UnionNode {
    return Object.freeze({ kind: 'Union', inputs, withSource, columns });
  },
};
