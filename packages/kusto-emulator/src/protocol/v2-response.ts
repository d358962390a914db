/**
 * Kusto REST v2 responses (`/v2/rest/query`), protocols/kusto-rest.md §4.1: always non-progressive, whole
 * tables in DataTable frames. A partial result (truncation) keeps the rows produced so far and reports the
 * error in-band in DataSetCompletion, as ADX does.
 */
import type { OneApiError } from '../errors/kusto-error.translator.js';
import type { ResultTable } from './result-table.js';

export interface V2ResponseInput {
  tables: ResultTable[];
  clientRequestId: string;
  activityId: string;
  /** In-band errors: the tables above are partial. */
  errors?: OneApiError[];
}

const COMPLETION_COLUMNS: Array<[string, string]> = [
  ['Timestamp', 'datetime'],
  ['ClientRequestId', 'string'],
  ['ActivityId', 'guid'],
  ['SubActivityId', 'guid'],
  ['ParentActivityId', 'guid'],
  ['Level', 'int'],
  ['LevelName', 'string'],
  ['StatusCode', 'int'],
  ['StatusCodeName', 'string'],
  ['EventType', 'int'],
  ['EventTypeName', 'string'],
  ['Payload', 'string'],
];

export function v2Frames(input: V2ResponseInput): unknown[] {
  const frames: unknown[] = [
    {
      FrameType: 'DataSetHeader',
      IsProgressive: false,
      Version: 'v2.0',
      IsFragmented: false,
      ErrorReportingPlacement: 'EndOfTable',
    },
    {
      FrameType: 'DataTable',
      TableId: 0,
      TableKind: 'QueryProperties',
      TableName: '@ExtendedProperties',
      Columns: [
        { ColumnName: 'TableId', ColumnType: 'int' },
        { ColumnName: 'Key', ColumnType: 'string' },
        { ColumnName: 'Value', ColumnType: 'dynamic' },
      ],
      Rows: [[1, 'Visualization', { Visualization: null }]],
    },
  ];
  input.tables.forEach((table, i) => {
    frames.push({
      FrameType: 'DataTable',
      TableId: i + 1,
      TableKind: 'PrimaryResult',
      TableName: 'PrimaryResult',
      Columns: table.columns.map((c) => ({ ColumnName: c.name, ColumnType: c.type })),
      Rows: table.rows,
    });
  });
  const now = new Date().toISOString();
  frames.push({
    FrameType: 'DataTable',
    TableId: input.tables.length + 1,
    TableKind: 'QueryCompletionInformation',
    TableName: 'QueryCompletionInformation',
    Columns: COMPLETION_COLUMNS.map(([ColumnName, ColumnType]) => ({ ColumnName, ColumnType })),
    Rows: [
      [
        now,
        input.clientRequestId,
        input.activityId,
        input.activityId,
        '00000000-0000-0000-0000-000000000000',
        4,
        'Info',
        0,
        'S_OK (0)',
        4,
        'QueryInfo',
        JSON.stringify({ Count: 1, Text: 'Query completed successfully' }),
      ],
    ],
  });
  const hasErrors = (input.errors?.length ?? 0) > 0;
  frames.push({
    FrameType: 'DataSetCompletion',
    HasErrors: hasErrors,
    Cancelled: false,
    ...(hasErrors ? { OneApiErrors: input.errors } : {}),
  });
  return frames;
}
