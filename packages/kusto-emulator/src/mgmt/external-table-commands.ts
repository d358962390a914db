/**
 * `.create | .create-or-alter | .alter external table`, `.drop external table` and `.show external table(s)`, as
 * the ADX reference documents them for `kind=storage`. The definition is kept in the database's catalog; the data is
 * read when a query names the table (external/external-data-reader.ts). Like ADX, creating a table does not touch the
 * storage: a wrong address or key shows in the first query, with the table's name and the address, secret redacted.
 */
import { KustoEngineError } from '../errors/kusto-engine-error.js';
import { parseStorageLocation } from '../external/storage-location.js';
import { resultTable, type ResultTable } from '../protocol/result-table.js';
import type { ExternalTableEntry } from '../storage/catalog-types.js';
import type { KustoDatabase } from '../storage/kusto-database.js';
import { tableSchemaResult } from './command-results.js';
import type { ControlCommand } from './control-command.js';

type CreateExternalTable = Extract<ControlCommand, { kind: 'createExternalTable' }>;

/** `with (…)` properties the engine acts on; ADX's others (compressed, namePrefix, …) are refused by name. */
const KNOWN_PROPERTIES = ['folder', 'docstring', 'includeheaders'];

export class ExternalTableCommands {
  async create(command: CreateExternalTable, database: KustoDatabase): Promise<ResultTable> {
    const { name } = command;
    const what = `External table '${name}'`;
    const exists = database.catalog.externalTables.has(name);
    if (command.mode === 'create' && exists) {
      throw KustoEngineError.alreadyExists('External table', name);
    }
    if (command.mode === 'alter' && !exists) {
      throw KustoEngineError.notFound('External table', name, `database '${database.name}'`);
    }
    // The reverse of assertTableNameFree: an external table can't take a table's name.
    if (database.catalog.tables.has(name)) {
      throw KustoEngineError.nameTaken('External table', name, 'a table', database.name);
    }
    const seen = new Set<string>();
    for (const column of command.columns) {
      if (seen.has(column.name)) {
        throw KustoEngineError.semantic(`${what} declares column '${column.name}' more than once.`);
      }
      seen.add(column.name);
      if (column.type === 'timespan') {
        throw KustoEngineError.notSupported(
          `${what}: column '${column.name}' is a timespan, which external data on the embedded engine cannot hold; declare it as string.`,
        );
      }
    }
    // Parsed now for a clear error at once; fetched only by queries.
    for (const connectionString of command.connectionStrings) {
      parseStorageLocation(connectionString, what);
    }
    const entry: ExternalTableEntry = {
      name,
      columns: command.columns.map((c) => ({ name: c.name, type: c.type })),
      dataFormat: command.dataFormat,
      connectionStrings: command.connectionStrings,
    };
    for (const [key, value] of Object.entries(command.properties)) {
      switch (key.toLowerCase()) {
        case 'folder':
          entry.folder = value;
          break;
        case 'docstring':
          entry.docString = value;
          break;
        case 'includeheaders':
          if (value !== 'All' && value !== 'None') {
            throw KustoEngineError.notSupported(
              `${what}: includeHeaders='${value}' is not supported by the embedded engine; use 'All' or 'None'.`,
            );
          }
          entry.includeHeaders = value;
          break;
        default:
          throw KustoEngineError.notSupported(
            `${what}: property '${key}' is not supported by the embedded engine (supported: ${KNOWN_PROPERTIES.join(', ')}).`,
          );
      }
    }
    await database.write((tx) => tx.putExternalTable(entry));
    return externalTablesResult([entry]);
  }

  /**
   * A table and an external table can't share a name in one database ("an external table can't have the same name
   * as a regular table in the same database", ADX `.create external table`). `.create table` asks here before it
   * creates a table; create() checks the reverse.
   */
  assertTableNameFree(name: string, database: KustoDatabase): void {
    if (database.catalog.externalTables.has(name)) {
      throw KustoEngineError.nameTaken('Table', name, 'an external table', database.name);
    }
  }

  async drop(name: string, ifExists: boolean, database: KustoDatabase): Promise<ResultTable> {
    const entry = database.catalog.externalTables.get(name);
    if (!entry) {
      if (ifExists) {
        return externalTablesResult([]);
      }
      throw KustoEngineError.notFound('External table', name, `database '${database.name}'`);
    }
    await database.write((tx) => tx.deleteExternalTable(name));
    return externalTablesResult([entry]);
  }

  show(database: KustoDatabase, name?: string): ResultTable {
    if (name === undefined) {
      return externalTablesResult([...database.catalog.externalTables.values()]);
    }
    return externalTablesResult([this.entry(database, name)]);
  }

  showSchema(database: KustoDatabase, name: string, format: 'json' | 'csl'): ResultTable {
    return tableSchemaResult(database.name, this.entry(database, name), format);
  }

  private entry(database: KustoDatabase, name: string): ExternalTableEntry {
    const entry = database.catalog.externalTables.get(name);
    if (!entry) {
      throw KustoEngineError.notFound('External table', name, `database '${database.name}'`);
    }
    return entry;
  }
}

/** ADX's columns; connection strings are shown with their secrets replaced, as ADX obfuscates them. */
function externalTablesResult(entries: ExternalTableEntry[]): ResultTable {
  return resultTable(
    'Table_0',
    [
      ['TableName', 'string'],
      ['TableType', 'string'],
      ['Folder', 'string'],
      ['DocString', 'string'],
      ['Properties', 'string'],
    ],
    [...entries]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => [
        t.name,
        'Blob',
        t.folder ?? '',
        t.docString ?? '',
        JSON.stringify({
          Format: t.dataFormat,
          ConnectionStrings: t.connectionStrings.map((c) => parseStorageLocation(c, t.name).display),
          ...(t.includeHeaders ? { IncludeHeaders: t.includeHeaders } : {}),
        }),
      ]),
  );
}
