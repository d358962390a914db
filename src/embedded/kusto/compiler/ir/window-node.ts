import type { IrType, ScalarNode, SortKey } from './ir-node.js';

/** A function over the serialized row order (row_number, prev, next, row_cumsum). */
export interface WindowNode {
  readonly kind: 'Window';
  readonly fn: string;
  readonly args: readonly ScalarNode[];
  readonly orderBy: readonly SortKey[];
  readonly type: IrType;
}

export const WindowNode = {
  is(node: { kind: string }): node is WindowNode {
    return node.kind === 'Window';
  },
  create(fn: string, args: readonly ScalarNode[], orderBy: readonly SortKey[], type: IrType): WindowNode {
    return Object.freeze({ kind: 'Window', fn, args, orderBy, type });
  },
};
