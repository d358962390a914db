/**
 * Executes parsed control commands against a database. Each state-changing command is one write
 * transaction (catalog and DuckDB DDL together), so a failed command changes nothing.
 */
import os from 'node:os';
import type { ColumnSchema, FunctionParameterSchema } from '../compiler/compiler-types.js';
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';
import { ingestData } from '../ingest/data-ingestion.js';
import { parseMappingDefinition } from '../ingest/ingestion-mapping.js';
import { createStorageTable, selectIntoColumns, type IngestionService } from '../ingest/ingestion-service.js';
import { resultTable, type ResultTable } from '../protocol/result-table.js';
import type { QueryCompilerLoader } from '../query/query-compiler.js';
import { parseRequestProperties } from '../query/request-properties.js';
import {
  assertNoExternalSources,
  compileQuery,
  type QueryContext,
  type QueryExecutor,
} from '../query/query-executor.js';
import type { RunningQueries } from '../query/running-queries.js';
import { duckDbTypeOf, quoteIdent } from '../schema/kusto-types.js';
import type { MappingEntry, MappingKind, TableEntry, UpdatePolicy } from '../storage/catalog-types.js';
import type { DatabaseRegistry } from '../storage/database-registry.js';
import { mappingKey, type KustoDatabase } from '../storage/kusto-database.js';
import { storageNameOf, withStorageNames } from '../storage/storage-columns.js';
import { parseControlCommand } from './command-parser.js';
import {
  cancelQueryResult,
  cslSchema,
  databasesResult,
  extentResult,
  functionsResult,
  mappingsResult,
  runningQueriesResult,
  tableColumnsResult,
  tablesResult,
  tableSchemaResult,
  updatePolicyResult,
} from './command-results.js';
import { commandResultQuery } from './command-result-query.js';
import type { ControlCommand, IngestionMappingKind } from './control-command.js';
import { ExternalTableCommands } from './external-table-commands.js';
import { PolicyCommands } from './policy-commands.js';

export const ENGINE_VERSION = '1.0.0-kqlgate';
/** The engine's one node, as `.show cluster` and per-node command results name it. */
const NODE_ID = 'kqlgate-embedded';

export interface CommandContext {
  databaseName: string;
  /** Who asked: a piped command's query runs as a query of this request (`.show running queries`, cancel). */
  request: QueryContext;
  /** Where `.ingest inline` bodies stop (same limit as streaming ingestion). */
  maxIngestBodyBytes: number;
}

function assertUnreachable(value: never): never {
  throw new Error(`Unhandled control command: ${JSON.stringify(value)}`);
}

function parseTagList(value: string | undefined, property: string): string[] {
  if (value === undefined || value.trim() === '') {
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw KustoEngineError.semantic(
      `Property '${property}' must be a JSON array of strings, e.g. '["a"]'; got ${value}.`,
    );
  }
  if (!Array.isArray(parsed) || !parsed.every((t) => typeof t === 'string')) {
    throw KustoEngineError.semantic(
      `Property '${property}' must be a JSON array of strings, e.g. '["a"]'; got ${value}.`,
    );
  }
  return parsed;
}

function propertyCI(properties: Record<string, string>, name: string): string | undefined {
  const key = Object.keys(properties).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : properties[key];
}

/** The mapping kinds the engine ingests with; ADX has more (Avro, Parquet, …), which it refuses by name. */
function storedMappingKind(kind: IngestionMappingKind): MappingKind {
  if (kind !== 'Json' && kind !== 'Csv') {
    throw KustoEngineError.notSupported(
      `Ingestion mapping kind '${kind}' is not supported by the embedded engine; use json or csv.`,
    );
  }
  return kind;
}

function sameColumns(a: ColumnSchema[], b: ColumnSchema[]): boolean {
  return a.length === b.length && a.every((c, i) => c.name === b[i].name && c.type === b[i].type);
}

/** Column names are case-sensitive in Kusto: `a` and `A` are two columns (stored apart, see storage-columns.ts). */
function assertDistinctColumns(table: string, columns: ColumnSchema[]): void {
  const seen = new Set<string>();
  for (const column of columns) {
    if (seen.has(column.name)) {
      throw KustoEngineError.semantic(`Table '${table}' declares column '${column.name}' more than once.`);
    }
    seen.add(column.name);
  }
}

export class CommandExecutor {
  private readonly startedAt = new Date().toISOString();
  private readonly policies: PolicyCommands;
  private readonly externalTables = new ExternalTableCommands();

