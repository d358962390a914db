import type { IrType, ScalarNode, SortKey } from './ir-node.js';

/** A function over the serialized row order (row_number, prev, next, row_cumsum, partition_min). */
export interface WindowNode {
  readonly kind: 'Window';
  readonly fn: string;
  readonly args: readonly ScalarNode[];
  readonly orderBy: readonly SortKey[];
  /** Restart groups (`row_number(start, restart)`); empty for one sequence over all rows. */
  readonly partitionBy: readonly ScalarNode[];
  readonly type: IrType;
}

export const WindowNode = {
  is(node: { kind: string }): node is WindowNode {
    return node.kind === 'Window';
  },
  create(
    fn: string,
    args: readonly ScalarNode[],
    orderBy: readonly SortKey[],
    type: IrType,
    partitionBy: readonly ScalarNode[] = [],
  ): WindowNode {
    return Object.freeze({ kind: 'Window', fn, args, orderBy, partitionBy, type });
  },
};
