/**
 * Compiles KQL without tables (print, datatable, range) and runs it on an in-memory DuckDB with the engine's
 * macros, returning rows as the engine decodes them: the quick loop for function-family specs.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import { compileKql, duckDbSetupSql } from '../../src/compiler/kql-compiler.js';
import { registerJsScalarFunctions } from '../../src/compiler/sql/functions/js-scalar-functions.js';
import { decodeRows } from '../../src/compiler/result-decoder.js';

export interface KqlEvaluator {
  rows(kql: string): Promise<unknown[][]>;
  /** The single value of a one-row, one-column result. */
  value(kql: string): Promise<unknown>;
  close(): void;
}

export async function createKqlEvaluator(): Promise<KqlEvaluator> {
  const connection: DuckDBConnection = await (await DuckDBInstance.create(':memory:')).connect();
  for (const sql of duckDbSetupSql()) {
    await connection.run(sql);
  }
  await registerJsScalarFunctions(connection);
  const rows = async (kql: string): Promise<unknown[][]> => {
    const statement = compileKql(kql, { name: 'analytics', tables: [], functions: [] }).statements.at(-1);
    if (!statement) {
      throw new Error(`no statement compiled from ${kql}`);
    }
    const reader = await connection.runAndReadAll(statement.sql, statement.parameters as never);
    return decodeRows(statement.resultSchema, reader.getRows());
  };
  return {
    rows,
    value: async (kql) => (await rows(kql))[0]?.[0],
    close: () => connection.closeSync(),
  };
}

/** An evaluator for the whole spec file: created in `beforeAll`, closed in `afterAll`. */
export function useKqlEvaluator(): KqlEvaluator {
  let evaluator: KqlEvaluator | undefined;
  beforeAll(async () => {
    evaluator = await createKqlEvaluator();
  }, 120_000);
  afterAll(() => evaluator?.close());
  const current = (): KqlEvaluator => {
    if (!evaluator) {
      throw new Error('the KQL evaluator is created in beforeAll');
    }
    return evaluator;
  };
  return {
    rows: (kql) => current().rows(kql),
    value: (kql) => current().value(kql),
    close: () => current().close(),
  };
}
