import type { ColumnSchema, RelationNode, ScalarNode } from './ir-node.js';

/** `sample n`: n rows picked at random. */
export interface SampleNode {
  readonly kind: 'Sample';
  readonly input: RelationNode;
  readonly count: ScalarNode;
  readonly columns: readonly ColumnSchema[];
}

export const SampleNode = {
  is(node: { kind: string }): node is SampleNode {
    return node.kind === 'Sample';
  },
  create(input: RelationNode, count: ScalarNode, columns: readonly ColumnSchema[]): SampleNode {
    return Object.freeze({ kind: 'Sample', input, count, columns });
  },
};
