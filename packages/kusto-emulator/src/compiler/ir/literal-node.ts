import type { IrType, LiteralValue } from './ir-node.js';

/** A constant; always emitted as a prepared-statement parameter, never spliced. */
export interface LiteralNode {
  readonly kind: 'Literal';
  readonly value: LiteralValue;
  readonly type: IrType;
}

export const LiteralNode = {
  is(node: { kind: string }): node is LiteralNode {
    return node.kind === 'Literal';
  },
  create(value: LiteralValue, type: IrType): LiteralNode {
    return Object.freeze({ kind: 'Literal', value, type });
  },
};
