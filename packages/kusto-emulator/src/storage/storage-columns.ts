/**
 * Which DuckDB column stores which Kusto column. KQL column names are case-sensitive and DuckDB's are not,
 * so of a table's columns whose names differ only by case, the later ones are stored under `name~2`, …
 * (`case-distinct-name.ts`). The name is chosen once, when the column is added, and kept in the catalog:
 * later schema changes never move data between DuckDB columns.
 */
import { caseDistinctName } from '../compiler/case-distinct-name.js';
import type { ColumnSchema, TableColumnSchema } from '../compiler/compiler-types.js';

export function storageNameOf(column: TableColumnSchema): string {
  return column.storageName ?? column.name;
}

/**
 * `columns` with their storage names: a column that `existing` already stores keeps its DuckDB column;
 * a new one gets a name that no DuckDB column of the table (existing ones included, even those about to be
 * dropped) or earlier new column has, case-insensitively.
 */
export function withStorageNames(
  columns: readonly ColumnSchema[],
  existing: readonly TableColumnSchema[] = [],
): TableColumnSchema[] {
  const taken = new Set(existing.map((c) => storageNameOf(c).toLowerCase()));
  return columns.map((column) => {
    const stored = existing.find((c) => c.name === column.name);
    if (stored) {
      return stored.storageName === undefined
        ? { name: column.name, type: column.type }
        : { name: column.name, type: column.type, storageName: stored.storageName };
    }
    const storageName = caseDistinctName(column.name, (lower) => taken.has(lower));
    taken.add(storageName.toLowerCase());
    return storageName === column.name
      ? { name: column.name, type: column.type }
      : { name: column.name, type: column.type, storageName };
  });
}
