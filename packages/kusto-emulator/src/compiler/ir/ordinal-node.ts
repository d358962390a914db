import type { IrType } from './ir-node.js';

/**
 * A small non-negative integer the compiler itself generates (a struct field position), emitted inline
 * because DuckDB needs it constant at bind time. Never built from query text: user values are Literals.
 */
export interface OrdinalNode {
  readonly kind: 'Ordinal';
  readonly value: number;
  readonly type: IrType;
}

export const OrdinalNode = {
  is(node: { kind: string }): node is OrdinalNode {
    return node.kind === 'Ordinal';
  },
  create(value: number): OrdinalNode {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`internal: ordinal must be a non-negative integer, got ${value}`);
    }
    return Object.freeze({ kind: 'Ordinal', value, type: 'long' });
  },
};
