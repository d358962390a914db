/**
 * The KQL → DuckDB compiler.
 *
 *   KQL text ──parse──► Kusto.Language syntax tree          parse/kql-parser.ts      (SYNTAX errors)
 *            ──bind───► analyzed tree: symbols, types,     bind/                    (SEMANTIC errors)
 *                        result schemas, expansions          (Kusto.Language parses and analyzes in
 *                                                            one call; bind checks and exposes it)
 *            ──lower──► relational IR (ir/*-node.ts)        lower/kql-lowerer.ts     (UNSUPPORTED, PARAMETER)
 *            ──emit───► frozen { sql, parameters }          sql/duckdb-emitter.ts + function-map.ts
 *
 * Each stage is a pure exported function; `compileKql` only chains them. One result table per
 * tabular statement. At debug level each new query's stages are logged (compiler-log.ts).
 */
import { bindKql, type BoundKql } from './bind/kql-binder.js';
import { globalStateFor, schemaKeyFor } from './bind/global-state-builder.js';
import type {
  CompiledQuery,
  CompiledStatement,
  CompileOptions,
  DatabaseSchema,
  ExternalSource,
  QueryParameterValues,
} from './compiler-types.js';
import type { RelationNode } from './ir/ir-node.js';
import { KqlCompileError } from './kql-compile-error.js';
import { KqlLowerer } from './lower/kql-lowerer.js';
import { parseKql } from './parse/kql-parser.js';
import { bindSlots } from './slot-binding.js';
import { emitSql } from './sql/duckdb-emitter.js';
import { compilerLogger } from './compiler-log.js';
import { withObfuscatedLiterals } from '../logging/obfuscated-literals.js';

export { duckDbSetupSql } from './sql/duckdb-setup.js';
export { duckDbTypeOf } from './sql/duckdb-dialect.js';
export { KqlCompileError } from './kql-compile-error.js';
export { decodeCell, decodeRows } from './result-decoder.js';
export { bindSlots } from './slot-binding.js';

export interface LoweredKql {
  relations: RelationNode[];
  /** What the relations read from outside the database (`external_table()`, `externaldata`). */
  externalSources: readonly ExternalSource[];
}

export function lowerKql(
  bound: BoundKql,
  database: DatabaseSchema,
  params: QueryParameterValues,
  now: Date,
): LoweredKql {
  const lowerer = new KqlLowerer({ text: bound.text, root: bound.root, database, params, now });
  const relations = lowerer.lowerQuery();
  return { relations, externalSources: lowerer.externalSources };
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

/**
 * Compiled queries whose parameters still hold `ParameterSlot`s (now(), query parameters). Kusto.Language's
 * parse and analysis dominate compile time (a few ms per new text in its JavaScript build, see
 * `npm run bench -- kql-compiler`), while dashboards and the gateway send the same texts again and again
 * with new values — so the SQL is cached per schema, text and set of supplied parameter names, and only
 * the values are filled per call.
 */
const MAX_CACHED_QUERIES = 500;
const compiledCache = new Map<string, CompiledQuery>();

function compileTemplate(kql: string, db: DatabaseSchema, params: QueryParameterValues): CompiledQuery {
  const key = `${schemaKeyFor(db)}\u0000${Object.keys(params).sort().join(',')}\u0000${kql}`;
  const cached = compiledCache.get(key);
  if (cached) {
    compiledCache.delete(key);
    compiledCache.set(key, cached);
    return cached;
  }
  const started = performance.now();
  const parsed = parseKql(kql, globalStateFor(db));
  const parsedAt = performance.now();
  const bound = bindKql(parsed);
  const boundAt = performance.now();
  const { relations, externalSources } = lowerKql(bound, db, params, new Date(0));
  if (relations.length === 0) {
    throw new KqlCompileError('SEMANTIC', 'the query has no tabular expression statement to return');
  }
  const loweredAt = performance.now();
  const template: CompiledQuery = Object.freeze({
    statements: Object.freeze(emitStatements(relations)),
    ...(externalSources.length > 0 ? { externalSources: Object.freeze([...externalSources]) } : {}),
  });
  compilerLogger().debug(
    {
      kql: withObfuscatedLiterals(kql),
      ms: {
        parseAndAnalyze: parsedAt - started,
        bind: boundAt - parsedAt,
        lower: loweredAt - boundAt,
        emit: performance.now() - loweredAt,
      },
      sql: template.statements.map((s) => s.sql),
    },
    'compiled KQL',
  );
  if (compiledCache.size >= MAX_CACHED_QUERIES) {
    const oldest = compiledCache.keys().next().value;
    if (oldest !== undefined) {
      compiledCache.delete(oldest);
    }
  }
  compiledCache.set(key, template);
  return template;
}

/**
 * The compiled query with its slots still in it (`now()`, query parameters): what compileKql caches and fills. A
 * host that runs the compiler in another thread caches these itself and fills them with `bindSlots` — the only
 * step that depends on a call's values.
 */
export function compileKqlTemplate(
  kql: string,
  db: DatabaseSchema,
  params: QueryParameterValues = {},
): CompiledQuery {
  return asCompileError(() => compileTemplate(kql, db, params));
}

export function compileKql(
  kql: string,
  db: DatabaseSchema,
  params: QueryParameterValues = {},
  options: CompileOptions = {},
): CompiledQuery {
  return asCompileError(() => bindSlots(compileTemplate(kql, db, params), params, options.now ?? new Date()));
}

function asCompileError<T>(compile: () => T): T {
  try {
    return compile();
  } catch (error) {
    if (error instanceof KqlCompileError) {
      throw error;
    }
    // A bug in a stage must not surface internals (SQL text, Bridge stack) to the user.
    throw new KqlCompileError(
      'UNSUPPORTED',
      'the query uses a construct the embedded engine cannot compile; simplify the expression or report it',
      undefined,
      { cause: error instanceof Error ? error.message : String(error) },
    );
  }
}
