import type { ColumnSchema, ScalarNode } from './ir-node.js';

/** `range c from a to b step s` (inclusive bounds). */
export interface RangeNode {
  readonly kind: 'Range';
  readonly start: ScalarNode;
  readonly stop: ScalarNode;
  readonly step: ScalarNode;
  readonly columns: readonly ColumnSchema[];
}

export const RangeNode = {
  is(node: { kind: string }): node is RangeNode {
    return node.kind === 'Range';
  },
  create(start: ScalarNode, stop: ScalarNode, step: ScalarNode, columns: readonly ColumnSchema[]): RangeNode {
    return Object.freeze({ kind: 'Range', start, stop, step, columns });
  },
};
