import type { IrType, ScalarNode } from './ir-node.js';

/** A scalar or aggregate function, resolved to SQL through `sql/function-map.ts` by `fn` key. */
export interface CallNode {
  readonly kind: 'Call';
  readonly fn: string;
  readonly args: readonly ScalarNode[];
  readonly type: IrType;
}

export const CallNode = {
  is(node: { kind: string }): node is CallNode {
    return node.kind === 'Call';
  },
  create(fn: string, args: readonly ScalarNode[], type: IrType): CallNode {
    return Object.freeze({ kind: 'Call', fn, args, type });
  },
};
