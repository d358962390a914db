import type { ColumnSchema, RelationNode, ScalarNode } from './ir-node.js';

/** `take`/`limit`, and the counting half of `top`. */
export interface LimitNode {
  readonly kind: 'Limit';
  readonly input: RelationNode;
  readonly count: ScalarNode;
  readonly columns: readonly ColumnSchema[];
}

export const LimitNode = {
  is(node: { kind: string }): node is LimitNode {
    return node.kind === 'Limit';
  },
  create(input: RelationNode, count: ScalarNode, columns: readonly ColumnSchema[]): LimitNode {
    return Object.freeze({ kind: 'Limit', input, count, columns });
  },
};
