/**
 * Kusto REST v1 responses (`/v1/rest/mgmt`, `/v1/rest/query`), protocols/kusto-rest.md §4.2. Columns carry
 * both `DataType` (CLR name) and `ColumnType` (Kusto name, the one the JS SDK reads); dynamic cells are JSON
 * strings in v1.
 */
import { v1DataTypeOf } from '../schema/kusto-types.js';
import type { ResultTable } from './result-table.js';

export interface V1Table {
  TableName: string;
  Columns: Array<{ ColumnName: string; DataType: string; ColumnType: string }>;
  Rows: unknown[][];
}

export function v1Table(table: ResultTable, tableName = table.name): V1Table {
  const dynamicColumns = table.columns.flatMap((c, i) => (c.type === 'dynamic' ? [i] : []));
  const rows =
    dynamicColumns.length === 0
      ? table.rows
      : table.rows.map((row) => {
          const copy = [...row];
          for (const i of dynamicColumns) {
            copy[i] = copy[i] === null || copy[i] === undefined ? null : JSON.stringify(copy[i]);
          }
          return copy;
        });
  return {
    TableName: tableName,
    Columns: table.columns.map((c) => ({
      ColumnName: c.name,
      DataType: v1DataTypeOf(c.type),
      ColumnType: c.type,
    })),
    Rows: rows,
  };
}

/** A management command result: one table, which the SDK treats as the primary result. */
export function v1MgmtResponse(table: ResultTable): { Tables: V1Table[] } {
  return { Tables: [v1Table(table, 'Table_0')] };
}

/**
 * A v1 query result: the primary tables, a QueryStatus table, and a table of contents last, so that the
 * SDK assigns roles by `Kind` (§4.2, "≥3 tables").
 */
export function v1QueryResponse(
  primary: ResultTable[],
  clientRequestId: string,
  activityId: string,
): { Tables: V1Table[] } {
  const tables: V1Table[] = primary.map((t, i) => v1Table(t, `Table_${i}`));
  const statusIndex = tables.length;
  tables.push({
    TableName: `Table_${statusIndex}`,
    Columns: [
      { ColumnName: 'Timestamp', DataType: 'DateTime', ColumnType: 'datetime' },
      { ColumnName: 'Severity', DataType: 'Int32', ColumnType: 'int' },
      { ColumnName: 'SeverityName', DataType: 'String', ColumnType: 'string' },
      { ColumnName: 'StatusCode', DataType: 'Int32', ColumnType: 'int' },
      { ColumnName: 'StatusDescription', DataType: 'String', ColumnType: 'string' },
      { ColumnName: 'Count', DataType: 'Int32', ColumnType: 'int' },
      { ColumnName: 'RequestId', DataType: 'Guid', ColumnType: 'guid' },
      { ColumnName: 'ActivityId', DataType: 'Guid', ColumnType: 'guid' },
      { ColumnName: 'SubActivityId', DataType: 'Guid', ColumnType: 'guid' },
      { ColumnName: 'ClientActivityId', DataType: 'String', ColumnType: 'string' },
    ],
    Rows: [
      [
        new Date().toISOString(),
        4,
        'Info',
        0,
        'Query completed successfully',
        1,
        activityId,
        activityId,
        activityId,
        clientRequestId,
      ],
    ],
  });
  const toc: V1Table = {
    TableName: `Table_${statusIndex + 1}`,
    Columns: [
      { ColumnName: 'Ordinal', DataType: 'Int64', ColumnType: 'long' },
      { ColumnName: 'Kind', DataType: 'String', ColumnType: 'string' },
      { ColumnName: 'Name', DataType: 'String', ColumnType: 'string' },
      { ColumnName: 'Id', DataType: 'String', ColumnType: 'string' },
      { ColumnName: 'PrettyName', DataType: 'String', ColumnType: 'string' },
    ],
    Rows: [
      ...primary.map((_, i) => [i, 'QueryResult', 'PrimaryResult', `${activityId}-${i}`, '']),
      [statusIndex, 'QueryStatus', 'QueryStatus', `${activityId}-status`, ''],
    ],
  };
  tables.push(toc);
  return { Tables: tables };
}
