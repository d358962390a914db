import type { IrType, ScalarNode } from './ir-node.js';

/** A value conversion that yields null when it fails, as Kusto `toX()` do. */
export interface CastNode {
  readonly kind: 'Cast';
  readonly operand: ScalarNode;
  readonly type: IrType;
}

export const CastNode = {
  is(node: { kind: string }): node is CastNode {
    return node.kind === 'Cast';
  },
  create(operand: ScalarNode, type: IrType): CastNode {
    return Object.freeze({ kind: 'Cast', operand, type });
  },
};
