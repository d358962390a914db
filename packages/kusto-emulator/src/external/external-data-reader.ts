/**
 * Makes a compiled query's external sources readable by its SQL: for each `external_table('T')` or `externaldata`
 * source it fetches the files (external-file-fetcher.ts), checks them against the declared schema, and creates a
 * TEMP view of the connection under the name the SQL scans, converting each column to the engine's storage type
 * (datetimes as ticks, dynamic as JSON). Views are per connection and replaced on every query, so a query always
 * reads the files as they are when it runs, as ADX does.
 *
 * Column mapping follows ADX: Parquet and JSON columns by name, CSV columns by position.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ExternalDataFormat, KustoScalarType } from '@kqlgate/kql-language';
import type { ColumnSchema, ExternalSource } from '../compiler/compiler-types.js';
import { duckDbTypeOf } from '../compiler/sql/duckdb-dialect.js';
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import { quoteIdent, quoteSqlString } from '../schema/kusto-types.js';
import type { ExternalTableEntry } from '../storage/catalog-types.js';
import type { ExternalFileFetcher } from './external-file-fetcher.js';
import { parseStorageLocation } from './storage-location.js';

/** .NET ticks at the Unix epoch: datetimes are stored as ticks (see compiler/sql/duckdb-dialect.ts). */
const EPOCH_TICKS = '621355968000000000';

interface ResolvedSource {
  view: string;
  /** For messages: `External table 'T'` or `externaldata`. */
  what: string;
  columns: readonly ColumnSchema[];
  format: ExternalDataFormat;
  connectionStrings: readonly string[];
  /** One file per connection string (externaldata) or every file under it (external tables). */
  single: boolean;
  csvHeader: boolean;
}

export class ExternalDataReader {
  constructor(private readonly fetcher: ExternalFileFetcher) {}

  /** Creates the views of `sources` on `connection`; `externalTables` is the database's catalog. */
  async prepare(
    connection: DuckDBConnection,
    sources: readonly ExternalSource[],
    externalTables: ReadonlyMap<string, ExternalTableEntry>,
  ): Promise<void> {
    for (const source of sources) {
      const resolved = resolve(source, externalTables);
      const files: string[] = [];
      const shown: string[] = [];
      for (const connectionString of resolved.connectionStrings) {
        const location = parseStorageLocation(connectionString, resolved.what);
        shown.push(location.display);
        files.push(...(await this.fetcher.files(location, resolved.what, resolved.single)));
      }
      await connection.run(
        `CREATE OR REPLACE TEMP VIEW ${quoteIdent(resolved.view)} AS ${await viewQuery(connection, resolved, files, shown.join(', '))}`,
      );
    }
  }
}

function resolve(
  source: ExternalSource,
  externalTables: ReadonlyMap<string, ExternalTableEntry>,
): ResolvedSource {
  if (source.kind === 'table') {
    const entry = externalTables.get(source.table);
    if (!entry) {
      throw KustoEngineError.notFound('External table', source.table);
    }
    return {
      view: source.view,
      what: `External table '${entry.name}'`,
      columns: entry.columns,
      format: entry.dataFormat,
      connectionStrings: entry.connectionStrings,
      single: false,
      csvHeader: entry.includeHeaders === 'All',
    };
  }
  const format = String(source.properties.format ?? 'csv').toLowerCase();
  if (format !== 'csv' && format !== 'parquet' && format !== 'json' && format !== 'multijson') {
    throw KustoEngineError.notSupported(
      `externaldata: format '${format}' is not supported by the embedded engine; use csv, parquet, json or multijson.`,
    );
  }
  return {
    view: source.view,
    what: 'externaldata',
    columns: source.columns,
    format,
    connectionStrings: source.uris,
    single: true,
    csvHeader: source.properties.ignorefirstrecord === true || source.properties.ignorefirstrecord === 'true',
  };
}

function readerCall(source: ResolvedSource, files: readonly string[]): string {
  const list = `[${files.map(quoteSqlString).join(', ')}]`;
  switch (source.format) {
    case 'parquet':
      return `read_parquet(${list})`;
    case 'csv':
      // Every field as text, converted below: the declared schema decides the types, not DuckDB's sniffer.
      return `read_csv(${list}, header = ${source.csvHeader}, all_varchar = true)`;
    case 'json':
    case 'multijson':
      return `read_json(${list}, format = 'auto')`;
  }
}

async function viewQuery(
  connection: DuckDBConnection,
  source: ResolvedSource,
  files: readonly string[],
  where: string,
): Promise<string> {
  if (files.length === 0) {
    // No file under the folder: an empty table of the declared schema, as ADX answers.
    const nulls = source.columns.map((c) => `CAST(NULL AS ${duckDbTypeOf(c.type)}) AS ${quoteIdent(c.name)}`);
    return `SELECT ${nulls.join(', ')} WHERE false`;
  }
  const from = readerCall(source, files);
  let described: { name: string; type: string }[];
  try {
    const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${from}`);
    described = reader.getRowsJS().map((r) => ({ name: r[0] as string, type: r[1] as string }));
  } catch (error) {
    throw KustoEngineError.badData(
      `${source.what}: the data at ${where} could not be read as ${source.format}: ${firstLine(error)}`,
    );
  }
  const select = source.columns.map((column, index) => {
    const found =
      source.format === 'csv'
        ? described[index]
        : (described.find((d) => d.name === column.name) ??
          described.find((d) => d.name.toLowerCase() === column.name.toLowerCase()));
    if (!found) {
      throw KustoEngineError.badData(
        source.format === 'csv'
          ? `${source.what}: column '${column.name}' (position ${index + 1}) is missing from the data at ${where}, which has ${described.length} column(s).`
          : `${source.what}: column '${column.name}' is not in the data at ${where} (its columns: ${described.map((d) => d.name).join(', ')}).`,
      );
    }
    return `${converted(quoteIdent(found.name), found.type, column.type)} AS ${quoteIdent(column.name)}`;
  });
  return `SELECT ${select.join(', ')} FROM ${from}`;
}

/** `value` (of DuckDB type `from`) as the engine stores a Kusto `to` column; unparsable values become null. */
function converted(value: string, from: string, to: KustoScalarType): string {
  switch (to) {
    case 'datetime':
      return `CAST(epoch_us(TRY_CAST(${value} AS TIMESTAMP)) * 10 + ${EPOCH_TICKS} AS BIGINT)`;
    case 'timespan':
      throw KustoEngineError.notSupported(
        'timespan columns of external data are not supported by the embedded engine; declare them as string.',
      );
    case 'dynamic':
      return from === 'VARCHAR' ? `TRY_CAST(${value} AS JSON)` : `to_json(${value})`;
    case 'string':
      return from === 'VARCHAR' ? value : `CAST(${value} AS VARCHAR)`;
    case 'bool':
    case 'int':
    case 'long':
    case 'real':
    case 'decimal':
    case 'guid':
      return `TRY_CAST(${value} AS ${duckDbTypeOf(to)})`;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
