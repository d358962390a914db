/**
 * Every way rows enter a table — streaming ingestion, `.ingest inline`, `.set/.append/.set-or-append` —
 * ends here, as one DuckDB transaction:
 *
 *   1. extent-tag dedup (`ingestIfNotExists`): if an `ingest-by:` tag is already on the table, skip;
 *   2. the new rows are bulk-loaded (DuckDB appender) into a TEMP table named like the target table;
 *   3. they are copied into `main."<Table>"`;
 *   4. each enabled update policy whose Source is the table runs its query — the TEMP table shadows the real
 *      one for unqualified names, so the policy sees only the new rows — into its target's TEMP table, and
 *      recursively on (cascading policies);
 *   5. the tags are recorded; COMMIT.
 *
 * A transactional policy that fails rolls everything back and fails the ingestion. A non-transactional one
 * that fails is dropped and the ingestion is replayed without it (DuckDB has no savepoints), and its
 * failure is reported in the result as ADX reports UpdatePolicyStatus.
 */
import { randomUUID } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ColumnSchema, CompiledStatement } from '../compiler/compiler-types.js';
import { KustoEngineError, KustoErrorCode } from '../errors/kusto-engine-error.js';
import type { QueryCompilerLoader } from '../query/query-compiler.js';
import { assertNoExternalSources, compileQuery } from '../query/query-executor.js';
import { duckDbTypeOf, quoteIdent } from '../schema/kusto-types.js';
import type { TableEntry, UpdatePolicy } from '../storage/catalog-types.js';
import type { KustoDatabase, WriteTransaction } from '../storage/kusto-database.js';
import { storageNameOf, withStorageNames } from '../storage/storage-columns.js';
import { castFromStageSql } from './value-coercion.js';
import { fromDuckDbError } from '../errors/duckdb-error.translator.js';
import { parameterTypes } from '../query/parameter-types.js';

const MAX_POLICY_DEPTH = 10;
const RAW_STAGE = '__kqlgate_raw_stage';
const QUERY_STAGE = '__kqlgate_query_stage';

/** New rows as canonical text per table column (see value-coercion.ts), or a compiled query's output. */
export type NewRows =
  { kind: 'values'; rows: (string | null)[][] } | { kind: 'query'; statement: CompiledStatement };

export interface IngestRequest {
  table: string;
  rows: NewRows;
  /** Tags put on the new extent, e.g. `ingest-by:batch-42` or `drop-by:x`. */
  tags: string[];
  /** Skip the whole ingestion if the table has an extent tagged `ingest-by:<tag>` for any of these. */
  ingestIfNotExists: string[];
  /** `.set` / `.set-or-append`: create the table from the query's schema if it does not exist. */
  createTableIfMissing?: boolean;
  /** `.set`: the table must not exist yet. */
  requireNewTable?: boolean;
  /** `.set-or-replace`: replace the table's rows. */
  replace?: boolean;
}

export interface PolicyFailure {
  target: string;
  source: string;
  reason: string;
}

export interface IngestResult {
  extentId: string;
  rowCount: number;
  /** True when `ingestIfNotExists` matched and nothing was stored. */
  skipped: boolean;
  policiesRun: number;
  policyFailures: PolicyFailure[];
}

class NonTransactionalPolicyFailed extends Error {
  constructor(
    readonly policyKey: string,
    readonly failure: PolicyFailure,
  ) {
    super(failure.reason);
  }
}

/**
 * DuckDB's I/O failures (`… Failed to commit: Could not write file "/data/db.kusto.duckdb.wal": No space left on
 * device`) as an engine error whose message leads with the operating system's reason — what an operator acts on —
 * without the data file's path. Transient (500, @permanent false): the write succeeds again once storage allows.
 */
