/**
 * The KQL → DuckDB compiler.
 *
 *   KQL text ──parse──► Kusto.Language syntax tree          parse/kql-parser.ts      (SYNTAX errors)
 *            ──bind───► analyzed tree: symbols, types,     bind/                    (SEMANTIC errors)
 *                        result schemas, expansions
 *            ──lower──► relational IR (ir/*-node.ts)        lower/kql-lowerer.ts     (UNSUPPORTED, PARAMETER)
 *            ──emit───► frozen { sql, parameters }          sql/duckdb-emitter.ts + function-map.ts
 *
 * Each stage is a pure exported function; `compileKql` only chains them. One result table per
 * tabular statement. Set LOG_LEVEL=debug… the engine logs; `debugStages()` returns every stage for tooling.
 */
import { bindKql, type BoundKql } from './bind/kql-binder.js';
import { globalStateFor } from './bind/global-state-builder.js';
import type {
  CompiledQuery,
  CompiledStatement,
  CompileOptions,
  DatabaseSchema,
  QueryParameterValues,
} from './compiler-types.js';
import type { RelationNode } from './ir/ir-node.js';
import { KqlCompileError } from './kql-compile-error.js';
import { KqlLowerer } from './lower/kql-lowerer.js';
import { parseKql } from './parse/kql-parser.js';
import { emitSql } from './sql/duckdb-emitter.js';

export { duckDbSetupSql } from './sql/duckdb-setup.js';
export { duckDbTypeOf } from './sql/duckdb-dialect.js';
export { KqlCompileError } from './kql-compile-error.js';
export { decodeCell, decodeRows } from './result-decoder.js';

export function lowerKql(bound: BoundKql, params: QueryParameterValues, now: Date): RelationNode[] {
  return new KqlLowerer({ text: bound.text, root: bound.root, params, now }).lowerQuery();
}

export function emitStatements(relations: readonly RelationNode[]): CompiledStatement[] {
  return relations.map((relation) => {
    const { sql, parameters } = emitSql(relation);
    return Object.freeze({
      sql,
      parameters,
      resultSchema: relation.columns.map((c) => ({ name: c.name, type: c.type })),
    });
  });
}

export function compileKql(
  kql: string,
  db: DatabaseSchema,
  params: QueryParameterValues = {},
  options: CompileOptions = {},
): CompiledQuery {
  try {
    const parsed = parseKql(kql, globalStateFor(db));
    const bound = bindKql(parsed);
    const relations = lowerKql(bound, params, options.now ?? new Date());
    if (relations.length === 0) {
      throw new KqlCompileError('SEMANTIC', 'the query has no tabular expression statement to return');
    }
    return Object.freeze({ statements: Object.freeze(emitStatements(relations)) });
  } catch (error) {
    if (error instanceof KqlCompileError) {
      throw error;
    }
    // A bug in a stage must not surface internals (SQL text, Bridge stack) to the user.
    throw new KqlCompileError(
      'UNSUPPORTED',
      'the query uses a construct the embedded engine cannot compile; simplify the expression or report it',
      undefined,
      {
        cause: error instanceof Error ? error.message : String(error),
      },
    );
  }
}

/** Every stage's output, for `--debug` tooling and tests. */
export function debugStages(
  kql: string,
  db: DatabaseSchema,
  params: QueryParameterValues = {},
  options: CompileOptions = {},
) {
  const parsed = parseKql(kql, globalStateFor(db));
  const bound = bindKql(parsed);
  const ir = lowerKql(bound, params, options.now ?? new Date());
  return { ir, statements: emitStatements(ir) };
}
