import type { ColumnSchema } from './ir-node.js';

/** All rows of a stored table. */
export interface ScanNode {
  readonly kind: 'Scan';
  readonly table: string;
  readonly columns: readonly ColumnSchema[];
  /** The DuckDB column holding each of `columns` (differs from the KQL name only for case twins). */
  readonly storageNames: readonly string[];
}

export const ScanNode = {
  is(node: { kind: string }): node is ScanNode {
    return node.kind === 'Scan';
  },
  create(table: string, columns: readonly ColumnSchema[], storageNames: readonly string[]): ScanNode {
    return Object.freeze({ kind: 'Scan', table, columns, storageNames });
  },
};
