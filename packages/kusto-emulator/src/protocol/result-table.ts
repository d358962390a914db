/**
 * A result table as the engine produces it, before it is framed for v1 or v2. Cells are already in their
 * v2 JSON form (protocols/kusto-rest.md §7): dynamic cells are JSON values here, and v1 framing encodes them
 * as strings.
 */
import type { ColumnSchema } from '../compiler/compiler-types.js';

export interface ResultTable {
  name: string;
  columns: ColumnSchema[];
  rows: unknown[][];
}

export function resultTable(
  name: string,
  columns: Array<[string, ColumnSchema['type']]>,
  rows: unknown[][],
): ResultTable {
  return { name, columns: columns.map(([columnName, type]) => ({ name: columnName, type })), rows };
}
