import type { IrType } from './ir-node.js';

/** A reference to a column of the input relation. */
export interface ColumnNode {
  readonly kind: 'Column';
  readonly name: string;
  readonly type: IrType;
}

export const ColumnNode = {
  is(node: { kind: string }): node is ColumnNode {
    return node.kind === 'Column';
  },
  create(name: string, type: IrType): ColumnNode {
    return Object.freeze({ kind: 'Column', name, type });
  },
};
