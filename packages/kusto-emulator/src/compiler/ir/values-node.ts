import type { ColumnSchema, ScalarNode } from './ir-node.js';

/** Inline rows (`datatable`, `print`, `getschema`). */
export interface ValuesNode {
  readonly kind: 'Values';
  readonly rows: readonly (readonly ScalarNode[])[];
  readonly columns: readonly ColumnSchema[];
}

export const ValuesNode = {
  is(node: { kind: string }): node is ValuesNode {
    return node.kind === 'Values';
  },
  create(rows: readonly (readonly ScalarNode[])[], columns: readonly ColumnSchema[]): ValuesNode {
    return Object.freeze({ kind: 'Values', rows, columns });
  },
};