  constructor(
    private readonly registry: DatabaseRegistry,
    private readonly ingestion: IngestionService,
    private readonly loadCompiler: QueryCompilerLoader,
    private readonly running: RunningQueries,
    private readonly queries: QueryExecutor,
  ) {
    this.policies = new PolicyCommands(registry);
  }

  async execute(text: string, context: CommandContext): Promise<ResultTable> {
    const command = parseControlCommand(text);
    return this.run(command, context);
  }

  private async run(command: ControlCommand, context: CommandContext): Promise<ResultTable> {
    switch (command.kind) {
      case 'createDatabase': {
        await this.registry.create(command.name, command.ifNotExists);
        return databasesResult([command.name]);
      }
      case 'showDatabases':
        return databasesResult(this.registry.names(), context.databaseName);
      case 'showDatabase':
        await this.database(context);
        return databasesResult([context.databaseName], context.databaseName);
      case 'showVersion':
        return resultTable(
          'Table_0',
          [
            ['BuildVersion', 'string'],
            ['BuildTime', 'datetime'],
            ['ServiceType', 'string'],
            ['ProductVersion', 'string'],
            ['ServerVersion', 'string'],
          ],
          [
            [
              ENGINE_VERSION,
              this.startedAt,
              'Engine',
              `KustoRelease_kqlgate_${ENGINE_VERSION}`,
              ENGINE_VERSION,
            ],
          ],
        );
      case 'showCluster':
        return resultTable(
          'Table_0',
          [
            ['NodeId', 'string'],
            ['Address', 'string'],
            ['Name', 'string'],
            ['StartTime', 'datetime'],
            ['IsAdmin', 'bool'],
            ['MachineTotalMemory', 'long'],
            ['MachineAvailableMemory', 'long'],
            ['ProcessorCount', 'int'],
            ['EnvironmentDescription', 'string'],
          ],
          [
            [
              NODE_ID,
              '127.0.0.1',
              os.hostname(),
              this.startedAt,
              true,
              os.totalmem(),
              os.freemem(),
              os.cpus().length,
              'kqlgate embedded Kusto engine (DuckDB)',
            ],
          ],
        );
      case 'showRunningQueries':
        return runningQueriesResult(this.running.list(), new Date());
      case 'cancelQuery': {
        const reason = command.reason ?? 'cancelled by .cancel query';
        const stopped = this.running.cancel(
          command.clientActivityId,
          new KustoEngineError(
            KustoErrorCode.Cancelled,
            `Query was cancelled by .cancel query: ${reason} (E_QUERY_CANCELLED).`,
            { reason },
          ),
        );
        return cancelQueryResult(command.clientActivityId, stopped, reason);
      }
      case 'getIngestionResources':
        throw KustoEngineError.notSupported(
          'Queued ingestion is not available on the embedded engine (it has no blob storage or queues); use streaming ingestion (StreamingIngestClient), or .ingest inline.',
        );
      case 'createTable':
        return this.createTable(command, await this.database(context));
      case 'dropTable': {
        const database = await this.database(context);
        if (!database.catalog.tables.has(command.name)) {
          if (command.ifExists) {
            return tablesResult(database.name, [...database.catalog.tables.values()]);
          }
          throw KustoEngineError.notFound('Table', command.name, `database '${database.name}'`);
        }
        await database.write(async (tx) => {
          await tx.connection.run(`DROP TABLE ${database.tableRef(command.name)}`);
          await tx.deleteTable(command.name);
        });
        return tablesResult(database.name, [...database.catalog.tables.values()]);
      }
      case 'showTables': {
        const database = await this.database(context);
        return tablesResult(database.name, [...database.catalog.tables.values()]);
      }
      case 'showTable': {
        const database = await this.database(context);
        return tableColumnsResult(database.table(command.name));
      }
      case 'showTableDetails': {
        const database = await this.database(context);
        const table = database.table(command.name);
        const stats = await database.read(async (connection) => {
          const reader = await connection.runAndReadAll(
            `SELECT (SELECT count(*) FROM ${database.tableRef(table.name)}) AS row_count, (SELECT count(DISTINCT extent_id) FROM kqlgate_meta.extent_tags WHERE table_name = $1) AS extents`,
            [table.name],
          );
          return reader.getRowsJS()[0];
        });
        return resultTable(
          'Table_0',
          [
            ['TableName', 'string'],
            ['DatabaseName', 'string'],
            ['Folder', 'string'],
            ['DocString', 'string'],
            ['TotalExtents', 'long'],
            ['TotalRowCount', 'long'],
            ['CslSchema', 'string'],
          ],
          [
            [
              table.name,
              database.name,
              table.folder ?? '',
              table.docString ?? '',
              Number(stats[1]),
              Number(stats[0]),
              cslSchema(table),
            ],
          ],
        );
      }
      case 'showTableSchema': {
        const database = await this.database(context);
        return tableSchemaResult(database.name, database.table(command.name), command.format);
      }
      case 'clearTableData': {
        const database = await this.database(context);
        const table = database.table(command.name);
        await database.write(async (tx) => {
          await tx.connection.run(`DELETE FROM ${database.tableRef(table.name)}`);
          await tx.connection.run(`DELETE FROM kqlgate_meta.extent_tags WHERE table_name = $1`, [table.name]);
        });
        return resultTable('Table_0', [['Status', 'string']], [['Succeeded']]);
      }
      case 'createFunction':
        return this.createFunction(command, await this.database(context));
      case 'createExternalTable':
        return this.externalTables.create(command, await this.database(context));
      case 'dropExternalTable':
        return this.externalTables.drop(command.name, command.ifExists, await this.database(context));
      case 'showExternalTables':
        return this.externalTables.show(await this.database(context));
      case 'showExternalTable':
        return this.externalTables.show(await this.database(context), command.name);
      case 'showExternalTableSchema':
        return this.externalTables.showSchema(await this.database(context), command.name, command.format);
      case 'dropFunction': {
        const database = await this.database(context);
        if (!database.catalog.functions.has(command.name)) {
          if (command.ifExists) {
            return resultTable('Table_0', [['Name', 'string']], []);
          }
          throw KustoEngineError.notFound('Function', command.name, `database '${database.name}'`);
        }
        await database.write((tx) => tx.deleteFunction(command.name));
        return resultTable('Table_0', [['Name', 'string']], [[command.name]]);
      }
      case 'showFunctions': {
        const database = await this.database(context);
        return functionsResult(
          [...database.catalog.functions.values()].sort((a, b) => a.name.localeCompare(b.name)),
        );
      }
      case 'showFunction': {
        const database = await this.database(context);
        const fn = database.catalog.functions.get(command.name);
        if (!fn) {
          throw KustoEngineError.notFound('Function', command.name, `database '${database.name}'`);
        }
        return functionsResult([fn]);
      }
      case 'createMapping':
        return this.createMapping(command, await this.database(context));
      case 'dropMapping': {
        const database = await this.database(context);
        database.table(command.table);
        const mappingKind = storedMappingKind(command.mappingKind);
        if (!database.catalog.mappings.has(mappingKey(command.table, mappingKind, command.name))) {
          throw KustoEngineError.notFound(
            `${command.mappingKind} ingestion mapping`,
            command.name,
            `table '${command.table}'`,
          );
        }
        await database.write((tx) => tx.deleteMapping(command.table, mappingKind, command.name));
        return mappingsResult(database.name, this.mappingsOf(database, command.table));
      }
      case 'showMappings': {
        const database = await this.database(context);
        database.table(command.table);
        const mappings = this.mappingsOf(database, command.table).filter(
          (m) => command.mappingKind === undefined || m.kind === command.mappingKind,
        );
        return mappingsResult(database.name, mappings);
      }
      case 'alterUpdatePolicy':
        return this.alterUpdatePolicy(command.table, command.policy, await this.database(context));
      case 'deleteUpdatePolicy': {
        const database = await this.database(context);
        database.table(command.table);
        await database.write((tx) => tx.putUpdatePolicies(command.table, []));
        return updatePolicyResult(database.name, command.table, []);
      }
      case 'showUpdatePolicy': {
        const database = await this.database(context);
        database.table(command.table);
        return updatePolicyResult(
          database.name,
          command.table,
          database.catalog.updatePolicies.get(command.table),
        );
      }
      case 'appendFromQuery':
        return this.appendFromQuery(command, await this.database(context));
      case 'alterPolicy':
        return this.policies.alter(
          command.entity,
          command.policy,
          command.value,
          command.merge,
          context.databaseName,
        );
      case 'deletePolicy':
        return this.policies.delete(command.entity, command.policy, context.databaseName);
      case 'showPolicy':
        return this.policies.show(command.entity, command.policy, context.databaseName);
      case 'clearStreamingIngestionSchemaCache': {
        // The engine reads the catalog on every streaming ingestion: there is no schema cache to clear.
        const database = await this.database(context);
        if (command.table !== undefined) {
          database.table(command.table);
        }
        return resultTable(
          'Table_0',
          [
            ['NodeId', 'string'],
            ['Status', 'string'],
          ],
          [[NODE_ID, 'Succeeded']],
        );
      }
      case 'refreshIngestionBatchingPolicyCache': {
        // Policies are read where they are used, never cached: nothing to refresh once the names check out.
        const database = await this.registry.get(command.database);
        if (command.table !== undefined) {
          database.table(command.table);
        }
        return resultTable('Table_0', [], []);
      }
      case 'showExportContainers':
        // No export storage exists locally: the list is empty, with ADX's column.
        return resultTable('Table_0', [['StorageRoot', 'string']], []);
      case 'pipedCommand': {
        const result = await this.run(command.command, context);
        const output = await this.queries.execute(
          context.databaseName,
          commandResultQuery(result, command.operators),
          parseRequestProperties(undefined),
          context.request,
        );
        if (output.partialError) {
          throw output.partialError;
        }
        return output.tables[0];
      }
      case 'ingestInline': {
        const database = await this.database(context);
        if (Buffer.byteLength(command.data) > context.maxIngestBodyBytes) {
          throw KustoEngineError.badRequest(
            `.ingest inline data exceeds the ingestion body limit of ${context.maxIngestBodyBytes} bytes.`,
          );
        }
        const result = await ingestData(this.ingestion, database, {
          table: command.table,
          format: propertyCI(command.properties, 'format'),
          mappingName: propertyCI(command.properties, 'ingestionMappingReference'),
          data: command.data,
          tags: parseTagList(propertyCI(command.properties, 'tags'), 'tags'),
          ingestIfNotExists: parseTagList(
            propertyCI(command.properties, 'ingestIfNotExists'),
            'ingestIfNotExists',
          ),
        });
        return extentResult(result.extentId, result.rowCount);
      }
      default:
        return assertUnreachable(command);
    }
  }