function storageFailure(error: unknown, database: string, table: string): KustoEngineError | undefined {
  if (error instanceof KustoEngineError || !(error instanceof Error)) {
    return undefined;
  }
  if (
    !/IO Error|Could not (write|read|open|create)|No space left|Read-only file system|Permission denied/i.test(
      error.message,
    )
  ) {
    return undefined;
  }
  const reason = /:\s*([^:"]+?)\s*$/.exec(error.message)?.[1] ?? error.message;
  return new KustoEngineError(
    KustoErrorCode.Internal,
    `Writing to the storage of database '${database}' failed: ${reason}. Nothing was ingested into '${table}'.`,
    { database, table },
  );
}

function policyKey(target: string, index: number): string {
  return `${target}#${index}`;
}

export class IngestionService {
  constructor(private readonly loadCompiler: QueryCompilerLoader) {}

  async ingest(database: KustoDatabase, request: IngestRequest): Promise<IngestResult> {
    const needsCompiler =
      request.rows.kind === 'query' || this.policiesFrom(database, request.table).length > 0;
    if (needsCompiler) {
      // Loading the compiler happens outside the write lock so other writers do not wait on it.
      await this.loadCompiler();
    }
    const excluded = new Set<string>();
    const failures: PolicyFailure[] = [];
    for (;;) {
      try {
        const result = await database.write(
          (tx) => this.ingestInTransaction(database, tx, request, excluded),
          {
            compiledSql: needsCompiler,
          },
        );
        return { ...result, policyFailures: failures };
      } catch (error) {
        if (error instanceof NonTransactionalPolicyFailed && !excluded.has(error.policyKey)) {
          excluded.add(error.policyKey);
          failures.push(error.failure);
          continue;
        }
        throw storageFailure(error, database.name, request.table) ?? error;
      }
    }
  }

  private async ingestInTransaction(
    database: KustoDatabase,
    tx: WriteTransaction,
    request: IngestRequest,
    excluded: ReadonlySet<string>,
  ): Promise<Omit<IngestResult, 'policyFailures'>> {
    const extentId = randomUUID();
    const dedupTags = request.ingestIfNotExists.map((t) => `ingest-by:${t}`);
    const existingTag = await tx.hasAnyTag(request.table, dedupTags);
    if (existingTag !== undefined) {
      return { extentId, rowCount: 0, skipped: true, policiesRun: 0 };
    }
    const connection = tx.connection;
    let table = database.catalog.tables.get(request.table);
    if (!table) {
      if (!request.createTableIfMissing || request.rows.kind !== 'query') {
        throw KustoEngineError.notFound('Table', request.table, `database '${database.name}'`);
      }
      table = { name: request.table, columns: withStorageNames(request.rows.statement.resultSchema) };
      await createStorageTable(connection, database, table);
      await tx.putTable(table);
    } else if (request.requireNewTable) {
      throw KustoEngineError.alreadyExists('Table', request.table);
    }
    if (request.replace) {
      await connection.run(`DELETE FROM ${database.tableRef(table.name)}`);
    }
    const temps: string[] = [];
    try {
      const hasPolicies = this.policiesFrom(database, table.name).some((p) => !excluded.has(p.key));
      let rowCount: number;
      if (request.rows.kind === 'values' && !hasPolicies) {
        // Nothing reads the new rows separately: load them straight into the table (one copy fewer).
        rowCount = await this.appendValues(
          connection,
          table,
          request.rows.rows,
          database.tableRef(table.name),
        );
      } else {
        await this.stageNewRows(connection, table, request.rows);
        temps.push(table.name);
        const inserted = await connection.runAndReadAll(copyFromStageSql(database, table));
        rowCount = Number(inserted.getRowsJS()[0]?.[0] ?? 0);
      }
      const policiesRun = await this.applyPolicies(database, tx, table.name, request, excluded, temps, 0);
      const tags = [...request.tags, ...dedupTags.filter((t) => !request.tags.includes(t))];
      if (rowCount > 0 || tags.length > 0) {
        await tx.addTags(table.name, tags, extentId);
      }
      return { extentId, rowCount, skipped: false, policiesRun };
    } finally {
      for (const temp of temps) {
        await connection.run(`DROP TABLE IF EXISTS temp.${quoteIdent(temp)}`).catch(() => undefined);
      }
    }
  }

  /** Fills `temp."<Table>"` with the new rows, typed like the table. */
  private async stageNewRows(connection: DuckDBConnection, table: TableEntry, rows: NewRows): Promise<void> {
    const columnDefs = storageColumnDefs(table);
    if (rows.kind === 'query') {
      // The query runs before temp."<Table>" exists, so a query that reads the target table itself (e.g. a
      // policy that anti-joins existing rows) still sees the stored rows.
      await connection.run(`DROP TABLE IF EXISTS temp.${QUERY_STAGE}`);
      await connection.run(
        `CREATE TEMP TABLE ${QUERY_STAGE} AS ${selectIntoColumns(table, rows.statement.resultSchema, rows.statement.sql)}`,
        rows.statement.parameters as never,
        parameterTypes(rows.statement.parameters),
      );
      await connection.run(`DROP TABLE IF EXISTS temp.${quoteIdent(table.name)}`);
      await connection.run(`CREATE TEMP TABLE ${quoteIdent(table.name)} (${columnDefs})`);
      await connection.run(`INSERT INTO temp.${quoteIdent(table.name)} SELECT * FROM temp.${QUERY_STAGE}`);
      await connection.run(`DROP TABLE temp.${QUERY_STAGE}`);
      return;
    }
    await connection.run(`DROP TABLE IF EXISTS temp.${quoteIdent(table.name)}`);
    await connection.run(`CREATE TEMP TABLE ${quoteIdent(table.name)} (${columnDefs})`);
    await this.appendValues(connection, table, rows.rows, `temp.${quoteIdent(table.name)}`);
  }

  /**
   * Bulk-loads canonical text values with DuckDB's appender into a raw staging table, then casts them into
   * `target` in one INSERT … SELECT. Returns the number of rows.
   */
  private async appendValues(
    connection: DuckDBConnection,
    table: TableEntry,
    values: (string | null)[][],
    target: string,
  ): Promise<number> {
    if (values.length === 0) {
      return 0;
    }
    const width = table.columns.length;
    const rawColumns = table.columns.map((_, i) => `c${i} VARCHAR`).join(', ');
    await connection.run(`DROP TABLE IF EXISTS temp.${RAW_STAGE}`);
    await connection.run(`CREATE TEMP TABLE ${RAW_STAGE} (${rawColumns})`);
    try {
      const appender = await connection.createAppender(RAW_STAGE, 'main', 'temp');
      try {
        for (const row of values) {
          for (let i = 0; i < width; i += 1) {
            const value = row[i];
            if (value === null || value === undefined) {
              appender.appendNull();
            } else {
              appender.appendVarchar(value);
            }
          }
          appender.endRow();
        }
        appender.flushSync();
      } finally {
        appender.closeSync();
      }
      const columns = storageColumnList(table);
      const casts = table.columns.map((c, i) => castFromStageSql(`c${i}`, c.type)).join(', ');
      await connection.run(`INSERT INTO ${target} (${columns}) SELECT ${casts} FROM temp.${RAW_STAGE}`);
      return values.length;
    } finally {
      await connection.run(`DROP TABLE IF EXISTS temp.${RAW_STAGE}`);
    }
  }

  private policiesFrom(
    database: KustoDatabase,
    source: string,
  ): Array<{ key: string; target: string; policy: UpdatePolicy }> {
    const result: Array<{ key: string; target: string; policy: UpdatePolicy }> = [];
    for (const [target, policies] of database.catalog.updatePolicies) {
      policies.forEach((policy, index) => {
        if (policy.IsEnabled && policy.Source === source) {
          result.push({ key: policyKey(target, index), target, policy });
        }
      });
    }
    return result;
  }

  private async applyPolicies(
    database: KustoDatabase,
    tx: WriteTransaction,
    source: string,
    request: IngestRequest,
    excluded: ReadonlySet<string>,
    temps: string[],
    depth: number,
  ): Promise<number> {
    const policies = this.policiesFrom(database, source).filter((p) => !excluded.has(p.key));
    if (policies.length === 0) {
      return 0;
    }
    if (depth >= MAX_POLICY_DEPTH) {
      throw KustoEngineError.semantic(
        `Update policies cascade more than ${MAX_POLICY_DEPTH} levels deep from table '${request.table}'.`,
      );
    }
    const compiler = await this.loadCompiler();
    let count = 0;
    for (const { key, target, policy } of policies) {
      const targetTable = database.table(target);
      try {
        const compiled = await compileQuery(compiler, policy.Query, database.schema());
        assertNoExternalSources(compiled, `The update policy of table '${target}'`);
        const statement = compiled.statements[compiled.statements.length - 1];
        if (!statement) {
          throw KustoEngineError.semantic(`the policy query produced no result.`);
        }
        await this.stageNewRows(tx.connection, targetTable, { kind: 'query', statement });
        temps.push(target);
        await tx.connection.run(copyFromStageSql(database, targetTable));
        if (policy.PropagateIngestionProperties && request.tags.length > 0) {
          await tx.addTags(target, request.tags, randomUUID());
        }
      } catch (error) {
        // A DuckDB failure is told in Kusto terms: this reason goes back to the ingesting client.
        const reason = `Update policy of table '${target}' (source '${source}') failed: ${fromDuckDbError(error).message}`;
        if (!policy.IsTransactional) {
          throw new NonTransactionalPolicyFailed(key, { target, source, reason });
        }
        throw KustoEngineError.semantic(
          `${reason}. The update policy is transactional, so nothing was ingested.`,
          {
            target,
            source,
          },
        );
      }
      count += 1;
      count += await this.applyPolicies(database, tx, target, request, excluded, temps, depth + 1);
      await tx.connection.run(`DROP TABLE IF EXISTS temp.${quoteIdent(target)}`);
    }
    return count;
  }
}

/** Explicit column lists: storage column order can differ from the catalog's after `.alter table`. */
function copyFromStageSql(database: KustoDatabase, table: TableEntry): string {
  const columns = storageColumnList(table);
  return `INSERT INTO ${database.tableRef(table.name)} (${columns}) SELECT ${columns} FROM temp.${quoteIdent(table.name)}`;
}

export async function createStorageTable(
  connection: DuckDBConnection,
  database: KustoDatabase,
  table: TableEntry,
): Promise<void> {
  await connection.run(`CREATE TABLE ${database.tableRef(table.name)} (${storageColumnDefs(table)})`);
}

/** The table's DuckDB columns (storage names), quoted, in Kusto order. */
function storageColumnList(table: TableEntry): string {
  return table.columns.map((c) => quoteIdent(storageNameOf(c))).join(', ');
}

function storageColumnDefs(table: TableEntry): string {
  return table.columns.map((c) => `${quoteIdent(storageNameOf(c))} ${duckDbTypeOf(c.type)}`).join(', ');
}

/**
 * `SELECT` of a query's output in the table's column order, matched by column name (missing → null),
 * cast to each column's storage type. Output columns the table does not have are an error, as in ADX.
 * The output is read by position (`__q(c0, c1, …)`): compiled SQL names columns that differ only by case
 * apart internally, so only the result schema carries the Kusto names.
 */
export function selectIntoColumns(table: TableEntry, output: ColumnSchema[], sql: string): string {
  const unknown = output.filter((o) => !table.columns.some((c) => c.name === o.name));
  if (unknown.length > 0) {
    throw KustoEngineError.semantic(
      `Query output column(s) ${unknown.map((u) => `'${u.name}'`).join(', ')} do not exist in table '${table.name}' (columns: ${table.columns.map((c) => c.name).join(', ')}).`,
    );
  }
  const projections = table.columns.map((c) => {
    const source = output.findIndex((o) => o.name === c.name);
    const value = source >= 0 ? `__q.c${source}` : 'NULL';
    return `TRY_CAST(${value} AS ${duckDbTypeOf(c.type)}) AS ${quoteIdent(storageNameOf(c))}`;
  });
  const positions = output.map((_, i) => `c${i}`).join(', ');
  return `SELECT ${projections.join(', ')} FROM (${sql}) AS __q(${positions})`;
}
