/**
 * Result tables of control commands, shaped like ADX's (column names and types), so tools that read
 * them by name work against the engine.
 */
import type { FunctionEntry, MappingEntry, TableEntry, UpdatePolicy } from '../storage/catalog-types.js';
import { clrTypeOf } from '../schema/kusto-types.js';
import { resultTable, type ResultTable } from '../protocol/result-table.js';
import type { RunningQueryInfo } from '../query/running-queries.js';
import { formatTimespanMs } from '@kqlgate/kql-language';

export function cslSchema(table: TableEntry): string {
  return table.columns.map((c) => `${c.name}:${c.type}`).join(',');
}

export function tableSchemaResult(database: string, table: TableEntry, format: 'json' | 'csl'): ResultTable {
  const schema =
    format === 'csl'
      ? cslSchema(table)
      : JSON.stringify({
          Name: table.name,
          OrderedColumns: table.columns.map((c) => ({
            Name: c.name,
            Type: clrTypeOf(c.type),
            CslType: c.type,
          })),
        });
  return resultTable(
    'Table_0',
    [
      ['TableName', 'string'],
      ['Schema', 'string'],
      ['DatabaseName', 'string'],
      ['Folder', 'string'],
      ['DocString', 'string'],
    ],
    [[table.name, schema, database, table.folder ?? '', table.docString ?? '']],
  );
}

export function tablesResult(database: string, tables: TableEntry[]): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['TableName', 'string'],
      ['DatabaseName', 'string'],
      ['Folder', 'string'],
      ['DocString', 'string'],
    ],
    [...tables]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => [t.name, database, t.folder ?? '', t.docString ?? '']),
  );
}

export function tableColumnsResult(table: TableEntry): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['AttributeName', 'string'],
      ['AttributeType', 'string'],
      ['CslType', 'string'],
    ],
    table.columns.map((c) => [c.name, clrTypeOf(c.type), c.type]),
  );
}

function functionSignature(fn: FunctionEntry): string {
  return `(${fn.parameters
    .map(
      (p) =>
        `${p.name}:${p.type === 'tabular' ? '(*)' : p.type}${p.defaultValue !== undefined ? ` = ${p.defaultValue}` : ''}`,
    )
    .join(', ')})`;
}

export function functionsResult(functions: FunctionEntry[]): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['Name', 'string'],
      ['Parameters', 'string'],
      ['Body', 'string'],
      ['Folder', 'string'],
      ['DocString', 'string'],
    ],
    functions.map((f) => [f.name, functionSignature(f), `{${f.body}}`, f.folder ?? '', f.docString ?? '']),
  );
}

export function mappingsResult(database: string, mappings: MappingEntry[]): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['Name', 'string'],
      ['Kind', 'string'],
      ['Mapping', 'string'],
      ['LastUpdatedOn', 'datetime'],
      ['Database', 'string'],
      ['Table', 'string'],
    ],
    mappings.map((m) => [m.name, m.kind, JSON.stringify(m.mapping), m.lastUpdatedOn, database, m.table]),
  );
}

/** The shape of every `.show … policy …` and `.alter … policy …` result, as ADX returns it. */
export function policyResult(row: {
  policyName: string;
  entityName: string;
  policy: unknown;
  childEntities: string;
  entityType: 'Table' | 'Database';
}): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['PolicyName', 'string'],
      ['EntityName', 'string'],
      ['Policy', 'string'],
      ['ChildEntities', 'string'],
      ['EntityType', 'string'],
    ],
    [
      [
        row.policyName,
        row.entityName,
        row.policy === undefined ? 'null' : JSON.stringify(row.policy),
        row.childEntities,
        row.entityType,
      ],
    ],
  );
}

export function updatePolicyResult(
  database: string,
  table: string,
  policies: UpdatePolicy[] | undefined,
): ResultTable {
  return policyResult({
    policyName: 'TableUpdatePolicy',
    entityName: `[${database}].[${table}]`,
    policy: policies,
    childEntities: '',
    entityType: 'Table',
  });
}

export function extentResult(extentId: string, rowCount: number): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['ExtentId', 'guid'],
      ['OriginalSize', 'real'],
      ['ExtentSize', 'real'],
      ['ColumnSize', 'real'],
      ['IndexSize', 'real'],
      ['RowCount', 'long'],
    ],
    rowCount > 0 ? [[extentId, 0, 0, 0, 0, rowCount]] : [],
  );
}

export function databasesResult(names: string[], current?: string): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['DatabaseName', 'string'],
      ['PersistentStorage', 'string'],
      ['Version', 'string'],
      ['IsCurrent', 'bool'],
      ['DatabaseAccessMode', 'string'],
      ['PrettyName', 'string'],
      ['ReservedSlot1', 'bool'],
      ['DatabaseId', 'guid'],
      ['InTransitionTo', 'string'],
    ],
    names.map((n) => [n, '', 'v1.0', n === current, 'ReadWrite', null, false, null, '']),
  );
}

/** ADX's text column of `.show queries` holds at most 64 KB of the query. */
const QUERY_TEXT_LIMIT = 64 * 1024;

/** `.show running queries`: the columns of ADX's `.show queries` schema the engine can fill. */
export function runningQueriesResult(queries: readonly RunningQueryInfo[], now: Date): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['ClientActivityId', 'string'],
      ['Text', 'string'],
      ['Database', 'string'],
      ['StartedOn', 'datetime'],
      ['LastUpdatedOn', 'datetime'],
      ['Duration', 'timespan'],
      ['State', 'string'],
      ['RootActivityId', 'guid'],
      ['Application', 'string'],
    ],
    [...queries]
      .sort((a, b) => a.startedOn.getTime() - b.startedOn.getTime())
      .map((q) => [
        q.clientActivityId,
        q.text.slice(0, QUERY_TEXT_LIMIT),
        q.database,
        q.startedOn.toISOString(),
        (q.stoppedOn ?? now).toISOString(),
        formatTimespanMs(now.getTime() - q.startedOn.getTime()),
        q.state,
        q.rootActivityId,
        q.application,
      ]),
  );
}

/** `.cancel query`: whether a running query of that ClientActivityId was found and stopped (the wording of ADX's `.cancel operation`). */
export function cancelQueryResult(clientActivityId: string, stopped: number, reason: string): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['ClientActivityId', 'string'],
      ['CancellationState', 'string'],
      ['ReasonPhrase', 'string'],
    ],
    [
      [
        clientActivityId,
        stopped > 0 ? 'Cancelled successfully' : 'Cancel failed',
        stopped > 0
          ? reason
          : 'No running query has this ClientActivityId: it completed, or it never ran on this engine.',
      ],
    ],
  );
}