  private database(context: CommandContext): Promise<KustoDatabase> {
    return this.registry.get(context.databaseName);
  }

  private mappingsOf(database: KustoDatabase, table: string): MappingEntry[] {
    return [...database.catalog.mappings.values()].filter((m) => m.table === table);
  }

  private async createTable(
    command: Extract<ControlCommand, { kind: 'createTable' }>,
    database: KustoDatabase,
  ): Promise<ResultTable> {
    assertDistinctColumns(command.name, command.columns);
    const existing = database.catalog.tables.get(command.name);
    const docString = propertyCI(command.properties, 'docstring');
    const folder = propertyCI(command.properties, 'folder');
    if (!existing) {
      if (command.mode === 'alter' || command.mode === 'alter-merge') {
        throw KustoEngineError.notFound('Table', command.name, `database '${database.name}'`);
      }
      const clash = database.findCaseInsensitiveClash(command.name);
      if (clash) {
        throw KustoEngineError.semantic(
          `Table '${command.name}' differs from existing table '${clash}' only by case, which the embedded engine's storage cannot distinguish.`,
        );
      }
      if (database.catalog.functions.has(command.name)) {
        throw KustoEngineError.semantic(
          `A function named '${command.name}' already exists; tables and functions share one namespace.`,
        );
      }
      this.externalTables.assertTableNameFree(command.name, database);
      const table: TableEntry = {
        name: command.name,
        columns: withStorageNames(command.columns),
        docString,
        folder,
      };
      await database.write(async (tx) => {
        await createStorageTable(tx.connection, database, table);
        await tx.putTable(table);
      });
      return tableSchemaResult(database.name, table, 'csl');
    }
    if (command.mode === 'create') {
      if (sameColumns(existing.columns, command.columns) || command.ifNotExists) {
        return tableSchemaResult(database.name, existing, 'csl');
      }
      throw KustoEngineError.semantic(
        `Table '${command.name}' already exists with a different schema (${existing.columns.map((c) => `${c.name}:${c.type}`).join(', ')}); use .create-merge table or .alter table to change it.`,
      );
    }
    const merged: ColumnSchema[] = command.mode === 'alter' ? [] : [...existing.columns];
    for (const column of command.columns) {
      const current = existing.columns.find((c) => c.name === column.name);
      if (current && current.type !== column.type) {
        throw KustoEngineError.semantic(
          `Column '${column.name}' of table '${command.name}' is ${current.type}; changing it to ${column.type} is not supported.`,
        );
      }
      if (command.mode === 'alter' || !current) {
        merged.push(column);
      }
    }
    const columns = withStorageNames(merged, existing.columns);
    const added = columns.filter((c) => !existing.columns.some((e) => e.name === c.name));
    const dropped =
      command.mode === 'alter'
        ? existing.columns.filter((c) => !command.columns.some((n) => n.name === c.name))
        : [];
    const table: TableEntry = {
      name: existing.name,
      columns,
      docString: docString ?? existing.docString,
      folder: folder ?? existing.folder,
    };
    await database.write(async (tx) => {
      for (const column of added) {
        await tx.connection.run(
          `ALTER TABLE ${database.tableRef(table.name)} ADD COLUMN ${quoteIdent(storageNameOf(column))} ${duckDbTypeOf(column.type)}`,
        );
      }
      for (const column of dropped) {
        await tx.connection.run(
          `ALTER TABLE ${database.tableRef(table.name)} DROP COLUMN ${quoteIdent(storageNameOf(column))}`,
        );
      }
      await tx.putTable(table);
    });
    return tableSchemaResult(database.name, table, 'csl');
  }

  private async createFunction(
    command: Extract<ControlCommand, { kind: 'createFunction' }>,
    database: KustoDatabase,
  ): Promise<ResultTable> {
    const existing = database.catalog.functions.get(command.name);
    if (existing && command.mode === 'create') {
      if (command.ifNotExists) {
        return functionsResult([existing]);
      }
      throw KustoEngineError.alreadyExists('Function', command.name);
    }
    if (!existing && command.mode === 'alter') {
      throw KustoEngineError.notFound('Function', command.name, `database '${database.name}'`);
    }
    if (database.catalog.tables.has(command.name)) {
      throw KustoEngineError.semantic(
        `A table named '${command.name}' already exists; tables and functions share one namespace.`,
      );
    }
    const seen = new Set<string>();
    for (const parameter of command.parameters) {
      if (seen.has(parameter.name)) {
        throw KustoEngineError.semantic(
          `Function '${command.name}' declares parameter '${parameter.name}' more than once.`,
        );
      }
      seen.add(parameter.name);
    }
    const parameters: FunctionParameterSchema[] = command.parameters;
    const fn = {
      name: command.name,
      parameters,
      body: command.body,
      docString: propertyCI(command.properties, 'docstring') ?? existing?.docString,
      folder: propertyCI(command.properties, 'folder') ?? existing?.folder,
    };
    await database.write((tx) => tx.putFunction(fn));
    return functionsResult([fn]);
  }

  private async createMapping(
    command: Extract<ControlCommand, { kind: 'createMapping' }>,
    database: KustoDatabase,
  ): Promise<ResultTable> {
    const table = database.table(command.table);
    const mappingKind = storedMappingKind(command.mappingKind);
    const key = mappingKey(table.name, mappingKind, command.name);
    const exists = database.catalog.mappings.has(key);
    if (exists && command.mode === 'create') {
      throw KustoEngineError.alreadyExists(`${command.mappingKind} ingestion mapping`, command.name);
    }
    if (!exists && command.mode === 'alter') {
      throw KustoEngineError.notFound(
        `${command.mappingKind} ingestion mapping`,
        command.name,
        `table '${table.name}'`,
      );
    }
    const entry: MappingEntry = {
      table: table.name,
      name: command.name,
      kind: mappingKind,
      mapping: parseMappingDefinition(command.mapping, mappingKind, table, command.name),
      lastUpdatedOn: new Date().toISOString(),
    };
    await database.write((tx) => tx.putMapping(entry));
    return mappingsResult(database.name, [entry]);
  }

  private async alterUpdatePolicy(
    tableName: string,
    text: string,
    database: KustoDatabase,
  ): Promise<ResultTable> {
    const target = database.table(tableName);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw KustoEngineError.semantic(
        `Update policy of table '${tableName}' is not valid JSON: ${(error as Error).message}`,
      );
    }
    if (parsed !== null && !Array.isArray(parsed)) {
      parsed = [parsed];
    }
    const policies: UpdatePolicy[] = ((parsed as unknown[] | null) ?? []).map((raw, index) => {
      const item = (raw ?? {}) as Record<string, unknown>;
      const source = item.Source;
      const query = item.Query;
      if (typeof source !== 'string' || source === '') {
        throw KustoEngineError.semantic(
          `Update policy ${index} of table '${tableName}' has no Source table.`,
        );
      }
      if (typeof query !== 'string' || query.trim() === '') {
        throw KustoEngineError.semantic(`Update policy ${index} of table '${tableName}' has no Query.`);
      }
      if (source === tableName) {
        throw KustoEngineError.semantic(
          `Update policy ${index} of table '${tableName}' uses the table itself as its Source.`,
        );
      }
      database.table(source);
      return {
        IsEnabled: item.IsEnabled !== false,
        Source: source,
        Query: query,
        IsTransactional: item.IsTransactional === true,
        PropagateIngestionProperties: item.PropagateIngestionProperties === true,
        ManagedIdentity: typeof item.ManagedIdentity === 'string' ? item.ManagedIdentity : null,
      };
    });
    this.assertNoPolicyCycle(database, tableName, policies);
    if (policies.length > 0) {
      // Validate like ADX does at .alter time: the query must compile and its output fit the target table.
      const compiler = await this.loadCompiler();
      for (const policy of policies) {
        const compiled = await compileQuery(compiler, policy.Query, database.schema());
        assertNoExternalSources(compiled, `The update policy of table '${tableName}'`);
        const statement = compiled.statements[compiled.statements.length - 1];
        if (!statement) {
          throw KustoEngineError.semantic(`Update policy query of table '${tableName}' produces no result.`);
        }
        selectIntoColumns(target, statement.resultSchema, statement.sql);
      }
    }
    await database.write((tx) => tx.putUpdatePolicies(tableName, policies));
    return updatePolicyResult(database.name, tableName, policies);
  }

  private assertNoPolicyCycle(database: KustoDatabase, table: string, policies: UpdatePolicy[]): void {
    const edges = new Map<string, string[]>();
    for (const [target, list] of database.catalog.updatePolicies) {
      if (target !== table) {
        for (const p of list) {
          edges.set(p.Source, [...(edges.get(p.Source) ?? []), target]);
        }
      }
    }
    for (const p of policies) {
      edges.set(p.Source, [...(edges.get(p.Source) ?? []), table]);
    }
    // A cycle through `table` exists if `table` reaches one of its own sources.
    const sources = new Set(policies.map((p) => p.Source));
    const stack = [table];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const node = stack.pop() as string;
      if (sources.has(node)) {
        throw KustoEngineError.semantic(
          `Update policy of table '${table}' would create a cycle through table '${node}'.`,
        );
      }
      if (seen.has(node)) {
        continue;
      }
      seen.add(node);
      stack.push(...(edges.get(node) ?? []));
    }
  }

  private async appendFromQuery(
    command: Extract<ControlCommand, { kind: 'appendFromQuery' }>,
    database: KustoDatabase,
  ): Promise<ResultTable> {
    const compiler = await this.loadCompiler();
    const compiled = await compileQuery(compiler, command.query, database.schema());
    assertNoExternalSources(compiled, `.${command.mode}`);
    const statement = compiled.statements[compiled.statements.length - 1];
    if (!statement) {
      throw KustoEngineError.semantic(`The query of .${command.mode} produces no result.`);
    }
    if (command.mode === 'append' && !database.catalog.tables.has(command.table)) {
      throw KustoEngineError.notFound('Table', command.table, `database '${database.name}'`);
    }
    if (!database.catalog.tables.has(command.table)) {
      const clash = database.findCaseInsensitiveClash(command.table);
      if (clash) {
        throw KustoEngineError.semantic(
          `Table '${command.table}' differs from existing table '${clash}' only by case.`,
        );
      }
    }
    const result = await this.ingestion.ingest(database, {
      table: command.table,
      rows: { kind: 'query', statement },
      tags: parseTagList(propertyCI(command.properties, 'tags'), 'tags'),
      ingestIfNotExists: parseTagList(
        propertyCI(command.properties, 'ingestIfNotExists'),
        'ingestIfNotExists',
      ),
      createTableIfMissing: command.mode !== 'append',
      requireNewTable: command.mode === 'set',
      replace: command.mode === 'set-or-replace',
    });
    return extentResult(result.extentId, result.rowCount);
  }
}
